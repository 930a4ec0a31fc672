package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** RECONSUME_LATER, dead letters and delay levels with the official RocketMQ client. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RetryAndDelayInteropTest {
  @TempDir Path dir;
  WharfCluster cluster;
  final OfficialClients clients = new OfficialClients();

  @BeforeEach
  void start() throws Exception {
    cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    // Short levels so retries (level 3 + n) come back in a test's time.
    cluster.startBroker(
        cluster.brokerConfig("broker-a").messageDelayLevel("100ms 200ms 300ms 400ms 500ms 600ms"));
  }

  @AfterEach
  void stop() {
    clients.close();
  }

  @Test
  void reconsumeLaterRedeliversThroughTheRetryTopicThenDeadLetters() throws Exception {
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    Map<String, Integer> lastReconsumeTimes = new ConcurrentHashMap<>();
    DefaultMQPushConsumer consumer =
        clients.pushConsumer(
            cluster.namesrvAddr(),
            "cg-retry",
            "Jobs",
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            (msgs, ctx) -> {
              MessageExt m = msgs.get(0);
              String body = new String(m.getBody(), StandardCharsets.UTF_8);
              int n = attempts.computeIfAbsent(body, k -> new AtomicInteger()).incrementAndGet();
              lastReconsumeTimes.put(body, m.getReconsumeTimes());
              assertThat(m.getTopic()).isEqualTo("Jobs"); // the client restores RETRY_TOPIC
              if (body.startsWith("flaky") && n < 2) {
                return ConsumeConcurrentlyStatus.RECONSUME_LATER;
              }
              return body.startsWith("poison")
                  ? ConsumeConcurrentlyStatus.RECONSUME_LATER
                  : ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    consumer.setMaxReconsumeTimes(2);
    consumer.setConsumeMessageBatchMaxSize(1);
    // Produce first: the client only learns routes of topics created after its start at its 30 s
    // route refresh (as with RocketMQ).
    producer.send(new Message("Jobs", "T", "ok".getBytes(StandardCharsets.UTF_8)));
    producer.send(new Message("Jobs", "T", "flaky".getBytes(StandardCharsets.UTF_8)));
    producer.send(new Message("Jobs", "T", "poison".getBytes(StandardCharsets.UTF_8)));
    clients.start(consumer);

    Awaitility.await("flaky succeeds on its second delivery; poison tried 3 times")
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(attempts.get("flaky")).hasValue(2);
              assertThat(attempts.get("poison")).hasValue(3);
            });
    assertThat(attempts.get("ok")).hasValue(1);
    assertThat(lastReconsumeTimes.get("flaky")).isEqualTo(1);

    DefaultLitePullConsumer dlq = clients.litePull(cluster.namesrvAddr(), "cg-dlq-reader");
    MessageQueue q = new MessageQueue("%DLQ%cg-retry", "broker-a", 0);
    Awaitility.await("poison in the DLQ")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              try {
                return dlq.fetchMessageQueues("%DLQ%cg-retry").contains(q);
              } catch (Exception e) {
                return false;
              }
            });
    dlq.assign(List.of(q));
    OfficialClients.seekUntilRun(dlq, q, 0, List.of("poison"));
    assertThat(attempts.get("poison")).hasValue(3); // never delivered again from the DLQ
  }

  @Test
  void delayLevelsDeliverAfterTheirDelay() throws Exception {
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    producer.send(new Message("Later", "T", "now".getBytes(StandardCharsets.UTF_8)));
    Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
    clients.start(
        clients.pushConsumer(
            cluster.namesrvAddr(),
            "cg-delay",
            "Later",
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            (msgs, ctx) -> {
              msgs.forEach(
                  m ->
                      arrivedAt.put(
                          new String(m.getBody(), StandardCharsets.UTF_8),
                          System.currentTimeMillis()));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }));
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> arrivedAt.containsKey("now"));
    Message delayed = new Message("Later", "T", "in-600ms".getBytes(StandardCharsets.UTF_8));
    delayed.setDelayTimeLevel(6);
    long sentAt = System.currentTimeMillis();
    producer.send(delayed);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> arrivedAt.size() == 2);
    assertThat(arrivedAt.get("in-600ms") - sentAt).isGreaterThanOrEqualTo(600);
  }
}
