package io.wharfmq.store.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.store.AppendResult;
import io.wharfmq.store.ManualClock;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.mapped.FileNames;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import io.wharfmq.store.recovery.Checkpoint;
import io.wharfmq.store.recovery.StoreLock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Damages a cleanly closed commit log on disk in one place, simulates a crash (abort marker, and a
 * checkpoint that makes recovery validate the damaged region), reopens, and checks that recovery
 * cut the log exactly at the first bad record: everything before it served unchanged, nothing from
 * it on, consume queues and index agreeing, appends continuing at the cut.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CorruptionRecoveryTest {
  private static final int SEGMENT = 64 * 1024;
  private static final int RECORDS = 150;
  private static final String[] TOPICS = {"TopicA", "TopicB"};

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);

  /** What is damaged. */
  enum Damage {
    /** A byte inside the body: only the CRC notices. */
    BODY_BYTE,
    /** A byte of the magic. */
    MAGIC,
    /** A byte of the total size. */
    SIZE,
    /** A byte of the physical-offset field (record claims to live elsewhere). */
    PHYSICAL_OFFSET,
    /** A byte of the body length: field lengths no longer add up. */
    BODY_LENGTH,
    /** The stored body CRC. */
    BODY_CRC,
    /** Zeros from the middle of the record to the end of its segment file (lost tail pages). */
    ZEROED_TAIL,
    /** Random bytes after the last record: every record is kept, the garbage goes. */
    GARBAGE_AFTER_LAST
  }

  /** Which record is damaged. */
  enum Victim {
    FIRST_OF_LAST_SEGMENT,
    MIDDLE_OF_LAST_SEGMENT,
    LAST_RECORD,
    /** In the segment before the last: the last segment must go entirely. */
    IN_EARLIER_SEGMENT,
    /**
     * Early in the first segment: every queue loses entries that lie in a later consume-queue file
     * than its new end.
     */
    IN_FIRST_SEGMENT
  }

  /** A record as written, to compare with what recovery kept. */
  record Written(
      int index,
      long physicalOffset,
      int size,
      String topic,
      int queueId,
      long queueOffset,
      byte[] body,
      String key) {}

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Damage d : Damage.values()) {
      if (d == Damage.GARBAGE_AFTER_LAST) {
        cases.add(Arguments.of(d, Victim.LAST_RECORD));
        continue;
      }
      for (Victim v : Victim.values()) {
        cases.add(Arguments.of(d, v));
      }
    }
    return cases.stream();
  }

  StoreConfig config() {
    return new StoreConfig(dir)
        .mappedFileSizeCommitLog(SEGMENT)
        .maxMessageSize(8 * 1024)
        .consumeQueueEntriesPerFile(20)
        .maxHashSlotNum(256)
        .maxIndexNum(100);
  }

  @ParameterizedTest(name = "{0} of {1}")
  @MethodSource("cases")
  void recoveryCutsTheLogAtTheFirstBadRecord(Damage damage, Victim victim) throws Exception {
    List<Written> written = writeAndCloseCleanly();
    Written last = written.get(written.size() - 1);
    long oldEnd = last.physicalOffset() + last.size();
    int k = pick(written, victim);
    Written bad = written.get(k);
    long cut = damage == Damage.GARBAGE_AFTER_LAST ? oldEnd : bad.physicalOffset();
    int kept = damage == Damage.GARBAGE_AFTER_LAST ? written.size() : k;
    assertThat(segmentBase(oldEnd - 1)).as("the log spans several segments").isGreaterThan(SEGMENT);

    damage(damage, bad, oldEnd);
    // Pretend the last run crashed, with a checkpoint old enough that recovery validates the
    // damage.
    // Vary where dispatch restarts: from the log start, or from the old end (queue entries of the
    // lost records are then on disk and must be trimmed).
    long scanFrom =
        switch (victim) {
          case FIRST_OF_LAST_SEGMENT, LAST_RECORD, IN_FIRST_SEGMENT -> 0;
          case MIDDLE_OF_LAST_SEGMENT, IN_EARLIER_SEGMENT -> segmentBase(cut) - SEGMENT;
        };
    long dispatched =
        switch (victim) {
          case FIRST_OF_LAST_SEGMENT, MIDDLE_OF_LAST_SEGMENT, IN_FIRST_SEGMENT -> oldEnd;
          case LAST_RECORD, IN_EARLIER_SEGMENT -> scanFrom;
        };
    new Checkpoint(scanFrom, dispatched, clock.millis()).write(dir);
    Files.writeString(dir.resolve(StoreLock.ABORT_FILE), "simulated crash\n");

    AppendResult afterCut;
    try (MessageStore store = MessageStore.open(config(), clock)) {
      assertThat(store.commitLogMaxOffset()).as("log cut at the bad record").isEqualTo(cut);
      assertKept(store, written, kept, null);
      assertZeroFrom(cut);
      assertThat(listSegments()).as("no segment after the cut").allMatch(base -> base <= cut);

      // Appends continue exactly at the cut, with the queue offset of the lost record.
      MessageToStore next = message(bad.topic(), bad.queueId(), new byte[] {1, 2, 3}, "after-cut");
      afterCut = store.append(next).get(10, TimeUnit.SECONDS);
      assertThat(afterCut.isOk()).isTrue();
      assertThat(afterCut.physicalOffset()).isEqualTo(cut);
      assertThat(afterCut.queueOffset())
          .isEqualTo(
              damage == Damage.GARBAGE_AFTER_LAST ? bad.queueOffset() + 1 : bad.queueOffset());
    }

    // A clean reopen sees the same, plus the new record.
    try (MessageStore store = MessageStore.open(config(), clock)) {
      assertKept(store, written, kept, bad);
      StoredMessage after = store.readMessage(cut);
      assertThat(after).isNotNull();
      assertThat(after.propertyMap()).containsEntry(MessageProperties.KEYS, "after-cut");
      assertThat(store.queryByKey(bad.topic(), "after-cut", 4, 0, Long.MAX_VALUE))
          .extracting(StoredMessage::physicalOffset)
          .containsExactly(cut);
      long expectedNext = store.maxOffset(bad.topic(), bad.queueId());
      AppendResult r =
          store
              .append(message(bad.topic(), bad.queueId(), new byte[] {4}, "after-reopen"))
              .get(10, TimeUnit.SECONDS);
      assertThat(r.queueOffset())
          .as("queue offsets continue after a clean reopen")
          .isEqualTo(expectedNext)
          .isEqualTo(afterCut.queueOffset() + 1);
    }
  }

  private List<Written> writeAndCloseCleanly() throws Exception {
    SplittableRandom rnd = new SplittableRandom(42);
    List<Written> written = new ArrayList<>();
    try (MessageStore store = MessageStore.open(config(), clock)) {
      for (int i = 0; i < RECORDS; i++) {
        String topic = TOPICS[rnd.nextInt(TOPICS.length)];
        int queueId = rnd.nextInt(2);
        byte[] body = new byte[100 + rnd.nextInt(1500)];
        rnd.nextBytes(body);
        String key = "key-" + i;
        AppendResult r = store.append(message(topic, queueId, body, key)).get(10, TimeUnit.SECONDS);
        assertThat(r.isOk()).isTrue();
        written.add(
            new Written(
                i, r.physicalOffset(), r.sizes()[0], topic, queueId, r.queueOffset(), body, key));
        clock.advance(10);
      }
    }
    return written;
  }

  private static MessageToStore message(String topic, int queueId, byte[] body, String key) {
    return MessageToStore.of(
        topic,
        queueId,
        body,
        MessageProperties.encode(Map.of(MessageProperties.KEYS, key, MessageProperties.TAGS, "T")),
        0L);
  }

  private static int pick(List<Written> written, Victim victim) {
    long lastBase = segmentBase(written.get(written.size() - 1).physicalOffset());
    int firstOfLast = 0;
    while (written.get(firstOfLast).physicalOffset() < lastBase) {
      firstOfLast++;
    }
    int n = written.size();
    assertThat(written.get(30).physicalOffset() + written.get(30).size()).isLessThan(SEGMENT);
    assertThat(n - firstOfLast).as("records in the last segment").isGreaterThanOrEqualTo(3);
    return switch (victim) {
      case FIRST_OF_LAST_SEGMENT -> firstOfLast;
      case MIDDLE_OF_LAST_SEGMENT -> (firstOfLast + n) / 2;
      case LAST_RECORD -> n - 1;
      case IN_EARLIER_SEGMENT -> firstOfLast - 5;
      case IN_FIRST_SEGMENT -> 30;
    };
  }

  private void damage(Damage damage, Written bad, long oldEnd) throws IOException {
    long base = segmentBase(bad.physicalOffset());
    int pos = (int) (bad.physicalOffset() - base);
    Path segment = dir.resolve("commitlog").resolve(FileNames.offsetName(base));
    try (FileChannel ch =
        FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer record = ByteBuffer.allocate(bad.size());
      ch.read(record, pos);
      int sysFlag = record.getInt(MessageRecordLayout.SYS_FLAG);
      int bodyAt = MessageRecordLayout.bodyLengthOffset(sysFlag) + 4;
      switch (damage) {
        case BODY_BYTE -> flip(ch, pos + bodyAt + bad.body().length / 2);
        case MAGIC -> flip(ch, pos + MessageRecordLayout.MAGIC + 1);
        case SIZE -> flip(ch, pos + MessageRecordLayout.TOTAL_SIZE + 2);
        case PHYSICAL_OFFSET -> flip(ch, pos + MessageRecordLayout.PHYSICAL_OFFSET + 7);
        case BODY_LENGTH -> flip(ch, pos + bodyAt - 1);
        case BODY_CRC -> flip(ch, pos + MessageRecordLayout.BODY_CRC + 3);
        case ZEROED_TAIL -> {
          int from = pos + bad.size() / 2;
          ch.write(ByteBuffer.allocate(SEGMENT - from), from);
        }
        case GARBAGE_AFTER_LAST -> {
          byte[] garbage = new byte[300];
          new SplittableRandom(7).nextBytes(garbage);
          garbage[0] = 0x11; // a non-zero size field: not "end of data"
          ch.write(ByteBuffer.wrap(garbage), oldEnd - base);
        }
      }
      ch.force(true);
    }
  }

  private static void flip(FileChannel ch, long position) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1);
    ch.read(b, position);
    b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
    ch.write(b, position);
  }

  /**
   * Records [0, kept) read back unchanged, later ones are gone, queues and index agree. {@code
   * appendedTo}, if set, names the queue that got one more record after the cut.
   */
  private static void assertKept(
      MessageStore store, List<Written> written, int kept, Written appendedTo) {
    long[][] perQueue = new long[TOPICS.length][2];
    if (appendedTo != null) {
      perQueue[topicIndex(appendedTo.topic())][appendedTo.queueId()]++;
    }
    for (Written w : written) {
      StoredMessage m = store.readMessage(w.physicalOffset());
      if (w.index() >= kept) {
        assertThat(m == null || m.physicalOffset() != w.physicalOffset() || !w.key().equals(key(m)))
            .as("record %d after the cut is gone", w.index())
            .isTrue();
        assertThat(store.queryByKey(w.topic(), w.key(), 4, 0, Long.MAX_VALUE))
            .as("index finds no record %d after the cut", w.index())
            .isEmpty();
        continue;
      }
      assertThat(m).as("record %d", w.index()).isNotNull();
      assertThat(m.topic()).isEqualTo(w.topic());
      assertThat(m.queueId()).isEqualTo(w.queueId());
      assertThat(m.queueOffset()).isEqualTo(w.queueOffset());
      assertThat(m.body()).isEqualTo(w.body());
      ConsumeQueueEntry e = store.queueEntry(w.topic(), w.queueId(), w.queueOffset());
      assertThat(e).as("queue entry of record %d", w.index()).isNotNull();
      assertThat(e.physicalOffset()).isEqualTo(w.physicalOffset());
      assertThat(e.size()).isEqualTo(w.size());
      perQueue[topicIndex(w.topic())][w.queueId()]++;
    }
    for (int t = 0; t < TOPICS.length; t++) {
      for (int q = 0; q < 2; q++) {
        assertThat(store.minOffset(TOPICS[t], q)).isZero();
        assertThat(store.maxOffset(TOPICS[t], q))
            .as("max offset of %s/%d = records kept there", TOPICS[t], q)
            .isEqualTo(perQueue[t][q]);
      }
    }
    if (kept > 0) {
      Written w = written.get(kept - 1);
      assertThat(store.queryByKey(w.topic(), w.key(), 4, 0, Long.MAX_VALUE))
          .extracting(StoredMessage::physicalOffset)
          .containsExactly(w.physicalOffset());
    }
  }

  private static String key(StoredMessage m) {
    return m.propertyMap().getOrDefault(MessageProperties.KEYS, "");
  }

  private static int topicIndex(String topic) {
    return topic.equals(TOPICS[0]) ? 0 : 1;
  }

  /** Recovery zeroed the segment from the cut to its end: no stale bytes past the log end. */
  private void assertZeroFrom(long cut) throws IOException {
    long base = segmentBase(cut);
    byte[] bytes = Files.readAllBytes(dir.resolve("commitlog").resolve(FileNames.offsetName(base)));
    for (int i = (int) (cut - base); i < bytes.length; i++) {
      if (bytes[i] != 0) {
        throw new AssertionError(
            "byte " + (base + i) + " after the cut at " + cut + " is not zero");
      }
    }
  }

  private List<Long> listSegments() throws IOException {
    List<Long> bases = new ArrayList<>();
    for (Path p : FileNames.listOffsetFiles(dir.resolve("commitlog"))) {
      bases.add(FileNames.offsetOf(p));
    }
    return bases;
  }

  private static long segmentBase(long offset) {
    return offset - offset % SEGMENT;
  }
}
