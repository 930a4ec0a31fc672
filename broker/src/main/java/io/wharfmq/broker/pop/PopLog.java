package io.wharfmq.broker.pop;

import io.wharfmq.broker.offset.ConsumerOffsetManager;
import io.wharfmq.store.AppendResult;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.ObjLongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pop log: records of pop state changes ({@link PopLogRecord}) appended to the system topic
 * {@link #TOPIC} in the commit log, replayed from the replay start kept as the offset of {@link
 * #REPLAY_GROUP} (so it is persisted atomically with the committed offsets it goes with).
 * Thread-safe.
 */
public final class PopLog {
  private static final Logger log = LoggerFactory.getLogger(PopLog.class);

  /** The system topic holding the pop log (one queue). */
  public static final String TOPIC = "WHARF_POP_LOG";

  /** Pseudo group whose offset on {@link #TOPIC} is where a replay starts. */
  public static final String REPLAY_GROUP = "WHARF_POP_REPLAY";

  private final MessageStore store;
  private final ConsumerOffsetManager offsets;
  private final InstantSource clock;
  private final InetSocketAddress storeHost;

  public PopLog(
      MessageStore store,
      ConsumerOffsetManager offsets,
      InstantSource clock,
      InetSocketAddress storeHost) {
    this.store = store;
    this.offsets = offsets;
    this.clock = clock;
    this.storeHost = storeHost;
  }

  /**
   * Appends a record; the result's queueOffset is the record's position in the log. Written even
   * while the store refuses new messages for disk use: acks are what let pinned retention free the
   * disk (docs/storage.md, "Retention and queues"). With SYNC flush it does not wait for the fsync:
   * a pop or ack record lost in a crash makes a message be delivered again, never lost, and waiting
   * put every consumer's pop and ack behind the publishers' flushes.
   */
  CompletableFuture<AppendResult> append(PopLogRecord record) {
    byte[] body = PopLogRecordLayout.encode(record);
    return store.appendBookkeeping(
        new MessageToStore(TOPIC, 0, 0, body, "", 0, clock.millis(), storeHost, storeHost, 0, 0L));
  }

  /** The position the next record will get at the earliest. */
  long end() {
    return store.maxOffset(TOPIC, 0);
  }

  /** Sets where the next replay starts (persisted with the consumer offsets). */
  void replayFrom(long position) {
    if (position != offsets.query(REPLAY_GROUP, TOPIC, 0)) {
      offsets.commit(REPLAY_GROUP, TOPIC, 0, position);
    }
  }

  /**
   * Hands every record from the replay start to the end, with its position, to {@code apply}; a
   * record that does not decode is skipped with a warning. Returns how many were applied.
   */
  int replay(ObjLongConsumer<PopLogRecord> apply) {
    long from = Math.max(offsets.query(REPLAY_GROUP, TOPIC, 0), store.minOffset(TOPIC, 0));
    long max = end();
    int applied = 0;
    for (long pos = from; pos < max; pos++) {
      ConsumeQueueEntry e = store.queueEntry(TOPIC, 0, pos);
      StoredMessage m = e == null ? null : store.readMessage(e.physicalOffset());
      if (m == null) {
        continue;
      }
      PopLogRecord r;
      try {
        r = PopLogRecordLayout.decode(m.body());
      } catch (IllegalArgumentException bad) {
        log.warn("Skipping invalid pop log record at {}: {}", pos, bad.getMessage());
        continue;
      }
      apply.accept(r, pos);
      applied++;
    }
    log.info("Replayed {} pop log records from position {} to {}", applied, from, max);
    return applied;
  }

  /** Convenience for a queue's record with its current scan position. */
  static PopLogRecord record(PopQueue q, List<PopLogRecord.Entry> entries) {
    return new PopLogRecord(q.group, q.topic, q.queueId, q.scanFrom, entries);
  }
}
