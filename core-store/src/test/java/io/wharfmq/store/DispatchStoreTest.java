package io.wharfmq.store;

import static io.wharfmq.store.MessageStoreTest.msg;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.DispatchTargets;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.mapped.FileNames;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import io.wharfmq.store.recovery.Checkpoint;
import io.wharfmq.store.recovery.StoreLock;
import io.wharfmq.store.retention.RetentionPins;
import io.wharfmq.store.tool.StoreTool;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * Multi-dispatch (WHARF_DISPATCH): one commit-log record reaches many consume queues, with dense
 * offsets shared with direct appends, rebuilt identically from the log, read as each queue's own
 * record, and pinned by retention like any other queue's record.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DispatchStoreTest {
  private static final long HOUR = 3_600_000L;

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);

  StoreConfig config(Path root, StoreConfig.FlushMode flush) {
    return new StoreConfig(root)
        .mappedFileSizeCommitLog(64 * 1024)
        .maxMessageSize(16 * 1024)
        .consumeQueueEntriesPerFile(50)
        .maxHashSlotNum(64)
        .maxIndexNum(200)
        .flushDiskType(flush)
        .checkpointIntervalMs(Integer.MAX_VALUE)
        .cleanResourceInterval(Integer.MAX_VALUE)
        .flushIntervalCommitLog(20)
        .flushCommitLogThoroughInterval(20)
        .fileReservedTimeHours(1);
  }

  static MessageToStore fanOut(String topic, String body, String tag, List<String> targets) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put(MessageProperties.TAGS, tag);
    props.put(
        MessageProperties.DISPATCH,
        DispatchTargets.encode(
            targets.stream().map(t -> new DispatchTargets.Queue(t, 0)).toList()));
    props.put(MessageProperties.UNIQ_KEY, "id-" + body);
    return MessageToStore.of(
        topic, 0, body.getBytes(StandardCharsets.UTF_8), MessageProperties.encode(props), 1L);
  }

  @ParameterizedTest
  @EnumSource(StoreConfig.FlushMode.class)
  void aFanOutToAHundredQueuesIsOneRecordAndOneEntryPerQueue(StoreConfig.FlushMode flush)
      throws Exception {
    List<String> targets = IntStream.range(0, 100).mapToObj(i -> "q-" + i).toList();
    try (MessageStore store = MessageStore.open(config(dir, flush), clock)) {
      assertThat(store.append(msg("Other", 0, "before", null, null)).get().isOk()).isTrue();
      long before = store.commitLogMaxOffset();
      AppendResult r = store.append(fanOut("ex", "hello", "rk", targets)).get();
      assertThat(r.isOk()).as("%s", r).isTrue();
      assertThat(store.commitLogMaxOffset() - before)
          .as("one record")
          .isEqualTo(r.sizes()[0])
          .isEqualTo(store.readRecord(r.physicalOffset()).size());
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();

      assertThat(store.queueTopics()).doesNotContain("ex").containsAll(targets);
      assertThat(store.maxOffset("ex", 0)).isZero();
      for (String t : targets) {
        assertThat(store.maxOffset(t, 0)).as(t).isEqualTo(1);
        ConsumeQueueEntry e = store.queueEntry(t, 0, 0);
        assertThat(e.physicalOffset()).isEqualTo(r.physicalOffset());
        assertThat(e.size()).isEqualTo(r.sizes()[0]);
        assertThat(e.tagsCode()).isEqualTo("rk".hashCode());
      }
      // Offsets were assigned in the record itself.
      StoredMessage stored = store.readMessage(r.physicalOffset());
      assertThat(stored.topic()).isEqualTo("ex");
      assertThat(DispatchTargets.parse(stored.propertyMap().get(MessageProperties.DISPATCH)))
          .extracting(DispatchTargets.Target::queueOffset)
          .containsOnly(0L);

      // Read through a target queue, the record is that queue's own.
      try (GetMessageResult got = store.getMessages("q-7", 0, 0, 10, MessageFilter.ALL)) {
        assertThat(got.status()).isEqualTo(GetMessageResult.Status.FOUND);
        StoredMessage m = StoredMessage.decode(got.messages().get(0).buffer(), 0);
        assertThat(m.topic()).isEqualTo("q-7");
        assertThat(m.queueOffset()).isZero();
        assertThat(m.physicalOffset()).isEqualTo(r.physicalOffset());
        assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(m.propertyMap())
            .containsEntry(MessageProperties.TAGS, "rk")
            .containsEntry(MessageProperties.DISPATCH_SOURCE, "ex")
            .doesNotContainKey(MessageProperties.DISPATCH);
        assertThat(m.storeTimestamp()).isEqualTo(stored.storeTimestamp());
      }
      // The key index is unchanged: under the record's own topic.
      assertThat(store.queryByUniqueKey("ex", "id-hello")).isNotNull();
    }
  }

  @ParameterizedTest
  @EnumSource(StoreConfig.FlushMode.class)
  void directAndDispatchedEntriesShareDenseOffsetsAndSurviveRebuildAndCrash(
      StoreConfig.FlushMode flush) throws Exception {
    List<long[]> expected;
    Path crashCopy = dir.resolveSibling(dir.getFileName() + "-crash");
    try (MessageStore store = MessageStore.open(config(dir, flush), clock)) {
      append(store, msg("A", 0, "a0", "t", null));
      append(store, fanOut("ex", "f0", "k1", List.of("A", "B")));
      append(store, msg("A", 0, "a1", "t", null));
      AppendResult f1 = append(store, fanOut("ex", "f1", "k2", List.of("B", "A", "C")));
      append(store, msg("B", 0, "b0", "t", null));
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      assertThat(store.maxOffset("A", 0)).isEqualTo(4);
      assertThat(store.maxOffset("B", 0)).isEqualTo(3);
      assertThat(store.maxOffset("C", 0)).isEqualTo(1);
      assertThat(f1.queueOffset()).as("first target's offset").isEqualTo(1);
      assertThat(bodies(store, "A")).containsExactly("a0", "f0", "a1", "f1");
      assertThat(bodies(store, "B")).containsExactly("f0", "f1", "b0");
      expected = entries(store);
      // A copy of the running store's files is what a kill -9 leaves (abort marker, no
      // checkpoint since the start): recovery re-dispatches the whole log.
      copyTree(dir, crashCopy);
    }
    try (Stream<Path> files = Files.walk(dir.resolve("consumequeue"))) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    try (MessageStore store = MessageStore.open(config(dir, flush), clock)) {
      assertThat(entries(store)).as("rebuilt").containsExactlyElementsOf(expected);
      assertThat(append(store, fanOut("ex", "f2", "k3", List.of("C", "A"))).queueOffset())
          .isEqualTo(1);
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      assertThat(bodies(store, "A")).containsExactly("a0", "f0", "a1", "f1", "f2");
    }
    // The offline check accepts an entry that its record lists among its targets.
    StringWriter out = new StringWriter();
    CommandLine verify = StoreTool.commandLine();
    verify.setOut(new PrintWriter(out));
    assertThat(verify.execute("verify", "--dir", dir.toString())).as("%s", out).isZero();
    assertThat(out.toString())
        .contains("consume queue C/0: 2 written entries")
        .doesNotContain("PROBLEM");
    try (MessageStore store = MessageStore.open(config(crashCopy, flush), clock)) {
      assertThat(entries(store)).as("after a crash").containsExactlyElementsOf(expected);
      assertThat(append(store, msg("A", 0, "a2", "t", null)).queueOffset()).isEqualTo(4);
    }
  }

  @ParameterizedTest
  @EnumSource(StoreConfig.FlushMode.class)
  void aFanOutStoredInItsFirstTargetQueueIsReadAsADispatchedRecord(StoreConfig.FlushMode flush)
      throws Exception {
    // The default exchange with CC keys q1, q2 stores the record in q1's topic, at the same queue
    // id as its first target: entry 0 of that queue is the record itself.
    try (MessageStore store = MessageStore.open(config(dir, flush), clock)) {
      AppendResult r = append(store, fanOut("A", "f0", "k", List.of("A", "B")));
      assertThat(r.queueOffset()).as("the first target's offset").isZero();
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      assertThat(store.readMessage(r.physicalOffset()).queueOffset())
          .as("own QUEUEOFFSET of a fan-out")
          .isEqualTo(MessageRecordLayout.DISPATCHED_QUEUE_OFFSET);
      for (String q : List.of("A", "B")) {
        try (GetMessageResult got = store.getMessages(q, 0, 0, 10, MessageFilter.ALL)) {
          assertThat(got.messages()).hasSize(1);
          StoredMessage m = StoredMessage.decode(got.messages().get(0).buffer(), 0);
          assertThat(m.topic()).isEqualTo(q);
          assertThat(m.queueOffset()).isZero();
          assertThat(m.propertyMap())
              .as("read through %s", q)
              .containsEntry(MessageProperties.DISPATCH_SOURCE, "A")
              .doesNotContainKey(MessageProperties.DISPATCH);
        }
        try (StoredBytes b = store.readQueueRecord(q, 0, 0)) {
          assertThat(StoredMessage.decode(b.buffer(), 0).propertyMap())
              .doesNotContainKey(MessageProperties.DISPATCH);
        }
      }
    }
  }

  /** Where the tail of a fan-out's properties is lost. */
  enum Tear {
    /** Inside the last target's digits: the list does not parse. */
    DIGITS,
    /** Inside the name WHARF_DISPATCH: the record no longer says it is a fan-out. */
    NAME
  }

  @ParameterizedTest
  @EnumSource(Tear.class)
  void recoveryEndsTheLogAtAFanOutWhosePropertiesTailWasLost(Tear tear) throws Exception {
    long fanOutAt;
    int fanOutSize;
    String list;
    try (MessageStore store = MessageStore.open(config(dir, StoreConfig.FlushMode.ASYNC), clock)) {
      append(store, msg("A", 0, "a0", "t", null));
      // The list last, as a lost page takes the end of a record.
      Map<String, String> props = new LinkedHashMap<>();
      props.put(MessageProperties.TAGS, "k");
      props.put(
          MessageProperties.DISPATCH,
          DispatchTargets.encode(
              List.of(new DispatchTargets.Queue("A", 0), new DispatchTargets.Queue("B", 0))));
      AppendResult f =
          append(
              store,
              MessageToStore.of(
                  "ex",
                  0,
                  "f0".getBytes(StandardCharsets.UTF_8),
                  MessageProperties.encode(props),
                  1L));
      fanOutAt = f.physicalOffset();
      fanOutSize = f.sizes()[0];
      list = props.get(MessageProperties.DISPATCH);
      append(store, msg("A", 0, "a1", "t", null));
    }
    // Zeros from inside the properties to the end of the record, as after a crash that lost the
    // page holding them; a checkpoint from before the fan-out and the abort marker make recovery
    // validate and dispatch it again.
    int keep =
        switch (tear) {
          case DIGITS -> fanOutSize - 6;
          case NAME -> fanOutSize - list.length() - 2 - MessageProperties.DISPATCH.length() + 5;
        };
    Path segment = dir.resolve("commitlog").resolve(FileNames.offsetName(0));
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(fanOutSize - keep), fanOutAt + keep);
    }
    new Checkpoint(0, 0, clock.millis()).write(dir);
    Files.writeString(dir.resolve(StoreLock.ABORT_FILE), "simulated crash\n");

    try (MessageStore store = MessageStore.open(config(dir, StoreConfig.FlushMode.ASYNC), clock)) {
      assertThat(store.commitLogMaxOffset()).as("log cut at the fan-out").isEqualTo(fanOutAt);
      assertThat(bodies(store, "A")).containsExactly("a0");
      assertThat(store.maxOffset("B", 0)).isZero();
      assertThat(store.maxOffset("ex", 0)).isZero();
      assertThat(append(store, msg("A", 0, "a2", "t", null)).queueOffset()).isEqualTo(1);
    }
  }

  @Test
  void retentionKeepsTheSegmentOfAMessageATargetQueueHasNotFinished() throws Exception {
    int hour = Instant.ofEpochMilli(clock.millis()).atZone(ZoneId.systemDefault()).getHour();
    try (MessageStore store =
        MessageStore.open(config(dir, StoreConfig.FlushMode.ASYNC).deleteWhen(hour), clock)) {
      List<AppendResult> old = new ArrayList<>();
      for (int i = 0; i < 48; i++) { // ~3 segments
        old.add(append(store, msg("Other", 0, "x".repeat(4000), null, null)));
      }
      AppendResult pinned = append(store, fanOut("ex", "y".repeat(1000), "k", List.of("Q")));
      for (int i = 0; i < 24; i++) {
        append(store, msg("Other", 0, "x".repeat(4000), null, null));
      }
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      long end = store.commitLogMaxOffset();
      Awaitility.await("flushed").until(() -> store.commitLogFlushedOffset() >= end);
      RetentionPins.Pin pin = RetentionPins.atQueueOffset(store, "cg", "Q", 0, 0);
      assertThat(pin.physicalOffset()).isEqualTo(pinned.physicalOffset());
      store.retention().pinBy(() -> pin);
      clock.advance(48 * HOUR);
      long segment = store.config().mappedFileSizeCommitLog();
      assertThat(store.retention().deleteExpired()).isEqualTo(pinned.physicalOffset() / segment);
      try (GetMessageResult got = store.getMessages("Q", 0, 0, 1, MessageFilter.ALL)) {
        assertThat(got.status()).isEqualTo(GetMessageResult.Status.FOUND);
      }
      assertThat(store.readMessage(old.get(0).physicalOffset())).isNull();
    }
  }

  private static AppendResult append(MessageStore store, MessageToStore m) throws Exception {
    AppendResult r = store.append(m).get(10, TimeUnit.SECONDS);
    assertThat(r.isOk()).as("append %s", r).isTrue();
    return r;
  }

  private static List<String> bodies(MessageStore store, String topic) {
    List<String> out = new ArrayList<>();
    try (GetMessageResult got = store.getMessages(topic, 0, 0, 100, MessageFilter.ALL)) {
      long expectedOffset = 0;
      for (StoredBytes b : got.messages()) {
        StoredMessage m = StoredMessage.decode(b.buffer(), 0);
        assertThat(m.topic()).isEqualTo(topic);
        assertThat(b.buffer().getLong(MessageRecordLayout.QUEUE_OFFSET))
            .isEqualTo(expectedOffset++);
        out.add(new String(m.body(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** Every entry of queues A, B and C: topic index, offset, physical offset, size, tag hash. */
  private static List<long[]> entries(MessageStore store) {
    List<long[]> out = new ArrayList<>();
    String[] topics = {"A", "B", "C"};
    for (int t = 0; t < topics.length; t++) {
      for (long o = 0; o < store.maxOffset(topics[t], 0); o++) {
        ConsumeQueueEntry e = store.queueEntry(topics[t], 0, o);
        out.add(new long[] {t, o, e.physicalOffset(), e.size(), e.tagsCode()});
      }
    }
    assertThat(store.maxOffset("ex", 0)).isZero();
    return out;
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("lock")) {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
