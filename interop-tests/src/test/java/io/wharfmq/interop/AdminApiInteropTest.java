package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.broker.Broker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.admin.TopicOffset;
import org.apache.rocketmq.remoting.protocol.admin.TopicStatsTable;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
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
  }
}
