package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.QueryResult;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageAccessor;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyRemotingClient;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.RequestCode;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.body.LockBatchRequestBody;
import org.apache.rocketmq.remoting.protocol.header.ConsumerSendMsgBackRequestHeader;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subscription groups managed with RocketMQ's DefaultMQAdminExt: create, update, read, delete,
 * persistence across a restart, per-group retryMaxTimes, consumeEnable and
 * autoCreateSubscriptionGroup.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SubscriptionGroupInteropTest {
  @TempDir Path dir;
  final OfficialClients clients = new OfficialClients();

  @AfterEach
  void stop() {
    clients.close();
  }

  DefaultMQAdminExt admin(WharfCluster cluster) throws Exception {
    return clients.admin(cluster.namesrvAddr());
  }

  static SubscriptionGroupConfig group(String name, int retryMaxTimes) {
    SubscriptionGroupConfig c = new SubscriptionGroupConfig();
    c.setGroupName(name);
    c.setRetryMaxTimes(retryMaxTimes);
    return c;
  }

  @Test
  void groupsAreCreatedUpdatedReadAndDeletedAndSurviveARestart() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    BrokerConfig config = cluster.brokerConfig("broker-a");
    Broker broker = cluster.startBroker(config);
    DefaultMQAdminExt admin = admin(cluster);

    SubscriptionGroupConfig created = group("cg-admin", 5);
    created.setRetryQueueNums(2);
    created.setConsumeBroadcastEnable(false);
    created.setAttributes(Map.of("owner", "ops"));
    admin.createAndUpdateSubscriptionGroupConfig(broker.address(), created);
    SubscriptionGroupConfig read =
        admin.examineSubscriptionGroupConfig(broker.address(), "cg-admin");
    assertThat(read.getRetryMaxTimes()).isEqualTo(5);
    assertThat(read.getRetryQueueNums()).isEqualTo(2);
    assertThat(read.isConsumeBroadcastEnable()).isFalse();
    assertThat(read.isConsumeEnable()).isTrue();
    assertThat(read.getAttributes()).containsEntry("owner", "ops");

    SubscriptionGroupConfig updated = group("cg-admin", 7);
    updated.setConsumeEnable(false);
    admin.createAndUpdateSubscriptionGroupConfig(broker.address(), updated);
    admin.createAndUpdateSubscriptionGroupConfig(broker.address(), group("cg-doomed", 3));
    admin.deleteSubscriptionGroup(broker.address(), "cg-doomed", true);

    broker.close();
    Broker restarted = cluster.startBroker(config);
    assertThat(Files.readString(dir.resolve("broker-a/config/subscriptionGroup.json")))
        .contains("\"subscriptionGroupTable\"")
        .contains("cg-admin");
    SubscriptionGroupConfig afterRestart =
        admin
            .getDefaultMQAdminExtImpl()
            .getMqClientInstance()
            .getMQClientAPIImpl()
            .getSubscriptionGroupConfig(restarted.address(), "cg-admin", 5000);
    assertThat(afterRestart.getRetryMaxTimes()).isEqualTo(7);
    assertThat(afterRestart.isConsumeEnable()).isFalse();
    assertThat(
            admin
                .getAllSubscriptionGroup(restarted.address(), 5000)
                .getSubscriptionGroupTable()
                .keySet())
        .contains("cg-admin")
        .doesNotContain("cg-doomed");
    assertThat(admin.examineSubscriptionGroupConfig(restarted.address(), "cg-doomed")).isNull();
  }

  /**
   * With short delay levels, a message sent back by a client that gives no maxReconsumeTimes goes
   * to the group's retry topic twice and then, at the group's retryMaxTimes 2, to its DLQ; a
   * client's own maxReconsumeTimes (as every official push consumer sends) wins, as in RocketMQ.
   */
  @Test
  void theGroupsRetryMaxTimesSendsAMessageToTheDlq() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    Broker broker =
        cluster.startBroker(
            cluster.brokerConfig("broker-a").messageDelayLevel("100ms 100ms 100ms 100ms"));
    DefaultMQAdminExt admin = admin(cluster);
    admin.createAndUpdateSubscriptionGroupConfig(broker.address(), group("cg-two", 2));
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    Message m = new Message("Work", "T", "poison".getBytes(StandardCharsets.UTF_8));
    m.setKeys("poison-key");
    SendResult sent = producer.send(m);
    long offset = MessageDecoder.decodeMessageId(sent.getOffsetMsgId()).getOffset();

    NettyRemotingClient remoting = new NettyRemotingClient(new NettyClientConfig());
    remoting.start();
    clients.track(remoting::shutdown);
    for (int times = 1; times <= 2; times++) {
      assertThat(sendBack(remoting, broker.address(), offset, null))
          .isEqualTo(ResponseCode.SUCCESS);
      offset = awaitCopy(admin, "%RETRY%cg-two", times).getCommitLogOffset();
    }
    // Delivered twice already: with the client's own max (16) it would be retried again...
    assertThat(sendBack(remoting, broker.address(), offset, 16)).isEqualTo(ResponseCode.SUCCESS);
    assertThat(awaitCopy(admin, "%RETRY%cg-two", 3).getReconsumeTimes()).isEqualTo(3);
    // ...with the group's retryMaxTimes 2 it goes to the DLQ.
    assertThat(sendBack(remoting, broker.address(), offset, null)).isEqualTo(ResponseCode.SUCCESS);
    MessageExt dead = awaitCopy(admin, "%DLQ%cg-two", 3);
    assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo("poison");
    assertThat(dead.getProperty("RETRY_TOPIC")).isEqualTo("Work");
  }

  /**
   * A retry message sent by the client itself (what the orderly consumer does once its local
   * retries are used up) goes to the DLQ at once while its group holds a live queue lock, as in
   * RocketMQ; without a lock it goes to the retry topic.
   */
  @Test
  void aRetrySendOfAGroupHoldingQueueLocksGoesToTheDlq() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    Broker broker = cluster.startBroker("broker-a");
    DefaultMQAdminExt admin = admin(cluster);
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    producer.send(retryMessage("before-lock"));

    NettyRemotingClient remoting = new NettyRemotingClient(new NettyClientConfig());
    remoting.start();
    clients.track(remoting::shutdown);
    LockBatchRequestBody lock = new LockBatchRequestBody();
    lock.setConsumerGroup("cg-ordered");
    lock.setClientId("orderly-client");
    lock.setMqSet(Set.of(new MessageQueue("Work", "broker-a", 0)));
    RemotingCommand request = RemotingCommand.createRequestCommand(RequestCode.LOCK_BATCH_MQ, null);
    request.setBody(lock.encode());
    assertThat(remoting.invokeSync(broker.address(), request, 5000).getCode())
        .isEqualTo(ResponseCode.SUCCESS);
    producer.send(retryMessage("after-lock"));

    assertThat(awaitKey(admin, "%DLQ%cg-ordered", "after-lock").getReconsumeTimes()).isEqualTo(1);
    assertThat(awaitKey(admin, "%RETRY%cg-ordered", "before-lock").getReconsumeTimes())
        .isEqualTo(1);
    assertThatThrownBy(
            () -> admin.queryMessage("%DLQ%cg-ordered", "before-lock", 32, 0, Long.MAX_VALUE))
        .as("the message sent before the lock is not a dead letter")
        .isInstanceOf(MQClientException.class)
        .hasMessageContaining("no message");
  }

  private static Message retryMessage(String key) {
    Message m = new Message("%RETRY%cg-ordered", "T", key.getBytes(StandardCharsets.UTF_8));
    m.setKeys(key);
    // What the orderly consumer's send-back sets; the client turns the last two into the header.
    MessageAccessor.putProperty(m, MessageConst.PROPERTY_RETRY_TOPIC, "Work");
    MessageAccessor.setReconsumeTime(m, "1");
    MessageAccessor.setMaxReconsumeTimes(m, "16");
    return m;
  }

  private static MessageExt awaitKey(DefaultMQAdminExt admin, String topic, String key) {
    MessageExt[] found = new MessageExt[1];
    Awaitility.await(topic + " holds " + key)
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              List<MessageExt> list =
                  admin.queryMessage(topic, key, 32, 0, Long.MAX_VALUE).getMessageList();
              found[0] = list.isEmpty() ? null : list.get(0);
              return found[0] != null;
            });
    return found[0];
  }

  private static int sendBack(
      NettyRemotingClient remoting, String address, long offset, Integer maxReconsumeTimes)
      throws Exception {
    ConsumerSendMsgBackRequestHeader header = new ConsumerSendMsgBackRequestHeader();
    header.setGroup("cg-two");
    header.setOffset(offset);
    header.setDelayLevel(0);
    header.setOriginTopic("Work");
    header.setMaxReconsumeTimes(maxReconsumeTimes);
    return remoting
        .invokeSync(
            address,
            RemotingCommand.createRequestCommand(RequestCode.CONSUMER_SEND_MSG_BACK, header),
            5000)
        .getCode();
  }

  /** The copy of the poison message in {@code topic} with this reconsumeTimes. */
  private static MessageExt awaitCopy(DefaultMQAdminExt admin, String topic, int reconsumeTimes) {
    MessageExt[] found = new MessageExt[1];
    Awaitility.await(topic + " holds the copy delivered " + reconsumeTimes + " times")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              QueryResult r = admin.queryMessage(topic, "poison-key", 32, 0, Long.MAX_VALUE);
              for (MessageExt m : r.getMessageList()) {
                if (m.getReconsumeTimes() == reconsumeTimes) {
                  found[0] = m;
                }
              }
              return found[0] != null;
            });
    return found[0];
  }

  @Test
  @SuppressWarnings("deprecation") // DefaultMQPullConsumer: the official client that shows codes
  void aDisabledGroupCannotConsumeAndAnUnknownGroupIsRefusedWithoutAutoCreate() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    Broker broker = cluster.startBroker("broker-a");
    Broker strict =
        cluster.startBroker(
            cluster.brokerConfig("broker-strict").autoCreateSubscriptionGroup(false));
    DefaultMQAdminExt admin = admin(cluster);
    admin.createAndUpdateTopicConfig(broker.address(), new TopicConfig("Gated", 1, 1, 6));
    admin.createAndUpdateTopicConfig(strict.address(), new TopicConfig("Strict", 1, 1, 6));
    SubscriptionGroupConfig off = group("cg-off", 16);
    off.setConsumeEnable(false);
    admin.createAndUpdateSubscriptionGroupConfig(broker.address(), off);
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    for (int i = 0; i < 3; i++) {
      producer.send(new Message("Gated", "T", ("m" + i).getBytes(StandardCharsets.UTF_8)));
    }

    DefaultMQPullConsumer puller = new DefaultMQPullConsumer("cg-off");
    puller.setNamesrvAddr(cluster.namesrvAddr());
    puller.setInstanceName(OfficialClients.unique("puller"));
    puller.start();
    clients.track(puller::shutdown);
    assertThatThrownBy(() -> puller.pull(new MessageQueue("Gated", "broker-a", 0), "*", 0, 32))
        .isInstanceOfSatisfying(
            MQBrokerException.class,
            e -> assertThat(e.getResponseCode()).isEqualTo(ResponseCode.NO_PERMISSION));
    assertThatThrownBy(
            () -> puller.pull(new MessageQueue("Strict", "broker-strict", 0), "*", 0, 32))
        .isInstanceOfSatisfying(
            MQBrokerException.class,
            e ->
                assertThat(e.getResponseCode())
                    .isEqualTo(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST));

    // A push consumer of the disabled group gets nothing until the group is enabled again.
    Map<String, Boolean> seen = new ConcurrentHashMap<>();
    clients.start(
        clients.pushConsumer(
            cluster.namesrvAddr(),
            "cg-off",
            "Gated",
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            (msgs, ctx) -> {
              msgs.forEach(x -> seen.put(new String(x.getBody(), StandardCharsets.UTF_8), true));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }));
    Awaitility.await("nothing consumed while the group is disabled")
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(seen::isEmpty);
    admin.createAndUpdateSubscriptionGroupConfig(broker.address(), group("cg-off", 16));
    Awaitility.await("consumed once enabled")
        .atMost(Duration.ofSeconds(30))
        .until(() -> seen.keySet().containsAll(List.of("m0", "m1", "m2")));
  }
}
