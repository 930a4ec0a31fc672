package io.wharfmq.store.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.store.AppendResult;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.StoreConfig.FlushMode;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.DispatchTargets;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that appends to a store ({@link CrashWriter}) with SIGKILL at a random moment,
 * then recovers the store in this JVM and checks that everything the child acknowledged is there,
 * that consume queues and index agree with the log, and that appends continue where the log ends.
 * Rounds run on the same directory, so later rounds recover a log with a history of crashes.
 *
 * <p>Reproduce with {@code -Dwharf.crash.seed=<seed>} (printed at start and in every failure);
 * {@code -Dwharf.crash.syncRounds} and {@code -Dwharf.crash.asyncRounds} set the round counts. The
 * seed fixes message sizes, kill delays and checks; the child's thread timing is not reproducible.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class CommitLogCrashTest {
  private static final int SIGKILL_EXIT = 128 + 9;

  @TempDir Path tmp;

  /** One acknowledged record, as the child printed it (or as the parent appended it). */
  record Ack(
      long physicalOffset,
      int size,
      String topic,
      int queueId,
      long queueOffset,
      long crc,
      String key) {
    static Ack parse(String line) {
      String[] f = line.split(" ");
      if (f.length != 8 || !f[0].equals("ACK")) {
        throw new IllegalArgumentException("not an ACK line: " + line);
      }
      return new Ack(
          Long.parseLong(f[1]),
          Integer.parseInt(f[2]),
          f[3],
          Integer.parseInt(f[4]),
          Long.parseLong(f[5]),
          Long.parseLong(f[6]),
          f[7].equals("-") ? null : f[7]);
    }
  }

  @Test
  void syncModeLosesNothingAcknowledged() throws Exception {
    runRounds(FlushMode.SYNC, Integer.getInteger("wharf.crash.syncRounds", 50));
  }

  /**
   * ASYNC acknowledges after the write into the mapped segment, before fsync. SIGKILL ends the
   * process but not the kernel: dirty pages of a shared file mapping belong to the page cache and
   * reach the file whether or not the process lives, so everything acknowledged must survive a kill
   * -9 in ASYNC mode too. (A power loss is different: there ASYNC may lose the unflushed tail. This
   * test does not simulate that.)
   */
  @Test
  void asyncModeLosesNothingAcknowledgedOnProcessKill() throws Exception {
    runRounds(FlushMode.ASYNC, Integer.getInteger("wharf.crash.asyncRounds", 15));
  }

  private void runRounds(FlushMode mode, int rounds) throws Exception {
    long seed = Long.getLong("wharf.crash.seed", System.nanoTime());
    System.out.printf(
        "CommitLogCrashTest %s: seed=%d rounds=%d (rerun with -Dwharf.crash.seed=%d)%n",
        mode, seed, rounds, seed);
    SplittableRandom rnd = new SplittableRandom(seed);
    Path dir = tmp.resolve("store");
    Path childLog = tmp.resolve("child-stderr.log");
    // Every acknowledged record of every round, by physical offset.
    TreeMap<Long, Ack> acked = new TreeMap<>();
    long started = System.nanoTime();
    long totalAcks = 0;
    for (int round = 0; round < rounds; round++) {
      try {
        List<Ack> acks = crashOneRound(dir, mode, rnd, round, childLog);
        totalAcks += acks.size();
        for (Ack a : acks) {
          Ack previous = acked.put(a.physicalOffset(), a);
          assertThat(previous)
              .as("two acknowledged records at offset %d", a.physicalOffset())
              .isNull();
        }
        verifyAndAppend(dir, mode, rnd, round, acks, acked);
      } catch (AssertionError | Exception e) {
        throw new AssertionError(
            "Crash test "
                + mode
                + " failed in round "
                + round
                + " (seed="
                + seed
                + ", rerun with -Dwharf.crash.seed="
                + seed
                + "): "
                + e.getMessage()
                + "\nchild stderr (tail):\n"
                + tail(childLog, 40),
            e);
      }
    }
    System.out.printf(
        "CommitLogCrashTest %s: %d rounds, %d records acknowledged by children, log ends at %d,"
            + " %d ms%n",
        mode,
        rounds,
        totalAcks,
        acked.isEmpty() ? 0 : acked.lastEntry().getValue().physicalOffset(),
        (System.nanoTime() - started) / 1_000_000);
  }

  /** Starts the writer, kills it with SIGKILL a random time after its first ack, returns acks. */
  private List<Ack> crashOneRound(
      Path dir, FlushMode mode, SplittableRandom rnd, int round, Path childLog) throws Exception {
    int threads = 2 + rnd.nextInt(3);
    List<String> command =
        List.of(
            ProcessHandle.current().info().command().orElseThrow(),
            "-Xshare:auto",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-XX:-UsePerfData",
            "-Xms32m",
            "-Xmx96m",
            "-Dlogback.configurationFile=logback-crash-child.xml",
            "-cp",
            System.getProperty("java.class.path"),
            CrashWriter.class.getName(),
            dir.toString(),
            mode.name(),
            Long.toString(rnd.nextLong()),
            Integer.toString(threads),
            Integer.toString(round));
    Process child =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(childLog.toFile()))
            .start();
    child.getOutputStream().close();
    AckReader reader = new AckReader(child.getInputStream());
    reader.start();
    try {
      if (!reader.firstAck.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError(
            "child acknowledged nothing within 60 s (alive=" + child.isAlive() + ")");
      }
      long killAfterMs = 50 + rnd.nextInt(551);
      // Waiting on the child doubles as the random delay before the kill and catches a child
      // that dies on its own, which would be a failure of its own.
      if (child.waitFor(killAfterMs, TimeUnit.MILLISECONDS)) {
        throw new AssertionError("child exited on its own with status " + child.exitValue());
      }
      // Through the handle: Process.destroyForcibly() also sends SIGKILL on Linux but then closes
      // our end of the stdout pipe, losing acknowledgements still buffered in it.
      assertThat(child.toHandle().destroyForcibly()).as("SIGKILL sent").isTrue();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child ended after SIGKILL").isTrue();
      // On Linux the JDK reports death by signal N as 128+N: this proves SIGKILL, not SIGTERM.
      assertThat(child.exitValue()).as("child exit status (137 = SIGKILL)").isEqualTo(SIGKILL_EXIT);
    } finally {
      if (child.isAlive()) {
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
      }
    }
    reader.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(reader.isAlive()).as("stdout reader finished").isFalse();
    if (reader.failure != null) {
      throw new AssertionError("reading the child's stdout failed", reader.failure);
    }
    return reader.acks;
  }

  /** Reopens the store, checks it against the acknowledgements, appends, closes. */
  private void verifyAndAppend(
      Path dir,
      FlushMode mode,
      SplittableRandom rnd,
      int round,
      List<Ack> roundAcks,
      TreeMap<Long, Ack> acked)
      throws Exception {
    try (MessageStore store =
        MessageStore.open(CrashWriter.config(dir, mode), InstantSource.system())) {
      // Recovery dispatched the whole log before open returned.
      assertThat(store.dispatchedOffset()).isEqualTo(store.commitLogMaxOffset());
      for (Ack a : acked.values()) {
        checkRecord(store, a);
      }
      Map<String, Long> maxAckedQueueOffset = new HashMap<>();
      for (Ack a : acked.values()) {
        maxAckedQueueOffset.merge(queueKey(a.topic(), a.queueId()), a.queueOffset(), Math::max);
      }
      Map<String, Long> recordsPerQueue = checkLogAgainstQueues(store);
      for (String topic : CrashWriter.TOPICS) {
        for (int q = 0; q < CrashWriter.QUEUES; q++) {
          checkQueue(store, topic, q, recordsPerQueue, maxAckedQueueOffset);
        }
      }
      checkKeys(store, rnd, roundAcks, acked);
      for (Ack a : appendAfterRecovery(store, round)) {
        acked.put(a.physicalOffset(), a);
      }
    }
  }

  private static void checkRecord(MessageStore store, Ack a) {
    StoredMessage m = store.readMessage(a.physicalOffset());
    assertThat(m).as("acknowledged record %s is readable", a).isNotNull();
    assertThat(m.physicalOffset()).as("physical offset of %s", a).isEqualTo(a.physicalOffset());
    assertThat(m.totalSize()).as("size of %s", a).isEqualTo(a.size());
    assertThat(m.topic()).as("topic of %s", a).isEqualTo(a.topic());
    assertThat(m.queueId()).as("queue of %s", a).isEqualTo(a.queueId());
    assertThat(m.queueOffset()).as("queue offset of %s", a).isEqualTo(a.queueOffset());
    assertThat(CrashWriter.crc32(m.body())).as("body checksum of %s", a).isEqualTo(a.crc());
  }

  /**
   * Walks every record of the log and checks that its queue's entry at its queue offset points back
   * at it. Returns the number of records per queue.
   */
  private static Map<String, Long> checkLogAgainstQueues(MessageStore store) {
    Map<String, Long> perQueue = new HashMap<>();
    long at = store.commitLogMinOffset();
    long end = store.commitLogMaxOffset();
    while (at < end) {
      try (StoredBytes record = store.readRecord(at)) {
        assertThat(record)
            .as("a record or blank marker at log offset %d (end %d)", at, end)
            .isNotNull();
        ByteBuffer buf = record.buffer();
        if (buf.getInt(MessageRecordLayout.MAGIC) == MessageRecordLayout.BLANK_MAGIC) {
          at += record.size();
          continue;
        }
        assertThat(buf.getLong(MessageRecordLayout.PHYSICAL_OFFSET)).isEqualTo(at);
        List<DispatchTargets.Target> targets = targets(buf);
        if (targets != null) {
          for (DispatchTargets.Target t : targets) {
            ConsumeQueueEntry e = store.queueEntry(t.topic(), t.queueId(), t.queueOffset());
            assertThat(e).as("entry for target %s of the fan-out at %d", t, at).isNotNull();
            assertThat(e.physicalOffset()).as("target %s points at the fan-out", t).isEqualTo(at);
            assertThat(e.size()).isEqualTo(record.size());
            perQueue.merge(queueKey(t.topic(), t.queueId()), 1L, Long::sum);
          }
          assertThat(store.maxOffset(CrashWriter.FANOUT_TOPIC, 0)).isZero();
          assertThat(buf.getLong(MessageRecordLayout.QUEUE_OFFSET))
              .as("own QUEUEOFFSET of the fan-out at %d", at)
              .isEqualTo(MessageRecordLayout.DISPATCHED_QUEUE_OFFSET);
          at += record.size();
          continue;
        }
        String topic = StoredMessage.topic(buf, 0);
        int queueId = buf.getInt(MessageRecordLayout.QUEUE_ID);
        long queueOffset = buf.getLong(MessageRecordLayout.QUEUE_OFFSET);
        ConsumeQueueEntry e = store.queueEntry(topic, queueId, queueOffset);
        assertThat(e)
            .as(
                "consume queue %s/%d has entry %d for the record at %d",
                topic, queueId, queueOffset, at)
            .isNotNull();
        assertThat(e.physicalOffset())
            .as("entry %s/%d@%d points at the record", topic, queueId, queueOffset)
            .isEqualTo(at);
        assertThat(e.size()).isEqualTo(record.size());
        perQueue.merge(queueKey(topic, queueId), 1L, Long::sum);
        at += record.size();
      }
    }
    assertThat(at).as("log walk ends exactly at the log end").isEqualTo(end);
    return perQueue;
  }

  private static void checkQueue(
      MessageStore store,
      String topic,
      int queueId,
      Map<String, Long> recordsPerQueue,
      Map<String, Long> maxAckedQueueOffset) {
    String key = queueKey(topic, queueId);
    long min = store.minOffset(topic, queueId);
    long max = store.maxOffset(topic, queueId);
    assertThat(min).as("min offset of %s (nothing was deleted)", key).isZero();
    assertThat(max)
        .as("max offset of %s covers every acknowledged record", key)
        .isGreaterThanOrEqualTo(maxAckedQueueOffset.getOrDefault(key, -1L) + 1);
    assertThat(max - min)
        .as("entries of %s = records of %s in the log (no gaps, no extras)", key, key)
        .isEqualTo(recordsPerQueue.getOrDefault(key, 0L));
    for (long i = min; i < max; i++) {
      ConsumeQueueEntry e = store.queueEntry(topic, queueId, i);
      assertThat(e).as("entry %s@%d", key, i).isNotNull();
      try (StoredBytes record = store.readRecord(e.physicalOffset())) {
        assertThat(record).as("record of entry %s@%d", key, i).isNotNull();
        ByteBuffer buf = record.buffer();
        List<DispatchTargets.Target> targets = targets(buf);
        if (targets != null) {
          long entry = i;
          assertThat(targets)
              .as("fan-out of entry %s@%d lists it", key, i)
              .anyMatch(
                  t ->
                      t.topic().equals(topic)
                          && t.queueId() == queueId
                          && t.queueOffset() == entry);
          continue;
        }
        assertThat(buf.getLong(MessageRecordLayout.QUEUE_OFFSET))
            .as("entry %s@%d", key, i)
            .isEqualTo(i);
        assertThat(buf.getInt(MessageRecordLayout.QUEUE_ID)).isEqualTo(queueId);
        assertThat(StoredMessage.topic(buf, 0)).isEqualTo(topic);
      }
    }
  }

  /** Every acknowledged key of this round (up to 50) and some older ones are found by the index. */
  private static void checkKeys(
      MessageStore store, SplittableRandom rnd, List<Ack> roundAcks, TreeMap<Long, Ack> acked) {
    List<Ack> sample = new ArrayList<>();
    for (Ack a : roundAcks) {
      if (a.key() != null) {
        sample.add(a);
      }
    }
    Collections.shuffle(sample, new Random(rnd.nextLong()));
    sample = new ArrayList<>(sample.subList(0, Math.min(50, sample.size())));
    List<Ack> all = new ArrayList<>(acked.values());
    for (int i = 0; i < 10 && !all.isEmpty(); i++) {
      Ack a = all.get(rnd.nextInt(all.size()));
      if (a.key() != null) {
        sample.add(a);
      }
    }
    for (Ack a : sample) {
      List<StoredMessage> found = store.queryByKey(a.topic(), a.key(), 4, 0, Long.MAX_VALUE);
      assertThat(found)
          .as("query by key %s of %s", a.key(), a)
          .extracting(StoredMessage::physicalOffset)
          .containsExactly(a.physicalOffset());
    }
  }

  /** Appends one message per queue: offsets must continue right after the recovered end. */
  private static List<Ack> appendAfterRecovery(MessageStore store, int round) throws Exception {
    List<Ack> added = new ArrayList<>();
    for (String topic : CrashWriter.TOPICS) {
      for (int q = 0; q < CrashWriter.QUEUES; q++) {
        long expected = store.maxOffset(topic, q);
        String key = "parent-" + round + "-" + topic + "-" + q;
        byte[] body = key.getBytes(StandardCharsets.UTF_8);
        MessageToStore m =
            MessageToStore.of(
                topic, q, body, MessageProperties.encode(Map.of(MessageProperties.KEYS, key)), 0L);
        AppendResult r = store.append(m).get(30, TimeUnit.SECONDS);
        assertThat(r.isOk()).as("append after recovery: %s", r).isTrue();
        assertThat(r.queueOffset())
            .as("queue offset of %s/%d continues without a gap", topic, q)
            .isEqualTo(expected);
        Ack a =
            new Ack(
                r.physicalOffset(),
                r.sizes()[0],
                topic,
                q,
                r.queueOffset(),
                CrashWriter.crc32(body),
                key);
        checkRecord(store, a);
        added.add(a);
      }
    }
    return added;
  }

  /** The dispatch targets of the record at index 0 of {@code buf}, or null for a plain record. */
  private static List<DispatchTargets.Target> targets(ByteBuffer buf) {
    String value =
        MessageProperties.find(StoredMessage.properties(buf, 0), MessageProperties.DISPATCH);
    return value == null ? null : DispatchTargets.parse(value);
  }

  private static String queueKey(String topic, int queueId) {
    return topic + "/" + queueId;
  }

  private static String tail(Path file, int lines) {
    try {
      if (!Files.exists(file)) {
        return "(none)";
      }
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** Drains the child's stdout, keeping complete ACK lines; a last line without newline is cut. */
  private static final class AckReader extends Thread {
    final CountDownLatch firstAck = new CountDownLatch(1);
    final List<Ack> acks = Collections.synchronizedList(new ArrayList<>());
    volatile Throwable failure;
    private final InputStream in;

    AckReader(InputStream in) {
      super("crash-ack-reader");
      setDaemon(true);
      this.in = in;
    }

    @Override
    public void run() {
      StringBuilder line = new StringBuilder();
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
        int c;
        while ((c = r.read()) >= 0) {
          if (c != '\n') {
            line.append((char) c);
            continue;
          }
          String s = line.toString();
          line.setLength(0);
          if (s.startsWith("ACK ")) {
            acks.add(Ack.parse(s));
            firstAck.countDown();
          }
        }
      } catch (IOException | RuntimeException e) {
        failure = e;
      }
    }
  }
}
