package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageAccessor;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Delivery times (RocketMQ 5 timer properties) with the unchanged official client. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TimerInteropTest {
  @TempDir Path dir;

  WharfCluster cluster;
  final OfficialClients clients = new OfficialClients();
  final Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
  final Map<String, MessageExt> received = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
  }

  @AfterEach
  void stop() {
    clients.close();
  }

  /** A 1 s roll window (100 slots of 10 ms), so timers a few seconds out are rolled. */
  BrokerConfig config() {
    return cluster
        .brokerConfig("broker-a")
        .timerRollWindowSlot(100)
        .timerMaxDelaySec(3600)
        .mappedFileSizeTimerLog(1 << 20);
  }

  void consume(String group) throws Exception {
    clients.start(
        clients.pushConsumer(
            cluster.namesrvAddr(),
            group,
            "Timers",
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            (msgs, ctx) -> {
              long now = System.currentTimeMillis();
              for (MessageExt m : msgs) {
                String body = new String(m.getBody(), StandardCharsets.UTF_8);
                arrivedAt.putIfAbsent(body, now);
                received.put(body, m);
                deliveries.computeIfAbsent(body, k -> new AtomicInteger()).incrementAndGet();
              }
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }));
  }

  static Message msg(String body) {
    return new Message("Timers", "T", body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void deliverTimeAndDelaysArriveNotBeforeTheirTime() throws Exception {
    cluster.startBroker(config());
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    producer.setSendMsgTimeout(15_000); // a cold client on a busy machine
    producer.send(msg("now"));
    consume("cg-timer");
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> arrivedAt.containsKey("now"));

    long sentAt = System.currentTimeMillis();
    Message at = msg("deliver-at");
    at.setDeliverTimeMs(sentAt + 2_500); // beyond the 1 s window: rolled twice
    Message sec = msg("delay-sec");
    sec.setDelayTimeSec(1);
    Message ms = msg("delay-ms");
    ms.setDelayTimeMs(600);
    Message past = msg("deliver-past");
    past.setDeliverTimeMs(sentAt - 60_000);
    for (Message m : new Message[] {at, sec, ms, past}) {
      producer.send(m);
    }
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> arrivedAt.size() == 5);
    assertThat(arrivedAt.get("deliver-at")).isBetween(sentAt + 2_500, sentAt + 2_500 + 2_000);
    assertThat(arrivedAt.get("delay-sec")).isBetween(sentAt + 1_000, sentAt + 1_000 + 2_000);
    assertThat(arrivedAt.get("delay-ms")).isBetween(sentAt + 600, sentAt + 600 + 2_000);
    assertThat(arrivedAt.get("deliver-past")).isLessThan(arrivedAt.get("delay-ms"));
    MessageExt delivered = received.get("deliver-at");
    assertThat(delivered.getTopic()).isEqualTo("Timers");
    assertThat(delivered.getProperties())
        .doesNotContainKeys("REAL_TOPIC", "REAL_QID", "TIMER_OUT_MS")
        .containsEntry("TIMER_DELIVER_MS", Long.toString(sentAt + 2_500));
    assertThat(deliveries.values()).allMatch(n -> n.get() == 1);
  }

  @Test
  void invalidTimerPropertiesAreRefusedWithMessageIllegal() throws Exception {
    cluster.startBroker(config());
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    producer.setSendMsgTimeout(15_000); // a cold client on a busy machine
    producer.send(msg("create the topic"));
    Message notANumber = msg("nan");
    MessageAccessor.putProperty(notANumber, "TIMER_DELAY_SEC", "soon");
    assertRefused(producer, notANumber, "TIMER_DELAY_SEC");
    Message tooFar = msg("too-far");
    tooFar.setDelayTimeSec(7_200); // timerMaxDelaySec is 3600
    assertRefused(producer, tooFar, "max delay 3600000ms");
  }

  static void assertRefused(DefaultMQProducer producer, Message m, String remark) {
    assertThatThrownBy(() -> producer.send(m))
        .isInstanceOfSatisfying(
            MQBrokerException.class,
            e -> {
              assertThat(e.getResponseCode()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
              assertThat(e.getErrorMessage()).contains(remark);
            });
  }

  @Test
  void pendingTimersSurviveABrokerRestartAndArriveOnce() throws Exception {
    BrokerConfig config = config().listenPort(BrokerProcess.freePort());
    Broker broker = cluster.startBroker(config);
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    producer.setSendMsgTimeout(15_000); // a cold client on a busy machine
    producer.send(msg("now"));
    long sentAt = System.currentTimeMillis();
    for (int i = 0; i < 5; i++) {
      Message m = msg("restart-" + i);
      m.setDeliverTimeMs(sentAt + 3_000 + i * 300L);
      producer.send(m);
    }
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> broker.timers().pending() == 5);
    broker.close(); // well before they are due
    cluster.brokers.remove(broker);
    Broker restarted = cluster.startBroker(config);
    assertThat(restarted.timers().pending()).isEqualTo(5);
    consume("cg-restart");
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> arrivedAt.size() == 6);
    for (int i = 0; i < 5; i++) {
      assertThat(arrivedAt.get("restart-" + i)).isGreaterThanOrEqualTo(sentAt + 3_000 + i * 300L);
    }
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> restarted.timers().pending() == 0);
    assertThat(restarted.store().awaitDispatched(Duration.ofSeconds(5))).isTrue();
    long stored = 0;
    for (int q : restarted.store().queueIds("Timers")) {
      stored += restarted.store().maxOffset("Timers", q);
    }
    assertThat(stored).as("each timer stored in its topic once").isEqualTo(6);
    assertThat(deliveries.values()).allMatch(n -> n.get() == 1);
  }

  @Test
  void afterAKillTimersDeliveredSinceTheLastCheckpointAreNotDeliveredAgain() throws Exception {
    int port = BrokerProcess.freePort();
    Path data = dir.resolve("crash");
    // No timer checkpoint after the first round: every delivery below happens after it.
    String[] timerKeys = {"timerFlushIntervalMs=60000", "mappedFileSizeTimerLog=1048576"};
    BrokerProcess broker =
        BrokerProcess.start(
            "broker-a", data, cluster.namesrvAddr(), port, dir.resolve("b1.log"), timerKeys);
    clients.closeLast(broker);
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    producer.setSendMsgTimeout(15_000);
    Awaitility.await("broker registered")
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> producer.send(msg("now")) != null);
    long sentAt = System.currentTimeMillis();
    for (int i = 0; i < 10; i++) {
      Message early = msg("early-" + i);
      early.setDeliverTimeMs(sentAt + 2_000);
      producer.send(early);
      Message late = msg("late-" + i);
      late.setDeliverTimeMs(sentAt + 12_000);
      producer.send(late);
    }
    consume("cg-crash");
    Awaitility.await("the early timers delivered")
        .atMost(Duration.ofSeconds(30))
        .until(() -> arrivedAt.keySet().stream().filter(b -> b.startsWith("early")).count() == 10);
    broker.kill();
    BrokerProcess again =
        BrokerProcess.start(
            "broker-a", data, cluster.namesrvAddr(), port, dir.resolve("b2.log"), timerKeys);
    clients.closeLast(again);
    Awaitility.await("the late timers delivered after the restart")
        .atMost(Duration.ofSeconds(60))
        .until(() -> arrivedAt.keySet().stream().filter(b -> b.startsWith("late")).count() == 10);
    for (int i = 0; i < 10; i++) {
      assertThat(arrivedAt.get("late-" + i)).isGreaterThanOrEqualTo(sentAt + 12_000);
    }

    // What the topic holds, read from the start: every message, and each timer record delivered
    // once (one copy per WHARF_TIMER_SRC). Bodies are not counted: the producer retries a send
    // whose answer it did not get in time, so on a loaded machine a message may be stored twice in
    // the timer topic (two timer records, each delivered once), as any RocketMQ send may be.
    List<String> bodies = new ArrayList<>();
    List<String> timerSources = new ArrayList<>();
    for (MessageExt m : clients.readTopic(cluster.namesrvAddr(), "cg-crash-reader", "Timers")) {
      bodies.add(new String(m.getBody(), StandardCharsets.UTF_8));
      String source = m.getProperty("WHARF_TIMER_SRC");
      if (source != null) {
        timerSources.add(source);
      }
    }
    assertThat(new HashSet<>(bodies)).as("every message stored").hasSize(21);
    assertThat(timerSources).as("timer records delivered more than once").doesNotHaveDuplicates();
    assertThat(timerSources).as("timers delivered through the wheel").isNotEmpty();
  }
}
