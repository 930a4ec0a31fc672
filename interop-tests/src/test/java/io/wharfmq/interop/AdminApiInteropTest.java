package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharfmq.broker.Broker;
import io.wharfmq.remoting.protocol.RemotingJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.LanguageCode;
import org.apache.rocketmq.remoting.protocol.admin.ConsumeStats;
import org.apache.rocketmq.remoting.protocol.admin.OffsetWrapper;
import org.apache.rocketmq.remoting.protocol.admin.TopicOffset;
import org.apache.rocketmq.remoting.protocol.admin.TopicStatsTable;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.body.Connection;
import org.apache.rocketmq.remoting.protocol.body.ConsumerConnection;
import org.apache.rocketmq.remoting.protocol.body.ConsumerRunningInfo;
import org.apache.rocketmq.remoting.protocol.body.ProducerConnection;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache RocketMQ's DefaultMQAdminExt against a Wharf cluster of two brokers in one cluster name:
 * every call operators' tools use, with the values that matter checked.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AdminApiInteropTest {
  private static final String CLUSTER = "DefaultCluster";

  @TempDir Path dir;
  final OfficialClients clients = new OfficialClients();

  @AfterEach
  void stop() {
    clients.close();
  }

  private record TwoBrokers(WharfCluster cluster, Broker a, Broker b, DefaultMQAdminExt admin) {
    String ns() {
      return cluster.namesrvAddr();
    }
  }

  private TwoBrokers twoBrokers() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    Broker a = cluster.startBroker("broker-a");
    Broker b = cluster.startBroker("broker-b");
    return new TwoBrokers(cluster, a, b, clients.admin(cluster.namesrvAddr()));
  }

  @Test
  void createTopicByClusterCreatesItOnEveryMasterAndTopicStatsSeeIt() throws Exception {
    TwoBrokers c = twoBrokers();
    DefaultMQAdminExt admin = c.admin();

    // The cluster-name and broker-name topics are routed like Apache RocketMQ's.
    TopicRouteData clusterRoute = admin.examineTopicRouteInfo(CLUSTER);
    assertThat(clusterRoute.getBrokerDatas())
        .extracting(BrokerData::getBrokerName)
        .containsExactlyInAnyOrder("broker-a", "broker-b");
    assertThat(clusterRoute.getQueueDatas())
        .allSatisfy(
            q -> {
              assertThat(q.getPerm()).isEqualTo(7);
              assertThat(q.getWriteQueueNums()).isEqualTo(16);
            });
    TopicRouteData brokerRoute = admin.examineTopicRouteInfo("broker-b");
    assertThat(brokerRoute.getBrokerDatas())
        .singleElement()
        .satisfies(bd -> assertThat(bd.getBrokerName()).isEqualTo("broker-b"));
    assertThat(brokerRoute.getQueueDatas().get(0).getWriteQueueNums()).isEqualTo(1);

    admin.createTopic(CLUSTER, "Orders", 6, new HashMap<>());

    TopicRouteData route = admin.examineTopicRouteInfo("Orders");
    assertThat(route.getQueueDatas())
        .extracting(QueueData::getBrokerName)
        .containsExactlyInAnyOrder("broker-a", "broker-b");
    assertThat(route.getQueueDatas())
        .allSatisfy(
            q -> {
              assertThat(q.getReadQueueNums()).isEqualTo(6);
              assertThat(q.getWriteQueueNums()).isEqualTo(6);
              assertThat(q.getPerm()).isEqualTo(6);
            });
    for (Broker broker : List.of(c.a(), c.b())) {
      TopicConfig onBroker = admin.examineTopicConfig(broker.address(), "Orders");
      assertThat(onBroker.getWriteQueueNums()).isEqualTo(6);
    }

    DefaultMQProducer producer = clients.producer(c.ns());
    for (int i = 0; i < 24; i++) {
      producer.send(new Message("Orders", "T", ("o" + i).getBytes(StandardCharsets.UTF_8)));
    }
    Awaitility.await("24 messages in the topic stats of both brokers")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              TopicStatsTable stats = admin.examineTopicStats("Orders");
              assertThat(stats.getOffsetTable()).hasSize(12);
              assertThat(stats.getOffsetTable().keySet())
                  .extracting(MessageQueue::getBrokerName)
                  .containsOnly("broker-a", "broker-b");
              long total = 0;
              for (TopicOffset o : stats.getOffsetTable().values()) {
                total += o.getMaxOffset() - o.getMinOffset();
              }
              assertThat(total).as(stats.getOffsetTable().toString()).isEqualTo(24);
            });

    // System topics cannot be created over or deleted, as in RocketMQ.
    assertThatThrownBy(
            () ->
                admin.createAndUpdateTopicConfig(
                    c.a().address(), new TopicConfig(CLUSTER, 4, 4, 6)))
        .isInstanceOfSatisfying(
            MQClientException.class,
            e -> {
              assertThat(e.getResponseCode()).isEqualTo(1);
              assertThat(e.getErrorMessage())
                  .isEqualTo("The topic[" + CLUSTER + "] is conflict with system topic.");
            });
    assertThat(admin.fetchAllTopicList().getTopicList())
        .contains(
            CLUSTER,
            "broker-a",
            "broker-b",
            "TBW102",
            "SELF_TEST_TOPIC",
            "OFFSET_MOVED_EVENT",
            "SCHEDULE_TOPIC_XXXX",
            "RMQ_SYS_TRANS_HALF_TOPIC",
            "RMQ_SYS_TRANS_OP_HALF_TOPIC",
            "Orders")
        .doesNotContain("RMQ_SYS_TRACE_TOPIC");
    assertThat(admin.fetchTopicsByCLuster(CLUSTER).getTopicList())
        .contains("Orders", CLUSTER, "broker-a", "broker-b");
    assertThat(admin.fetchTopicsByCLuster("NoSuchCluster").getTopicList()).isEmpty();
    assertThat(admin.getTopicClusterList("Orders")).containsExactly(CLUSTER);
    // Wharf's system topics are those the broker names as such.
    assertThat(admin.getUserTopicConfig(c.a().address(), false, 5000).getTopicConfigTable())
        .containsKey("Orders")
        .doesNotContainKeys(CLUSTER, "broker-a", "TBW102", "SCHEDULE_TOPIC_XXXX");
  }

  @Test
  void topicAttributesAreKeptAndWhatWharfCannotDoIsRefused() throws Exception {
    TwoBrokers c = twoBrokers();
    DefaultMQAdminExt admin = c.admin();
    Map<String, String> fifo = new HashMap<>();
    fifo.put("+message.type", "FIFO");
    admin.createTopic(CLUSTER, "Fifo", 2, fifo);
    for (Broker broker : List.of(c.a(), c.b())) {
      assertThat(admin.examineTopicConfig(broker.address(), "Fifo").getAttributes())
          .containsExactly(Map.entry("message.type", "FIFO"));
    }
    // Changed later, as RocketMQ: +key alters, -key removes.
    TopicConfig normal = new TopicConfig("Fifo", 2, 2, 6);
    normal.setAttributes(Map.of("+message.type", "NORMAL", "+reserve.time", "24"));
    admin.createAndUpdateTopicConfig(c.a().address(), normal);
    assertThat(admin.examineTopicConfig(c.a().address(), "Fifo").getAttributes())
        .containsEntry("message.type", "NORMAL")
        .containsEntry("reserve.time", "24");

    TopicConfig compacted = new TopicConfig("Compacted", 2, 2, 6);
    compacted.setAttributes(Map.of("+cleanup.policy", "COMPACTION"));
    assertThatThrownBy(() -> admin.createAndUpdateTopicConfig(c.a().address(), compacted))
        .isInstanceOfSatisfying(
            MQClientException.class,
            e ->
                assertThat(e.getErrorMessage())
                    .contains("cleanup.policy COMPACTION is not supported by Wharf"));
    TopicConfig unknown = new TopicConfig("Unknown", 2, 2, 6);
    unknown.setAttributes(Map.of("+no.such.key", "1"));
    assertThatThrownBy(() -> admin.createAndUpdateTopicConfig(c.a().address(), unknown))
        .isInstanceOfSatisfying(
            MQClientException.class,
            e -> assertThat(e.getErrorMessage()).contains("unsupported key: no.such.key"));
    assertThat(admin.fetchAllTopicList().getTopicList()).doesNotContain("Compacted", "Unknown");
  }

  @Test
  void deleteTopicRemovesItFromBrokersAndNameServerWithItsOffsetsAndQueues() throws Exception {
    TwoBrokers c = twoBrokers();
    DefaultMQAdminExt admin = c.admin();
    admin.createTopic(CLUSTER, "Doomed", 2, new HashMap<>());
    admin.createTopic(CLUSTER, "Partly", 2, new HashMap<>());
    DefaultMQProducer producer = clients.producer(c.ns());
    for (int i = 0; i < 8; i++) {
      producer.send(new Message("Doomed", "T", ("d" + i).getBytes(StandardCharsets.UTF_8)));
    }
    DefaultLitePullConsumer reader = clients.litePull(c.ns(), "cg-doomed");
    reader.subscribe("Doomed", "*");
    OfficialClients.pollBodies(reader, 8);
    reader.commit();
    Awaitility.await("offsets committed on both brokers")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(admin.examineConsumeStats("cg-doomed", "Doomed").computeTotalDiff())
                    .isZero());
    reader.shutdown();
    Path queues = c.a().config().store().storePathRootDir().resolve("consumequeue");
    assertThat(queues.resolve("Doomed")).isDirectory();

    admin.deleteTopic("Doomed", CLUSTER);

    Awaitility.await("route gone")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> admin.examineTopicRouteInfo("Doomed"))
                    .isInstanceOfSatisfying(
                        MQClientException.class,
                        e -> assertThat(e.getResponseCode()).isEqualTo(17)));
    assertThat(admin.fetchAllTopicList().getTopicList()).doesNotContain("Doomed");
    for (Broker broker : List.of(c.a(), c.b())) {
      assertThatThrownBy(() -> admin.examineTopicConfig(broker.address(), "Doomed"))
          .isInstanceOfSatisfying(
              MQBrokerException.class, e -> assertThat(e.getResponseCode()).isEqualTo(17));
    }
    assertThat(queues.resolve("Doomed")).doesNotExist();
    // Created again, the topic has no committed offsets left; its queues continue their offsets
    // with nothing readable below them.
    admin.createTopic(CLUSTER, "Doomed", 2, new HashMap<>());
    ConsumeStats after = admin.examineConsumeStats("cg-doomed", "Doomed");
    assertThat(after.getOffsetTable()).hasSize(4);
    assertThat(after.getOffsetTable().values())
        .allSatisfy(o -> assertThat(o.getConsumerOffset()).isZero());
    assertThat(
            after.getOffsetTable().values().stream()
                .mapToLong(OffsetWrapper::getBrokerOffset)
                .sum())
        .isEqualTo(8);
    for (TopicOffset o : admin.examineTopicStats("Doomed").getOffsetTable().values()) {
      assertThat(o.getMinOffset()).isEqualTo(o.getMaxOffset());
    }

    // The two halves on their own: the broker first, then the name server (a broker that still
    // had the topic would register it again).
    admin.deleteTopicInBroker(Set.of(c.b().address()), "Partly");
    admin.deleteTopicInNameServer(Set.of(c.ns()), CLUSTER, "Partly");
    Awaitility.await("route of Partly only on broker-a")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              c.a().registerNow();
              assertThat(admin.examineTopicRouteInfo("Partly").getBrokerDatas())
                  .extracting(BrokerData::getBrokerName)
                  .containsExactly("broker-a");
            });
    // A system topic is refused with RocketMQ's words.
    assertThatThrownBy(() -> admin.deleteTopicInBroker(Set.of(c.a().address()), "TBW102"))
        .hasMessageContaining("The topic[TBW102] is conflict with system topic.");

    // deleteTopic also clears the order configuration in the name server's KV table.
    admin.createAndUpdateKvConfig("ORDER_TOPIC_CONFIG", "Partly", "broker-a:2");
    assertThat(admin.getKVConfig("ORDER_TOPIC_CONFIG", "Partly")).isEqualTo("broker-a:2");
    assertThat(admin.getKVListByNamespace("ORDER_TOPIC_CONFIG").getTable())
        .containsEntry("Partly", "broker-a:2");
    admin.deleteTopic("Partly", CLUSTER);
    assertThatThrownBy(() -> admin.getKVConfig("ORDER_TOPIC_CONFIG", "Partly"))
        .isInstanceOfSatisfying(
            MQClientException.class, e -> assertThat(e.getResponseCode()).isEqualTo(22));
  }

  @Test
  void clusterBrokerInfoAndBrokerConfigOfEveryBroker() throws Exception {
    TwoBrokers c = twoBrokers();
    DefaultMQAdminExt admin = c.admin();
    ClusterInfo info = admin.examineBrokerClusterInfo();
    assertThat(info.getClusterAddrTable().get(CLUSTER))
        .containsExactlyInAnyOrder("broker-a", "broker-b");
    assertThat(info.getBrokerAddrTable().get("broker-a").getBrokerAddrs())
        .containsExactly(Map.entry(MixAll.MASTER_ID, c.a().address()));
    assertThat(info.getBrokerAddrTable().get("broker-b").getBrokerAddrs())
        .containsExactly(Map.entry(MixAll.MASTER_ID, c.b().address()));

    admin.createTopic(CLUSTER, "Counted", 4, new HashMap<>());
    DefaultMQProducer producer = clients.producer(c.ns());
    int onA = 0;
    for (int i = 0; i < 10; i++) {
      SendResult r =
          producer.send(new Message("Counted", "T", ("c" + i).getBytes(StandardCharsets.UTF_8)));
      if (r.getMessageQueue().getBrokerName().equals("broker-a")) {
        onA++;
      }
    }
    Map<String, String> runtimeA = admin.fetchBrokerRuntimeStats(c.a().address()).getTable();
    assertThat(runtimeA.get("brokerName")).isEqualTo("broker-a");
    assertThat(runtimeA.get("brokerClusterName")).isEqualTo(CLUSTER);
    assertThat(Long.parseLong(runtimeA.get("msgPutTotalTodayNow"))).isEqualTo(onA);
    assertThat(admin.fetchBrokerRuntimeStats(c.b().address()).getTable().get("brokerName"))
        .isEqualTo("broker-b");

    Properties config = admin.getBrokerConfig(c.b().address());
    assertThat(config.getProperty("brokerName")).isEqualTo("broker-b");
    assertThat(config.getProperty("brokerClusterName")).isEqualTo(CLUSTER);
    assertThat(config.getProperty("clusterTopicEnable")).isEqualTo("true");
    assertThat(config.getProperty("brokerTopicEnable")).isEqualTo("true");
    Properties change = new Properties();
    change.setProperty("maxPullBatchSize", "7");
    admin.updateBrokerConfig(c.b().address(), change);
    assertThat(admin.getBrokerConfig(c.b().address()).getProperty("maxPullBatchSize"))
        .isEqualTo("7");
    assertThat(admin.getBrokerConfig(c.a().address()).getProperty("maxPullBatchSize"))
        .isEqualTo("32");
  }

  @Test
  void groupsProgressAndConnectionsOfLiveClients() throws Exception {
    TwoBrokers c = twoBrokers();
    DefaultMQAdminExt admin = c.admin();
    admin.createTopic(CLUSTER, "Work", 2, new HashMap<>());
    for (Broker broker : List.of(c.a(), c.b())) {
      SubscriptionGroupConfig group = new SubscriptionGroupConfig();
      group.setGroupName("cg-work");
      group.setRetryMaxTimes(5);
      admin.createAndUpdateSubscriptionGroupConfig(broker.address(), group);
    }
    assertThat(admin.examineSubscriptionGroupConfig(c.b().address(), "cg-work").getRetryMaxTimes())
        .isEqualTo(5);
    assertThat(admin.getAllSubscriptionGroup(c.a().address(), 5000).getSubscriptionGroupTable())
        .containsKey("cg-work")
        .containsKey("TOOLS_CONSUMER");

    DefaultMQProducer producer = new DefaultMQProducer("pg-work");
    producer.setNamesrvAddr(c.ns());
    producer.setInstanceName(OfficialClients.unique("producer"));
    producer.setHeartbeatBrokerInterval(500);
    producer.start();
    clients.track(producer::shutdown);
    for (int i = 0; i < 20; i++) {
      producer.send(new Message("Work", "T", ("w" + i).getBytes(StandardCharsets.UTF_8)));
    }
    Set<String> seen = ConcurrentHashMap.newKeySet();
    DefaultMQPushConsumer consumer =
        clients.pushConsumer(
            c.ns(),
            "cg-work",
            "Work",
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            (msgs, ctx) -> {
              msgs.forEach(m -> seen.add(new String(m.getBody(), StandardCharsets.UTF_8)));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    consumer.setPersistConsumerOffsetInterval(500);
    clients.start(consumer);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 20);

    // Consumer progress across both brokers after real consumption.
    Awaitility.await("offsets of both brokers committed")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ConsumeStats stats = admin.examineConsumeStats("cg-work");
              Map<String, Long> consumedPerBroker = new HashMap<>();
              long broker = 0;
              for (Map.Entry<MessageQueue, OffsetWrapper> e : stats.getOffsetTable().entrySet()) {
                if (e.getKey().getTopic().equals("Work")) {
                  consumedPerBroker.merge(
                      e.getKey().getBrokerName(), e.getValue().getConsumerOffset(), Long::sum);
                  broker += e.getValue().getBrokerOffset();
                }
              }
              assertThat(consumedPerBroker).containsOnlyKeys("broker-a", "broker-b");
              assertThat(consumedPerBroker.values().stream().mapToLong(Long::longValue).sum())
                  .isEqualTo(20);
              assertThat(broker).isEqualTo(20);
              assertThat(stats.computeTotalDiff()).isZero();
            });

    ConsumerConnection connection = admin.examineConsumerConnectionInfo("cg-work");
    Connection member = connection.getConnectionSet().iterator().next();
    assertThat(connection.getConnectionSet()).hasSize(1);
    assertThat(member.getClientId()).contains(consumer.getInstanceName());
    assertThat(connection.getSubscriptionTable()).containsKey("Work");
    for (Broker broker : List.of(c.a(), c.b())) {
      assertThat(admin.examineConsumerConnectionInfo("cg-work", broker.address()))
          .satisfies(cc -> assertThat(cc.getConnectionSet()).hasSize(1));
    }
    ConsumerRunningInfo running =
        admin.getConsumerRunningInfo("cg-work", member.getClientId(), false);
    assertThat(running.getMqTable().keySet())
        .extracting(MessageQueue::getBrokerName)
        .contains("broker-a", "broker-b");

    Awaitility.await("producer heartbeat reached the brokers")
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ProducerConnection producers = admin.examineProducerConnectionInfo("pg-work", "Work");
              assertThat(producers.getConnectionSet())
                  .singleElement()
                  .satisfies(
                      p -> {
                        assertThat(p.getClientId()).contains(producer.getInstanceName());
                        assertThat(p.getClientAddr()).startsWith("127.0.0.1:");
                        assertThat(p.getLanguage()).isEqualTo(LanguageCode.JAVA);
                        assertThat(p.getVersion()).isPositive();
                      });
            });
    assertThatThrownBy(() -> admin.examineProducerConnectionInfo("pg-nobody", "Work"))
        .isInstanceOf(Exception.class)
        .hasMessageContaining("pg-nobody");

    // Deleting the group on every broker, once the consumer is gone: a pull it left held on a
    // broker would recreate the group with defaults when it is answered
    // (autoCreateSubscriptionGroup).
    consumer.shutdown();
    Awaitility.await("no pull of the stopped consumer held")
        .atMost(Duration.ofSeconds(30))
        .until(() -> c.a().heldPullCount() == 0 && c.b().heldPullCount() == 0);
    for (Broker broker : List.of(c.a(), c.b())) {
      admin.deleteSubscriptionGroup(broker.address(), "cg-work", true);
      assertThat(admin.examineSubscriptionGroupConfig(broker.address(), "cg-work")).isNull();
    }
  }

  @Test
  void cleanUnusedTopicAndExpiredQueuesDeleteOnlyWhatNoTopicNeeds() throws Exception {
    TwoBrokers c = twoBrokers();
    DefaultMQAdminExt admin = c.admin();
    admin.createTopic(CLUSTER, "Live", 2, new HashMap<>());
    admin.createTopic(CLUSTER, "Forgotten", 2, new HashMap<>());
    DefaultMQProducer producer = clients.producer(c.ns());
    for (int i = 0; i < 8; i++) {
      producer.send(new Message("Live", "T", ("l" + i).getBytes(StandardCharsets.UTF_8)));
      producer.send(new Message("Forgotten", "T", ("f" + i).getBytes(StandardCharsets.UTF_8)));
    }
    // Broker a restarts with a topics.json that no longer names "Forgotten" (as after an operator
    // edit, or a topic table copied from elsewhere): its consume queues are left without a topic.
    Path root = c.a().config().store().storePathRootDir();
    c.a().close();
    Path topicsJson = root.resolve("config").resolve("topics.json");
    ObjectNode topics = (ObjectNode) RemotingJson.mapper().readTree(topicsJson.toFile());
    ((ObjectNode) topics.get("topicConfigTable")).remove("Forgotten");
    RemotingJson.mapper().writeValue(topicsJson.toFile(), topics);
    Broker a = c.cluster().startBroker(c.cluster().brokerConfig("broker-a"));
    Path queues = root.resolve("consumequeue");
    assertThat(queues.resolve("Forgotten")).isDirectory();

    assertThat(admin.cleanExpiredConsumerQueue(CLUSTER)).isTrue();
    // Nothing has expired: every queue with messages in the commit log stays.
    assertThat(queues.resolve("Forgotten")).isDirectory();
    assertThat(queues.resolve("Live")).isDirectory();

    assertThat(admin.cleanUnusedTopic(CLUSTER)).isTrue();
    assertThat(queues.resolve("Forgotten")).doesNotExist();
    assertThat(queues.resolve("Live")).isDirectory();
    // Broker b still has both.
    Path queuesB = c.b().config().store().storePathRootDir().resolve("consumequeue");
    assertThat(queuesB.resolve("Forgotten")).isDirectory();
    Awaitility.await("Live still counted on both brokers")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              long total = 0;
              for (TopicOffset o : admin.examineTopicStats("Live").getOffsetTable().values()) {
                total += o.getMaxOffset();
              }
              assertThat(total).isEqualTo(8);
            });
    assertThat(a.store().maxOffset("Live", 0) + a.store().maxOffset("Live", 1)).isPositive();
  }

  @Test
  void callsThatDoNotApplyToWharfAnswerAtOnceWithTheRequestCode() throws Exception {
    TwoBrokers c = twoBrokers();
    DefaultMQAdminExt admin = c.admin();
    long start = System.nanoTime();
    assertThatThrownBy(() -> admin.getBrokerHAStatus(c.a().address()))
        .isInstanceOfSatisfying(
            MQBrokerException.class,
            e -> {
              assertThat(e.getResponseCode()).isEqualTo(3);
              assertThat(e.getErrorMessage()).contains("request type 907 not supported");
            });
    assertThatThrownBy(() -> admin.getBrokerEpochCache(c.a().address()))
        .isInstanceOfSatisfying(
            MQBrokerException.class, e -> assertThat(e.getResponseCode()).isEqualTo(3));
    // ACL 2.0's listAcl and friends are served (AclAdminToolInteropTest).
    assertThatThrownBy(() -> admin.wipeWritePermOfBroker(c.ns(), "broker-a"))
        .satisfies(e -> assertThat(e.toString()).contains("not supported"));
    // Each answered at once, far inside the 5 s admin timeout.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
  }
}
