package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Brokers that restart or die under the official RocketMQ client. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BrokerFailureInteropTest {
  @TempDir Path dir;
  final OfficialClients clients = new OfficialClients();

  @AfterEach
  void stop() {
    clients.close();
  }

  DefaultMQProducer producer(String namesrv) throws Exception {
    return clients.producer(namesrv);
  }

  @Test
  void brokerRestartMidStreamLosesNothingAcknowledgedAndConsumptionResumes() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    int port = BrokerProcess.freePort();
    BrokerConfig config = cluster.brokerConfig("broker-a").listenPort(port);
    Broker broker = cluster.startBroker(config);
    DefaultMQProducer producer = producer(cluster.namesrvAddr());

    Set<String> acked = ConcurrentHashMap.newKeySet();
    Set<String> consumed = ConcurrentHashMap.newKeySet();
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("cg-restart");
    consumer.setNamesrvAddr(cluster.namesrvAddr());
    consumer.setInstanceName(OfficialClients.unique("c"));
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe("Restart", "*");
    consumer.registerMessageListener(
        (org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently)
            (msgs, ctx) -> {
              msgs.forEach(m -> consumed.add(new String(m.getBody(), StandardCharsets.UTF_8)));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    consumer.start();
    clients.track(consumer::shutdown);

    for (int i = 0; i < 200; i++) {
      send(producer, "before-" + i, acked);
    }
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> consumed.containsAll(acked));
    int consumedBeforeRestart = consumed.size();

    broker.close();
    cluster.brokers.remove(broker);
    cluster.startBroker(config); // same data directory, same port
    for (int i = 0; i < 200; i++) {
      send(producer, "after-" + i, acked);
    }
    assertThat(acked).hasSizeGreaterThanOrEqualTo(380);
    Awaitility.await("every acknowledged message consumed after the restart")
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(() -> assertThat(consumed).containsAll(acked));
    assertThat(consumedBeforeRestart).isGreaterThanOrEqualTo(200);
  }

  private static void send(DefaultMQProducer producer, String body, Set<String> acked) {
    try {
      SendResult r =
          producer.send(new Message("Restart", "T", body.getBytes(StandardCharsets.UTF_8)));
      if (r.getSendStatus() == SendStatus.SEND_OK) {
        acked.add(body);
      }
    } catch (Exception e) {
      // Not acknowledged: the producer may lose it; the test only holds acknowledged ones.
    }
  }

  @Test
  void whenOneOfTwoBrokersIsKilledProducersContinueAndTheNameServerDropsIt() throws Exception {
    WharfCluster cluster = new WharfCluster(dir.resolve("a"));
    clients.closeLast(cluster);
    cluster.startBroker("broker-a");
    BrokerProcess b =
        BrokerProcess.start(
            "broker-b",
            dir.resolve("b"),
            cluster.namesrvAddr(),
            BrokerProcess.freePort(),
            dir.resolve("broker-b.log"));
    clients.closeLast(b);
    DefaultMQAdminExt admin = new DefaultMQAdminExt();
    admin.setNamesrvAddr(cluster.namesrvAddr());
    admin.setInstanceName(OfficialClients.unique("admin"));
    admin.start();
    clients.track(admin::shutdown);
    Awaitility.await("broker-b registered")
        .atMost(Duration.ofSeconds(60))
        .until(() -> admin.examineBrokerClusterInfo().getBrokerAddrTable().containsKey("broker-b"));

    DefaultMQProducer producer = producer(cluster.namesrvAddr());
    Set<String> brokersUsed = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 40; i++) {
      brokersUsed.add(
          producer
              .send(new Message("Spread", "T", ("s" + i).getBytes(StandardCharsets.UTF_8)))
              .getMessageQueue()
              .getBrokerName());
    }
    assertThat(brokersUsed).containsExactlyInAnyOrder("broker-a", "broker-b");

    b.kill();
    Awaitility.await("name server drops the killed broker")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> !admin.examineBrokerClusterInfo().getBrokerAddrTable().containsKey("broker-b"));
    TopicRouteData route = admin.examineTopicRouteInfo("Spread");
    assertThat(route.getBrokerDatas()).allMatch(d -> d.getBrokerName().equals("broker-a"));

    AtomicBoolean allOk = new AtomicBoolean(true);
    for (int i = 0; i < 40; i++) {
      SendResult r =
          producer.send(new Message("Spread", "T", ("after" + i).getBytes(StandardCharsets.UTF_8)));
      allOk.compareAndSet(true, r.getSendStatus() == SendStatus.SEND_OK);
      assertThat(r.getMessageQueue().getBrokerName()).isEqualTo("broker-a");
    }
    assertThat(allOk).isTrue();
  }
}
