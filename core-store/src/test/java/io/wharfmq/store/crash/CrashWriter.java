package io.wharfmq.store.crash;

import io.wharfmq.store.AppendResult;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.StoreConfig.FlushMode;
import io.wharfmq.store.format.DispatchTargets;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.format.MessageToStore;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * The child program of {@link CommitLogCrashTest}: opens a store and appends random messages from
 * several threads until it is killed; one in eight is a fan-out of {@link #FANOUT_TOPIC} dispatched
 * to 1-4 queues. After each append is acknowledged (future completed with OK) it prints one line
 * per record to stdout:
 *
 * <pre>ACK physicalOffset size topic queueId queueOffset bodyCrc32 key|-</pre>
 *
 * Each line goes out in a single write(2) on the raw stdout descriptor (lines are far below
 * PIPE_BUF), so a kill never leaves half a line that looks whole; a trailing fragment has no
 * newline and the parent drops it. Logging goes to stderr (logback-crash-child.xml).
 *
 * <p>Arguments: data directory, SYNC|ASYNC, seed, writer threads, round tag (keeps keys unique).
 */
public final class CrashWriter {
  static final String[] TOPICS = {"CrashA", "CrashB", "CrashC"};
  static final int QUEUES = 3;
  static final String[] TAGS = {"TagA", "TagB", "TagC"};

  /** Topic of the fan-out records: each reaches 1-4 queues of {@link #TOPICS} (WHARF_DISPATCH). */
  static final String FANOUT_TOPIC = "CrashX";

  private static final Object STDOUT_LOCK = new Object();
  private static final FileOutputStream STDOUT = new FileOutputStream(FileDescriptor.out);

  private CrashWriter() {}

  /** The configuration both the child and the verifying parent open the store with. */
  static StoreConfig config(Path dir, FlushMode mode) {
    return new StoreConfig(dir)
        .mappedFileSizeCommitLog(1024 * 1024)
        .maxMessageSize(64 * 1024)
        .flushDiskType(mode)
        .flushIntervalCommitLog(20)
        .consumeQueueEntriesPerFile(1000)
        .maxHashSlotNum(4096)
        .maxIndexNum(20_000)
        .checkpointIntervalMs(50)
        .appendQueueCapacity(1024);
  }

  /** Body checksum as printed in ACK lines. */
  static long crc32(byte[] body) {
    CRC32 crc = new CRC32();
    crc.update(body);
    return crc.getValue();
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    FlushMode mode = FlushMode.valueOf(args[1]);
    long seed = Long.parseLong(args[2]);
    int threads = Integer.parseInt(args[3]);
    String round = args[4];
    MessageStore store = MessageStore.open(config(dir, mode), InstantSource.system());
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + t);
      String keyPrefix = "k" + round + "-" + t + "-";
      Thread worker = new Thread(() -> appendForever(store, rnd, keyPrefix), "crash-writer-" + t);
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
  }

  private static void appendForever(MessageStore store, SplittableRandom rnd, String keyPrefix) {
    try {
      for (long seq = 0; ; seq++) {
        boolean fanOut = rnd.nextInt(8) == 0;
        String topic = fanOut ? FANOUT_TOPIC : TOPICS[rnd.nextInt(TOPICS.length)];
        int queueId = fanOut ? 0 : rnd.nextInt(QUEUES);
        int count = !fanOut && rnd.nextInt(8) == 0 ? 2 + rnd.nextInt(3) : 1;
        List<MessageToStore> batch = new ArrayList<>(count);
        List<String> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          String key = rnd.nextBoolean() ? keyPrefix + seq + "-" + i : null;
          keys.add(key);
          MessageToStore m = message(rnd, topic, queueId, key);
          batch.add(fanOut ? withTargets(m, rnd) : m);
        }
        AppendResult r =
            count == 1 ? store.append(batch.get(0)).get() : store.appendBatch(batch).get();
        if (!r.isOk()) {
          throw new IllegalStateException("append failed: " + r.status() + " " + r.detail());
        }
        for (int i = 0; i < count; i++) {
          ack(
              r.physicalOffsets()[i],
              r.sizes()[i],
              topic,
              queueId,
              // A fan-out's own QUEUEOFFSET is -1: it takes an offset only in its targets.
              fanOut ? MessageRecordLayout.DISPATCHED_QUEUE_OFFSET : r.queueOffset() + i,
              crc32(batch.get(i).body()),
              keys.get(i));
        }
      }
    } catch (Throwable e) {
      // The parent treats any exit before its kill as a failure and shows this.
      e.printStackTrace();
      System.exit(3);
    }
  }

  /** {@code m} dispatched to 1-4 distinct queues of {@link #TOPICS} instead of its own. */
  private static MessageToStore withTargets(MessageToStore m, SplittableRandom rnd) {
    List<DispatchTargets.Queue> all = new ArrayList<>();
    for (String t : TOPICS) {
      for (int q = 0; q < QUEUES; q++) {
        all.add(new DispatchTargets.Queue(t, q));
      }
    }
    List<DispatchTargets.Queue> targets = new ArrayList<>();
    int n = 1 + rnd.nextInt(4);
    while (targets.size() < n) {
      targets.add(all.remove(rnd.nextInt(all.size())));
    }
    Map<String, String> props = MessageProperties.decode(m.properties());
    props.put(MessageProperties.DISPATCH, DispatchTargets.encode(targets));
    return MessageToStore.of(m.topic(), m.queueId(), m.body(), MessageProperties.encode(props), 0L);
  }

  private static MessageToStore message(
      SplittableRandom rnd, String topic, int queueId, String key) {
    int size = rnd.nextInt(16) == 0 ? rnd.nextInt(48 * 1024) : rnd.nextInt(2048);
    byte[] body = new byte[size];
    rnd.nextBytes(body);
    Map<String, String> props = new LinkedHashMap<>();
    if (rnd.nextInt(4) != 0) {
      props.put(MessageProperties.TAGS, TAGS[rnd.nextInt(TAGS.length)]);
    }
    if (key != null) {
      props.put(MessageProperties.KEYS, key + " shared-" + rnd.nextInt(10));
    }
    return MessageToStore.of(topic, queueId, body, MessageProperties.encode(props), 0L);
  }

  private static void ack(
      long physicalOffset,
      int size,
      String topic,
      int queueId,
      long queueOffset,
      long crc,
      String key)
      throws IOException {
    String line =
        "ACK "
            + physicalOffset
            + ' '
            + size
            + ' '
            + topic
            + ' '
            + queueId
            + ' '
            + queueOffset
            + ' '
            + crc
            + ' '
            + (key == null ? "-" : key)
            + '\n';
    byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
    synchronized (STDOUT_LOCK) {
      STDOUT.write(bytes);
    }
  }
}
