package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.broker.Broker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.admin.ConsumeStats;
import org.apache.rocketmq.remoting.protocol.admin.OffsetWrapper;
import org.apache.rocketmq.remoting.protocol.admin.TopicOffset;
import org.apache.rocketmq.remoting.protocol.admin.TopicStatsTable;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.body.Connection;
import org.apache.rocketmq.remoting.protocol.body.ConsumerConnection;
import org.apache.rocketmq.remoting.protocol.body.ConsumerRunningInfo;
import org.apache.rocketmq.remoting.protocol.heartbeat.ConsumeType;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.apache.rocketmq.tools.command.MQAdminStartup;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache RocketMQ's admin tooling against Wharf: DefaultMQAdminExt's consumer progress,
 * connections, topic stats, cluster and broker info and message queries, and the same through
 * {@code mqadmin} commands run in-process.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminToolsInteropTest {
  @TempDir Path dir;
  final OfficialClients clients = new OfficialClients();

  @AfterEach
  void stop() {
    clients.close();
  }

  @Test
  void defaultMqAdminExtAndMqadminReportProgressConnectionsStatsAndMessages() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    Broker broker = cluster.startBroker("broker-a");
    String ns = cluster.namesrvAddr();
    DefaultMQAdminExt admin = clients.admin(ns);
    admin.createAndUpdateTopicConfig(broker.address(), new TopicConfig("Stats", 4, 4, 6));

    DefaultMQProducer producer = clients.producer(ns);
    List<SendResult> sent = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Message m = new Message("Stats", "T", ("m" + i).getBytes(StandardCharsets.UTF_8));
      m.setKeys("k" + i);
      sent.add(producer.send(m));
    }
    Map<String, Boolean> seen = new ConcurrentHashMap<>();
    DefaultMQPushConsumer consumer =
        clients.pushConsumer(
            ns,
            "cg-stats",
            "Stats",
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            (msgs, ctx) -> {
              msgs.forEach(x -> seen.put(new String(x.getBody(), StandardCharsets.UTF_8), true));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    consumer.setPersistConsumerOffsetInterval(500);
    clients.start(consumer);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 8);

    Awaitility.await("committed offsets reach the broker")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ConsumeStats stats = admin.examineConsumeStats("cg-stats");
              assertThat(queuesOf(stats, "Stats")).isEqualTo(4);
              assertThat(sum(stats, "Stats", OffsetWrapper::getBrokerOffset)).isEqualTo(8);
              assertThat(sum(stats, "Stats", OffsetWrapper::getConsumerOffset)).isEqualTo(8);
              assertThat(stats.computeTotalDiff()).isZero();
            });

    ConsumerConnection connection = admin.examineConsumerConnectionInfo("cg-stats");
    assertThat(connection.getConnectionSet()).hasSize(1);
    Connection member = connection.getConnectionSet().iterator().next();
    assertThat(member.getClientAddr()).startsWith("127.0.0.1:");
    assertThat(member.getVersion()).isPositive();
    assertThat(connection.getSubscriptionTable()).containsKey("Stats");
    assertThat(connection.getMessageModel()).isEqualTo(MessageModel.CLUSTERING);
    assertThat(connection.getConsumeType()).isEqualTo(ConsumeType.CONSUME_PASSIVELY);
    assertThat(admin.queryTopicConsumeByWho("Stats").getGroupList()).contains("cg-stats");
    ConsumerRunningInfo running =
        admin.getConsumerRunningInfo("cg-stats", member.getClientId(), false);
    assertThat(running.getSubscriptionSet())
        .anySatisfy(s -> assertThat(s.getTopic()).isEqualTo("Stats"));

    String progress = mqadmin("consumerProgress", "-n", ns, "-g", "cg-stats");
    assertThat(progress).contains("Stats").contains("Consume Diff Total: 0");
    assertThat(mqadmin("consumerProgress", "-n", ns)).contains("cg-stats");

    consumer.shutdown();
    for (int i = 8; i < 11; i++) {
      producer.send(new Message("Stats", "T", ("m" + i).getBytes(StandardCharsets.UTF_8)));
    }
    ConsumeStats behind = admin.examineConsumeStats("cg-stats");
    assertThat(behind.computeTotalDiff()).isEqualTo(3);
    assertThat(mqadmin("consumerProgress", "-n", ns, "-g", "cg-stats"))
        .contains("Consume Diff Total: 3");

    TopicStatsTable topicStats = admin.examineTopicStats("Stats");
    assertThat(topicStats.getOffsetTable()).hasSize(4);
    long max = 0;
    for (TopicOffset o : topicStats.getOffsetTable().values()) {
      max += o.getMaxOffset();
      if (o.getMaxOffset() > 0) {
        assertThat(o.getLastUpdateTimestamp()).isPositive();
      }
    }
    assertThat(max).isEqualTo(11);
    assertThat(mqadmin("topicStatus", "-n", ns, "-t", "Stats"))
        .contains("broker-a")
        .contains("#Max Offset");

    ClusterInfo clusterInfo = admin.examineBrokerClusterInfo();
    assertThat(clusterInfo.getClusterAddrTable().get("DefaultCluster")).contains("broker-a");
    assertThat(clusterInfo.getBrokerAddrTable().get("broker-a").getBrokerAddrs())
        .containsEntry(MixAll.MASTER_ID, broker.address());
    Map<String, String> runtime = admin.fetchBrokerRuntimeStats(broker.address()).getTable();
    assertThat(Long.parseLong(runtime.get("msgPutTotalTodayNow"))).isGreaterThanOrEqualTo(11);
    assertThat(runtime).containsKeys("brokerVersionDesc", "putTps", "getTransferredTps");
    assertThat(admin.getBrokerConfig(broker.address()).getProperty("brokerName"))
        .isEqualTo("broker-a");
    assertThat(mqadmin("clusterList", "-n", ns)).contains("DefaultCluster").contains("broker-a");
    assertThat(mqadmin("brokerStatus", "-n", ns, "-b", broker.address()))
        .contains("msgPutTotalTodayNow");

    SendResult third = sent.get(3);
    MessageExt byOffsetId = admin.viewMessage("Stats", third.getOffsetMsgId());
    assertThat(new String(byOffsetId.getBody(), StandardCharsets.UTF_8)).isEqualTo("m3");
    MessageExt byUniqueId = admin.viewMessage("Stats", third.getMsgId());
    assertThat(byUniqueId.getKeys()).isEqualTo("k3");
    assertThat(admin.queryMessage("Stats", "k5", 32, 0, Long.MAX_VALUE).getMessageList())
        .singleElement()
        .satisfies(
            m -> assertThat(new String(m.getBody(), StandardCharsets.UTF_8)).isEqualTo("m5"));

    String updated =
        mqadmin("updateSubGroup", "-n", ns, "-b", broker.address(), "-g", "cg-cli", "-r", "3");
    assertThat(updated).contains("create subscription group to " + broker.address() + " success");
    assertThat(admin.examineSubscriptionGroupConfig(broker.address(), "cg-cli").getRetryMaxTimes())
        .isEqualTo(3);
  }

  private static int queuesOf(ConsumeStats stats, String topic) {
    return (int)
        stats.getOffsetTable().keySet().stream().filter(q -> q.getTopic().equals(topic)).count();
  }

  private static long sum(
      ConsumeStats stats, String topic, java.util.function.ToLongFunction<OffsetWrapper> f) {
    return stats.getOffsetTable().entrySet().stream()
        .filter(e -> e.getKey().getTopic().equals(topic))
        .mapToLong(e -> f.applyAsLong(e.getValue()))
        .sum();
  }

  /** Runs an mqadmin command in this JVM and returns what it printed. */
  @Test
  void updateBrokerConfigChangesRuntimeKeysAllOrNothing() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    Broker broker = cluster.startBroker("broker-a");
    String ns = cluster.namesrvAddr();
    DefaultMQAdminExt admin = clients.admin(ns);
    DefaultMQProducer producer = clients.producer(ns);
    producer.setRetryTimesWhenSendFailed(0);
    producer.send(new Message("Made", "T", "m".getBytes(StandardCharsets.UTF_8)));

    // mqadmin turns auto-creation off: the next unknown topic is refused at once.
    assertThat(
            mqadmin(
                "updateBrokerConfig",
                "-n",
                ns,
                "-b",
                broker.address(),
                "-k",
                "autoCreateTopicEnable",
                "-v",
                "false"))
        .contains("update broker config success");
    assertThat(admin.getBrokerConfig(broker.address()).getProperty("autoCreateTopicEnable"))
        .isEqualTo("false");
    assertThatThrownBy(
            () -> producer.send(new Message("NotMade", "T", "m".getBytes(StandardCharsets.UTF_8))))
        .hasStackTraceContaining("topic[NotMade] not exist");

    // The admin API turns it back on, together with another key.
    Properties on = new Properties();
    on.setProperty("autoCreateTopicEnable", "true");
    on.setProperty("maxPullBatchSize", "16");
    admin.updateBrokerConfig(broker.address(), on);
    assertThat(producer.send(new Message("NowMade", "T", "m".getBytes(StandardCharsets.UTF_8))))
        .extracting(SendResult::getSendStatus)
        .isEqualTo(SendStatus.SEND_OK);
    assertThat(admin.getBrokerConfig(broker.address()).getProperty("maxPullBatchSize"))
        .isEqualTo("16");

    // A key read only at startup is refused with the keys that can change.
    Properties fixed = new Properties();
    fixed.setProperty("brokerName", "broker-z");
    assertThatThrownBy(() -> admin.updateBrokerConfig(broker.address(), fixed))
        .isInstanceOfSatisfying(
            MQBrokerException.class,
            e -> {
              assertThat(e.getResponseCode()).isEqualTo(16);
              assertThat(e.getErrorMessage())
                  .contains("cannot change brokerName")
                  .contains("pullHotTailEntries");
            });
    // One bad value: nothing changes, not even the good key beside it.
    Properties bad = new Properties();
    bad.setProperty("longPollingEnable", "false");
    bad.setProperty("maxPullBatchSize", "0");
    assertThatThrownBy(() -> admin.updateBrokerConfig(broker.address(), bad))
        .isInstanceOfSatisfying(
            MQBrokerException.class,
            e -> assertThat(e.getErrorMessage()).contains("maxPullBatchSize must be >= 1"));
    Properties after = admin.getBrokerConfig(broker.address());
    assertThat(after.getProperty("longPollingEnable")).isEqualTo("true");
    assertThat(after.getProperty("maxPullBatchSize")).isEqualTo("16");
    assertThat(after.getProperty("brokerName")).isEqualTo("broker-a");
  }

  static synchronized String mqadmin(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      MQAdminStartup.main0(args, NO_HOOK);
    } finally {
      System.setOut(old);
      System.clearProperty(MixAll.NAMESRV_ADDR_PROPERTY);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static final RPCHook NO_HOOK =
      new RPCHook() {
        @Override
        public void doBeforeRequest(String remoteAddr, RemotingCommand request) {}

        @Override
        public void doAfterResponse(
            String remoteAddr, RemotingCommand request, RemotingCommand response) {}
      };
}
