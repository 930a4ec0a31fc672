package io.wharfmq.bench.takeover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.schedule.ScheduleMessageService;
import io.wharfmq.namesrv.NameServer;
import io.wharfmq.namesrv.NamesrvConfig;
import io.wharfmq.store.takeover.RocketMqTakeover;
import io.wharfmq.store.takeover.RocketMqTimerCheckpoint;
import io.wharfmq.store.takeover.TakeoverRefusedException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Their data, in place": Apache RocketMQ 5 (embedded, test scope) stores messages, consumer
 * offsets, a delayed, a timer and a half message, and stops cleanly; a Wharf broker starts on the
 * same store directory and the official client reads exactly what the group had not consumed (a
 * timer message RocketMQ delivered is not delivered again), finds messages by key and by id, gets
 * the delayed and the timer message when due and the transactional one after Wharf checked it back
 * with its producer. A directory Wharf cannot take over is refused and left byte for byte as it
 * was.
 */
class RocketMqDataInPlaceTest {
  private static final String TOPIC = "TakeoverTopic";
  private static final int QUEUES = 4;
  private static final String GROUP = "takeover-consumer";
  private static final String TX_GROUP = "takeover-tx";
  private static final int CONSUMED = 30;
  private static final int REST = 50;
  private static final int DELAY_LEVEL_30S = 4; // RocketMQ's default levels

  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void wharfServesWhatRocketMqStored() throws Exception {
    Map<String, SendResult> sent = new TreeMap<>();
    long delayedSentAt;
    long lateDueAt;
    int port;
    Path store;
    try (EmbeddedRocketMq rmq = new EmbeddedRocketMq(dir)) {
      port = rmq.brokerPort();
      store = rmq.store();
      rmq.createTopic(TOPIC, QUEUES);
      DefaultMQProducer producer = producer(rmq.namesrvAddr(), "rmq");
      TransactionMQProducer tx = txProducer(rmq.namesrvAddr(), "rmq", LocalTransactionState.UNKNOW);
      try {
        // A timer message still pending when RocketMQ stops: Wharf delivers it when due.
        Message late = message("TIMER-LATE", "TagA");
        lateDueAt = System.currentTimeMillis() + 40_000;
        late.setDeliverTimeMs(lateDueAt);
        assertThat(producer.send(late).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        // A later one RocketMQ delivers before it stops: Wharf must not deliver it again.
        Message timer = message("TIMER", "TagA");
        timer.setDeliverTimeMs(System.currentTimeMillis() + 1_000);
        assertThat(producer.send(timer).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        for (int i = 0; i < CONSUMED; i++) {
          send(producer, sent, "A-" + i, "TagA", 0);
        }
        ConcurrentMap<String, Integer> seen = new ConcurrentHashMap<>();
        DefaultMQPushConsumer consumer = consumer(rmq.namesrvAddr(), "rmq", seen, null);
        try {
          await("RocketMQ's consumer reads the first " + CONSUMED + " and the timer message")
              .atMost(Duration.ofSeconds(30))
              .until(() -> seen.size() == CONSUMED + 1);
        } finally {
          consumer.shutdown(); // commits the group's offsets to the broker
        }
        await("RocketMQ has the group's offsets")
            .atMost(Duration.ofSeconds(10))
            .until(() -> rmq.committed(GROUP, TOPIC, QUEUES) == CONSUMED + 1);
        // A half message whose producer answers "unknown": still pending when RocketMQ stops.
        SendResult half = tx.sendMessageInTransaction(message("TX", "TagA"), null);
        assertThat(half.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        sent.put("TX", half);
        for (int i = 0; i < REST; i++) {
          send(producer, sent, "B-" + i, i % 2 == 0 ? "TagA" : "TagB", 0);
        }
        delayedSentAt = System.currentTimeMillis();
        send(producer, sent, "DELAYED", "TagA", DELAY_LEVEL_30S);
        rmq.stopDelayedDelivery();
      } finally {
        producer.shutdown();
        tx.shutdown();
      }
    }
    // RocketMQ stopped cleanly with the delayed message still waiting in SCHEDULE_TOPIC_XXXX.
    assertThat(RocketMqTakeover.isRocketMqDirectory(store)).isTrue();
    assertThat(store.resolve("abort")).doesNotExist();
    Long delayProgress =
        ScheduleMessageService.readProgress(store.resolve("config")).get(DELAY_LEVEL_30S);
    assertThat(delayProgress == null ? 0L : delayProgress).isZero();
    // ... and TIMER-LATE still pending in its timer wheel.
    assertThat(RocketMqTimerCheckpoint.readIfPresent(store.resolve("config/timercheck")))
        .extracting(RocketMqTimerCheckpoint::lastReadTimeMs, InstanceOfAssertFactories.LONG)
        .isLessThan(lateDueAt);
    byte[] rocketMqOffsets = Files.readAllBytes(store.resolve("config/consumerOffset.json"));
    try (Stream<Path> segments = Files.list(store.resolve("commitlog"))) {
      // More than the three newest segments Wharf validates: the older ones are used as they are.
      assertThat(segments.count()).isGreaterThan(4);
    }

    NameServer namesrv = new NameServer(new NamesrvConfig().listenPort(0).bindAddress("127.0.0.1"));
    namesrv.start();
    String namesrvAddr = "127.0.0.1:" + namesrv.port();
    BrokerConfig c = wharfConfig(store, port).namesrvAddr(namesrvAddr);
    try (Broker broker = Broker.start(c, InstantSource.system())) {
      broker.registerNow();
      assertThat(RocketMqTakeover.isRocketMqDirectory(store)).isFalse();
      assertThat(store.resolve("rocketmq-original/config/consumerOffset.json"))
          .hasBinaryContent(rocketMqOffsets);

      TransactionMQProducer tx =
          txProducer(namesrvAddr, "wharf", LocalTransactionState.COMMIT_MESSAGE);
      ConcurrentMap<String, Integer> seen = new ConcurrentHashMap<>();
      Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
      DefaultMQPushConsumer consumer = consumer(namesrvAddr, "wharf", seen, arrivedAt);
      try {
        heartbeatNow(tx);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < REST; i++) {
          expected.add("B-" + i);
        }
        expected.add("DELAYED");
        expected.add("TIMER-LATE");
        expected.add("TX");
        await("Wharf delivers the rest, the delayed and the committed message")
            .atMost(Duration.ofSeconds(60))
            .until(() -> seen.keySet().containsAll(expected));
        await("no further deliveries")
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(5))
            .until(() -> seen.size() == expected.size());
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(seen.values()).allMatch(n -> n == 1);
        assertThat(arrivedAt.get("DELAYED")).isGreaterThanOrEqualTo(delayedSentAt + 30_000);
        // Due at the TIMER_OUT_MS RocketMQ stored: the deliver time rounded down to its 1 s slots.
        assertThat(arrivedAt.get("TIMER-LATE")).isGreaterThanOrEqualTo(lateDueAt / 1000 * 1000);

        DefaultMQAdminExt admin = new DefaultMQAdminExt("takeover-admin");
        admin.setNamesrvAddr(namesrvAddr);
        admin.setInstanceName("wharf-admin");
        admin.start();
        try {
          for (String key : List.of("A-3", "B-7", "DELAYED")) {
            List<MessageExt> byKey =
                admin.queryMessage(TOPIC, key, 32, 0, Long.MAX_VALUE).getMessageList();
            assertThat(byKey).as("by key " + key).isNotEmpty();
            assertThat(byKey).allMatch(m -> key.equals(m.getKeys()));
          }
          for (String key : List.of("A-3", "B-7", "B-49")) {
            SendResult r = sent.get(key);
            MessageExt byOffsetId = admin.viewMessage(TOPIC, r.getOffsetMsgId());
            assertThat(byOffsetId.getKeys()).as("by offset id of " + key).isEqualTo(key);
            assertThat(new String(byOffsetId.getBody(), StandardCharsets.UTF_8)).startsWith(key);
            List<MessageExt> byUniqId =
                admin
                    .queryMessageByUniqKey(
                        EmbeddedRocketMq.CLUSTER, TOPIC, r.getMsgId(), 32, 0, Long.MAX_VALUE)
                    .getMessageList();
            assertThat(byUniqId).as("by message id of " + key).isNotEmpty();
            assertThat(byUniqId.get(0).getKeys()).isEqualTo(key);
          }
        } finally {
          admin.shutdown();
        }
      } finally {
        consumer.shutdown();
        tx.shutdown();
        namesrv.shutdown();
      }
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aDirectoryWharfCannotTakeOverIsRefusedAndLeftAsItWas() throws Exception {
    Path store;
    int port;
    // A roll window of 2 s: RocketMQ rolls the timer message below forward every 2 s.
    try (EmbeddedRocketMq rmq = new EmbeddedRocketMq(dir, 2)) {
      store = rmq.store();
      port = rmq.brokerPort();
      rmq.createTopic(TOPIC, QUEUES);
      DefaultMQProducer producer = producer(rmq.namesrvAddr(), "rmq");
      try {
        for (int i = 0; i < 20; i++) {
          send(producer, new TreeMap<>(), "A-" + i, "TagA", 0);
        }
        Message timer = message("TIMER", "TagA");
        timer.setDeliverTimeMs(System.currentTimeMillis() + 3_600_000);
        assertThat(producer.send(timer).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        await("RocketMQ rolls the timer forward")
            .atMost(Duration.ofSeconds(20))
            .until(() -> rmq.timerQueueEntries() >= 2);
      } finally {
        producer.shutdown();
      }
    }

    // 0. A pending timer message RocketMQ rolled forward (a copy per roll).
    assertRefusedUnchanged(wharfConfig(store, port), store, "rolled forward");
    Path timerQueue = store.resolve("consumequeue/rmq_sys_wheel_timer");
    Path timerQueueAway = store.resolve("timer-queue-away");
    Files.move(timerQueue, timerQueueAway);

    // 1. RocketMQ did not stop cleanly (its abort file, as a killed broker leaves it).
    Files.writeString(store.resolve("abort"), "12345");
    assertRefusedUnchanged(wharfConfig(store, port), store, "did not shut down cleanly");
    Files.delete(store.resolve("abort"));

    // 2. Wharf configured with another segment size than RocketMQ wrote.
    BrokerConfig otherSize = wharfConfig(store, port);
    otherSize.store().mappedFileSizeCommitLog(2 * EmbeddedRocketMq.SEGMENT_SIZE);
    assertRefusedUnchanged(otherSize, store, "mappedFileSizeCommitLog");

    // 3. A record Wharf cannot read: the newest message's magic code changed.
    long last = newestRecordOffset(store);
    long base = last / EmbeddedRocketMq.SEGMENT_SIZE * EmbeddedRocketMq.SEGMENT_SIZE;
    Path segment = store.resolve("commitlog").resolve(String.format("%020d", base));
    int magic;
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.seek(last - base + 4);
      magic = f.readInt();
      f.seek(last - base + 4);
      f.writeInt(0xCAFEBABE);
    }
    assertRefusedUnchanged(wharfConfig(store, port), store, "cannot read at offset " + last);

    // 4. A DLedger commit log.
    Files.createDirectories(store.resolve("dledger-n0/data"));
    assertRefusedUnchanged(wharfConfig(store, port), store, "DLedger");
    Files.delete(store.resolve("dledger-n0/data"));
    Files.delete(store.resolve("dledger-n0"));
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.seek(last - base + 4);
      f.writeInt(magic);
    }

    // 5. A configuration file the broker cannot parse (the store alone would take it over).
    Files.writeString(store.resolve("config/consumerOffset.json"), "{\"offsetTable\": [1, 2");
    assertRefusedUnchanged(wharfConfig(store, port), store, "consumerOffset.json cannot be read");
  }

  /** The log offset of the newest message of {@link #TOPIC}, from RocketMQ's consume queues. */
  private static long newestRecordOffset(Path store) throws IOException {
    long max = -1;
    for (int q = 0; q < QUEUES; q++) {
      Path file = store.resolve("consumequeue").resolve(TOPIC).resolve(Integer.toString(q));
      if (!Files.isDirectory(file)) {
        continue;
      }
      java.nio.ByteBuffer b =
          java.nio.ByteBuffer.wrap(Files.readAllBytes(file.resolve("00000000000000000000")));
      for (int at = 0; at + 20 <= b.capacity() && b.getInt(at + 8) != 0; at += 20) {
        max = Math.max(max, b.getLong(at));
      }
    }
    assertThat(max).as("RocketMQ's consume queues hold the messages").isGreaterThanOrEqualTo(0);
    return max;
  }

  private static void assertRefusedUnchanged(BrokerConfig config, Path store, String reason)
      throws Exception {
    Map<String, String> before = snapshot(store);
    config.namesrvAddr("127.0.0.1:1");
    assertThatThrownBy(() -> Broker.start(config, InstantSource.system()).close())
        .isInstanceOf(TakeoverRefusedException.class)
        .hasMessageContaining(reason)
        .hasMessageContaining("nothing in it was changed");
    assertThat(snapshot(store)).as("the directory after the refused start").isEqualTo(before);
  }

  /** Every file and directory under {@code root} with a digest of its bytes. */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = root.relativize(p).toString();
        out.put(name, Files.isDirectory(p) ? "dir" : sha256(p));
      }
    }
    return out;
  }

  private static String sha256(Path p) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BrokerConfig wharfConfig(Path store, int port) {
    BrokerConfig c =
        new BrokerConfig(store)
            .brokerClusterName(EmbeddedRocketMq.CLUSTER)
            .brokerName(EmbeddedRocketMq.BROKER_NAME)
            // RocketMQ's port: offset message ids carry the address that stored the message.
            .listenPort(port)
            .bindAddress("127.0.0.1")
            .brokerIP1("127.0.0.1")
            .transactionTimeOut(1_000)
            .transactionCheckInterval(500);
    c.store()
        .mappedFileSizeCommitLog(EmbeddedRocketMq.SEGMENT_SIZE)
        .maxMessageSize(EmbeddedRocketMq.SEGMENT_SIZE / 2)
        .maxHashSlotNum(EmbeddedRocketMq.HASH_SLOTS)
        .maxIndexNum(EmbeddedRocketMq.INDEX_ENTRIES);
    return c;
  }

  private static Message message(String key, String tag) {
    // ~4 KiB bodies, so the messages span several 64 KiB commit-log segments (random: the client
    // compresses a body over 4 KiB, and a repetitive one to almost nothing).
    String body = key + " " + randomText(4000);
    Message m = new Message(TOPIC, tag, body.getBytes(StandardCharsets.UTF_8));
    m.setKeys(key);
    return m;
  }

  private static String randomText(int length) {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append((char) ('a' + r.nextInt(26)));
    }
    return b.toString();
  }

  private static void send(
      DefaultMQProducer producer, Map<String, SendResult> sent, String key, String tag, int level)
      throws Exception {
    Message m = message(key, tag);
    if (level > 0) {
      m.setDelayTimeLevel(level);
    }
    SendResult r = producer.send(m);
    assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
    sent.put(key, r);
  }

  private static DefaultMQProducer producer(String namesrv, String instance) throws Exception {
    DefaultMQProducer p = new DefaultMQProducer("takeover-producer");
    p.setNamesrvAddr(namesrv);
    p.setInstanceName(instance + "-producer");
    p.start();
    await("the name server has " + TOPIC + "'s route")
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> p.fetchPublishMessageQueues(TOPIC).size() == QUEUES);
    return p;
  }

  /**
   * A producer heartbeats only to the brokers of topics it knows, every 30 s; Wharf checks a half
   * message with a live producer of its group. The client offers no other way to do this at once
   * than its (deprecated) internals.
   */
  @SuppressWarnings("deprecation")
  private static void heartbeatNow(TransactionMQProducer tx) {
    tx.getDefaultMQProducerImpl().getMqClientFactory().updateTopicRouteInfoFromNameServer(TOPIC);
    tx.getDefaultMQProducerImpl().getMqClientFactory().sendHeartbeatToAllBrokerWithLock();
  }

  private static TransactionMQProducer txProducer(
      String namesrv, String instance, LocalTransactionState check) throws Exception {
    TransactionMQProducer p = new TransactionMQProducer(TX_GROUP);
    p.setNamesrvAddr(namesrv);
    p.setInstanceName(instance + "-tx");
    p.setTransactionListener(
        new TransactionListener() {
          @Override
          public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
            return LocalTransactionState.UNKNOW;
          }

          @Override
          public LocalTransactionState checkLocalTransaction(MessageExt msg) {
            return check;
          }
        });
    p.start();
    return p;
  }

  private static DefaultMQPushConsumer consumer(
      String namesrv,
      String instance,
      ConcurrentMap<String, Integer> seen,
      Map<String, Long> arrivedAt)
      throws Exception {
    DefaultMQPushConsumer c = new DefaultMQPushConsumer(GROUP);
    c.setNamesrvAddr(namesrv);
    c.setInstanceName(instance + "-consumer");
    // From the first offset when the group has none: a lost offset shows as duplicates.
    c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    c.subscribe(TOPIC, "*");
    c.registerMessageListener(
        (MessageListenerConcurrently)
            (msgs, ctx) -> {
              for (MessageExt m : msgs) {
                seen.merge(m.getKeys(), 1, Integer::sum);
                if (arrivedAt != null) {
                  arrivedAt.putIfAbsent(m.getKeys(), System.currentTimeMillis());
                }
              }
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    c.start();
    return c;
  }
}
