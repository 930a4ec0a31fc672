package io.wharfmq.store.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharfmq.store.AppendResult;
import io.wharfmq.store.GetMessageResult;
import io.wharfmq.store.ManualClock;
import io.wharfmq.store.MessageFilter;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.model.StoreModel.Msg;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Applies random operations (appends, batch appends, reads by offset and by queue with tag filters,
 * time lookups, key queries, reopen, retention) to a real store and to {@link StoreModel}, and
 * checks after each that they agree.
 *
 * <p>Every seed is in the test name and in any failure. Reproduce with {@code
 * -Dwharf.model.seed=<seed>}; {@code -Dwharf.model.seeds} and {@code -Dwharf.model.ops} scale it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class StoreModelTest {
  private static final int SEGMENT = 64 * 1024;
  private static final String[] TOPICS = {"ModelA", "ModelB", "ModelC"};
  private static final String NEVER_USED_TOPIC = "ModelNever";
  private static final int QUEUES = 2;
  private static final String[] TAGS = {"TagA", "TagB", "TagC"};
  private static final int KEY_POOL = 25;
  private static final long HOUR = 3_600_000L;

  @TempDir Path dir;

  static Stream<Long> seeds() {
    Long fixed = Long.getLong("wharf.model.seed");
    if (fixed != null) {
      return Stream.of(fixed);
    }
    SplittableRandom master = new SplittableRandom(System.nanoTime());
    return LongStream.range(0, Integer.getInteger("wharf.model.seeds", 20))
        .mapToObj(i -> master.nextLong());
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void storeAgreesWithModel(long seed) throws Exception {
    int ops = Integer.getInteger("wharf.model.ops", 300);
    System.out.printf("StoreModelTest seed=%d ops=%d%n", seed, ops);
    Run run = new Run(seed, dir);
    try {
      run.execute(ops);
    } catch (AssertionError | Exception e) {
      throw new AssertionError(
          "Model test failed with seed="
              + seed
              + " (rerun with -Dwharf.model.seed="
              + seed
              + ") at op "
              + run.opIndex
              + ": "
              + e.getMessage()
              + "\nlast operations:\n  "
              + String.join("\n  ", run.history),
          e);
    } finally {
      run.closeQuietly();
    }
  }

  /** One seeded sequence of operations against one store directory. */
  private static final class Run {
    final SplittableRandom rnd;
    final ManualClock clock;
    final StoreConfig config;
    final StoreModel model = new StoreModel(SEGMENT);
    final ArrayDeque<String> history = new ArrayDeque<>();
    MessageStore store;
    int opIndex;

    Run(long seed, Path dir) throws Exception {
      rnd = new SplittableRandom(seed);
      clock = new ManualClock(1_700_000_000_000L + rnd.nextLong(365 * 24 * HOUR));
      config =
          new StoreConfig(dir)
              .mappedFileSizeCommitLog(SEGMENT)
              .maxMessageSize(16 * 1024)
              .flushIntervalCommitLog(5)
              .flushCommitLogThoroughInterval(5)
              .consumeQueueEntriesPerFile(16)
              .maxHashSlotNum(64)
              .maxIndexNum(128)
              .fileReservedTimeHours(1)
              // Retention runs only when the test says so (and never because the disk is full).
              .cleanResourceInterval(Integer.MAX_VALUE)
              .diskMaxUsedSpaceRatio(95);
      store = MessageStore.open(config, clock);
    }

    void execute(int ops) throws Exception {
      for (opIndex = 0; opIndex < ops; opIndex++) {
        int dice = rnd.nextInt(100);
        if (dice < 30) {
          append(1);
        } else if (dice < 40) {
          append(2 + rnd.nextInt(4));
        } else if (dice < 55) {
          readByOffset();
        } else if (dice < 70) {
          readQueue();
        } else if (dice < 78) {
          offsetForTimestamp();
        } else if (dice < 87) {
          queryByKey();
        } else if (dice < 90) {
          reopen();
        } else if (dice < 92) {
          rebuildConsumeQueues();
        } else {
          retention();
        }
      }
      note("final check");
      checkEverything();
    }

    void note(String op) {
      history.addLast(opIndex + ": " + op);
      if (history.size() > 25) {
        history.removeFirst();
      }
    }

    void append(int count) throws Exception {
      clock.advance(rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(2000));
      List<MessageToStore> batch = new ArrayList<>();
      List<Msg> expected = new ArrayList<>();
      Map<String, Long> nextOffsets = new LinkedHashMap<>();
      int total = 0;
      for (int i = 0; i < count; i++) {
        String topic = TOPICS[rnd.nextInt(TOPICS.length)];
        int queueId = rnd.nextInt(QUEUES);
        byte[] body = new byte[rnd.nextInt(3001)];
        rnd.nextBytes(body);
        String tag = rnd.nextInt(4) == 0 ? null : TAGS[rnd.nextInt(TAGS.length)];
        List<String> keys = new ArrayList<>();
        if (rnd.nextInt(10) < 4) {
          keys.add("key-" + rnd.nextInt(KEY_POOL));
          if (rnd.nextBoolean()) {
            keys.add("key-" + rnd.nextInt(KEY_POOL));
          }
        }
        Map<String, String> props = new LinkedHashMap<>();
        if (tag != null) {
          props.put(MessageProperties.TAGS, tag);
        }
        if (!keys.isEmpty()) {
          props.put(MessageProperties.KEYS, String.join(" ", keys));
        }
        String properties = MessageProperties.encode(props);
        batch.add(MessageToStore.of(topic, queueId, body, properties, 0L));
        int size =
            MessageRecordLayout.recordSize(
                0,
                body.length,
                topic.getBytes(StandardCharsets.UTF_8).length,
                properties.getBytes(StandardCharsets.UTF_8).length,
                MessageRecordLayout.MAGIC_V1);
        long queueOffset =
            nextOffsets.merge(
                StoreModel.queueKey(topic, queueId),
                model.nextQueueOffset(topic, queueId),
                (old, ignored) -> old + 1);
        expected.add(
            new Msg(-1, size, topic, queueId, queueOffset, clock.millis(), tag, keys, body));
        total += size;
      }
      long at = model.placement(total, MessageRecordLayout.BLANK_MARKER_SIZE);
      note("append " + count + " (" + total + " bytes) expected at " + at);
      AppendResult r =
          (count == 1 ? store.append(batch.get(0)) : store.appendBatch(batch))
              .get(10, TimeUnit.SECONDS);
      assertThat(r.isOk()).as("append: %s", r).isTrue();
      assertThat(r.storeTimestamp()).isEqualTo(clock.millis());
      assertThat(r.queueOffset()).isEqualTo(expected.get(0).queueOffset());
      for (int i = 0; i < count; i++) {
        Msg e = expected.get(i);
        assertThat(r.physicalOffsets()[i])
            .as("offset of record %d of the request", i)
            .isEqualTo(at);
        assertThat(r.sizes()[i]).as("size of record %d of the request", i).isEqualTo(e.size());
        model.add(
            new Msg(
                at,
                e.size(),
                e.topic(),
                e.queueId(),
                e.queueOffset(),
                e.storeTimestamp(),
                e.tag(),
                e.keys(),
                e.body()));
        at += e.size();
      }
      assertThat(store.commitLogMaxOffset()).isEqualTo(model.end());
    }

    void readByOffset() {
      List<Msg> all = model.all();
      if (all.isEmpty()) {
        note("read by offset: nothing written yet");
        assertThat(store.readMessage(0)).isNull();
        return;
      }
      Msg m = all.get(rnd.nextInt(all.size()));
      note("read by offset " + m.physicalOffset() + (model.alive(m) ? "" : " (deleted)"));
      StoredMessage s = store.readMessage(m.physicalOffset());
      if (!model.alive(m)) {
        assertThat(s).as("deleted record at %d", m.physicalOffset()).isNull();
        return;
      }
      assertSame(s, m);
    }

    void readQueue() {
      awaitDispatched();
      String topic = rnd.nextInt(10) == 0 ? NEVER_USED_TOPIC : TOPICS[rnd.nextInt(TOPICS.length)];
      int queueId = rnd.nextInt(QUEUES);
      long min = model.minOffset(topic, queueId);
      long max = model.maxOffset(topic, queueId);
      long offset = Math.max(0, min - 2 + rnd.nextLong(max - min + 5));
      int maxCount = 1 + rnd.nextInt(32);
      int maxBytes = new int[] {256 * 1024, 8 * 1024, 1}[rnd.nextInt(3)];
      Set<String> tags = null;
      MessageFilter filter = MessageFilter.ALL;
      if (rnd.nextBoolean()) {
        tags = new LinkedHashSet<>();
        for (String t : TAGS) {
          if (rnd.nextBoolean()) {
            tags.add(t);
          }
        }
        if (tags.isEmpty()) {
          tags.add(TAGS[rnd.nextInt(TAGS.length)]);
        }
        filter = MessageFilter.byTags(tags);
      }
      note(
          String.format(
              "read %s/%d from %d max %d/%d bytes tags %s (model [%d, %d))",
              topic, queueId, offset, maxCount, maxBytes, tags, min, max));
      StoreModel.Read want = model.read(topic, queueId, offset, maxCount, maxBytes, tags);
      try (GetMessageResult got =
          store.getMessages(topic, queueId, offset, maxCount, maxBytes, filter)) {
        assertThat(got.status()).isEqualTo(want.status());
        assertThat(got.nextBeginOffset()).as("next begin offset").isEqualTo(want.nextBeginOffset());
        assertThat(got.minOffset()).as("min offset").isEqualTo(want.min());
        assertThat(got.maxOffset()).as("max offset").isEqualTo(want.max());
        assertThat(got.messages())
            .extracting(StoredBytes::physicalOffset)
            .containsExactlyElementsOf(want.messages().stream().map(Msg::physicalOffset).toList());
        for (int i = 0; i < got.messages().size(); i++) {
          assertSame(
              StoredMessage.decode(got.messages().get(i).buffer(), 0), want.messages().get(i));
        }
      }
    }

    void offsetForTimestamp() {
      awaitDispatched();
      String topic = TOPICS[rnd.nextInt(TOPICS.length)];
      int queueId = rnd.nextInt(QUEUES);
      List<Msg> all = model.all();
      long ts;
      int choice = rnd.nextInt(4);
      if (choice == 0 || all.isEmpty()) {
        ts = choice == 0 ? 0 : clock.millis() + 1;
      } else {
        ts = all.get(rnd.nextInt(all.size())).storeTimestamp() + rnd.nextInt(3) - 1;
      }
      note("offset for timestamp " + ts + " in " + topic + "/" + queueId);
      assertThat(store.offsetForTimestamp(topic, queueId, ts))
          .isEqualTo(model.offsetForTimestamp(topic, queueId, ts));
    }

    void queryByKey() {
      awaitDispatched();
      String topic = TOPICS[rnd.nextInt(TOPICS.length)];
      String key = "key-" + rnd.nextInt(KEY_POOL);
      int maxNum = 1 + rnd.nextInt(5);
      note("query " + topic + " key " + key + " max " + maxNum);
      assertThat(store.queryByKey(topic, key, maxNum, 0, Long.MAX_VALUE))
          .extracting(StoredMessage::physicalOffset)
          .containsExactlyElementsOf(
              model.queryByKey(topic, key, maxNum).stream().map(Msg::physicalOffset).toList());
    }

    void reopen() throws Exception {
      note("close and reopen");
      store.close();
      store = MessageStore.open(config, clock);
      checkQueuesAndLogBounds();
    }

    /**
     * Deletes consume queues while closed: the next open rebuilds them from the log. Only when
     * every queue still has a message in the log; a queue whose messages all went with retention
     * cannot be rebuilt (the log no longer knows its offsets), so then this is a plain reopen.
     */
    void rebuildConsumeQueues() throws Exception {
      for (String key : model.queueKeys()) {
        Msg first = model.queue(key).get(0);
        if (model.minOffset(first.topic(), first.queueId())
            >= model.maxOffset(first.topic(), first.queueId())) {
          reopen();
          return;
        }
      }
      note("close, delete consumequeue/, reopen (queues rebuilt from the log)");
      store.close();
      try (Stream<Path> files = Files.walk(config.consumeQueueDir())) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
      store = MessageStore.open(config, clock);
      checkQueuesAndLogBounds();
    }

    void retention() throws Exception {
      long advance =
          switch (rnd.nextInt(3)) {
            case 0 -> 10 * 60_000L;
            case 1 -> HOUR + rnd.nextLong(HOUR / 2);
            default -> 3 * HOUR;
          };
      clock.advance(advance);
      int hour = Instant.ofEpochMilli(clock.millis()).atZone(ZoneId.systemDefault()).getHour();
      boolean timeToDelete = rnd.nextInt(5) != 0;
      store.config().deleteWhen(timeToDelete ? hour : (hour + 1) % 24);
      // Retention never deletes what is not yet flushed or dispatched; wait for both so the
      // outcome depends on time alone.
      await("flushed and dispatched")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(2))
          .until(
              () ->
                  store.commitLogFlushedOffset() >= store.commitLogMaxOffset()
                      && store.dispatchedOffset() >= store.commitLogMaxOffset());
      StoreModel.Retention want =
          model.predictRetention(
              clock.millis(), HOUR * config.fileReservedTimeHours(), 10, timeToDelete);
      note(
          String.format(
              "retention after +%d min (%s): expect %d segments deleted, log from %d",
              advance / 60_000,
              timeToDelete ? "delete hour" : "not the delete hour",
              want.deletedSegments(),
              want.newLogMin()));
      int deleted = store.retention().deleteExpired();
      assertThat(store.commitLogMinOffset())
          .as("log start after retention")
          .isEqualTo(want.newLogMin());
      assertThat(deleted).as("segments deleted").isEqualTo(want.deletedSegments());
      model.logStartsAt(store.commitLogMinOffset());
      checkQueuesAndLogBounds();
    }

    void awaitDispatched() {
      assertThat(store.awaitDispatched(Duration.ofSeconds(10))).as("dispatched in time").isTrue();
    }

    void checkQueuesAndLogBounds() {
      assertThat(store.commitLogMinOffset()).as("log start").isEqualTo(model.logMin());
      assertThat(store.commitLogMaxOffset()).as("log end").isEqualTo(model.end());
      awaitDispatched();
      for (String topic : TOPICS) {
        for (int q = 0; q < QUEUES; q++) {
          assertThat(store.minOffset(topic, q))
              .as("min of %s/%d", topic, q)
              .isEqualTo(model.minOffset(topic, q));
          assertThat(store.maxOffset(topic, q))
              .as("max of %s/%d", topic, q)
              .isEqualTo(model.maxOffset(topic, q));
        }
      }
      assertThat(store.queueIds(NEVER_USED_TOPIC)).isEmpty();
    }

    /** Every message by offset and every queue read through, against the model. */
    void checkEverything() {
      checkQueuesAndLogBounds();
      for (Msg m : model.all()) {
        StoredMessage s = store.readMessage(m.physicalOffset());
        if (model.alive(m)) {
          assertSame(s, m);
        } else {
          assertThat(s).isNull();
        }
      }
      for (String key : model.queueKeys()) {
        List<Msg> q = model.queue(key);
        Msg first = q.get(0);
        long offset = model.minOffset(first.topic(), first.queueId());
        for (long i = offset; i < q.size(); i++) {
          Msg m = q.get((int) i);
          var e = store.queueEntry(m.topic(), m.queueId(), i);
          assertThat(e).as("entry %s@%d", key, i).isNotNull();
          assertThat(e.physicalOffset()).isEqualTo(m.physicalOffset());
          assertThat(e.size()).isEqualTo(m.size());
          assertThat(e.tagsCode()).isEqualTo(m.tag() == null ? 0 : m.tag().hashCode());
        }
      }
    }

    static void assertSame(StoredMessage s, Msg m) {
      assertThat(s).as("record at %d", m.physicalOffset()).isNotNull();
      assertThat(s.physicalOffset()).isEqualTo(m.physicalOffset());
      assertThat(s.totalSize()).isEqualTo(m.size());
      assertThat(s.topic()).isEqualTo(m.topic());
      assertThat(s.queueId()).isEqualTo(m.queueId());
      assertThat(s.queueOffset()).isEqualTo(m.queueOffset());
      assertThat(s.storeTimestamp()).isEqualTo(m.storeTimestamp());
      assertThat(s.body()).isEqualTo(m.body());
      Map<String, String> props = s.propertyMap();
      assertThat(props.get(MessageProperties.TAGS)).isEqualTo(m.tag());
      assertThat(props.get(MessageProperties.KEYS))
          .isEqualTo(m.keys().isEmpty() ? null : String.join(" ", m.keys()));
    }

    void closeQuietly() {
      try {
        store.close();
      } catch (Exception e) {
        // The test's own failure, if any, is the interesting one.
      }
    }
  }
}
