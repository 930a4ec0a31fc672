package io.wharfmq.store;

import io.wharfmq.store.commitlog.CommitLog;
import io.wharfmq.store.commitlog.CommitLogFlusher;
import io.wharfmq.store.commitlog.CommitLogWriter;
import io.wharfmq.store.commitlog.QueueOffsetAssigner;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.MessageEncoder;
import io.wharfmq.store.format.MessageEncoder.EncodedRecord;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.index.IndexService;
import io.wharfmq.store.queue.ConsumeQueue;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import io.wharfmq.store.queue.ConsumeQueueTable;
import io.wharfmq.store.queue.DispatchListener;
import io.wharfmq.store.queue.Dispatcher;
import io.wharfmq.store.recovery.CheckpointService;
import io.wharfmq.store.recovery.StoreLock;
import io.wharfmq.store.retention.RetentionService;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message store: commit log, consume queues, index, recovery and retention behind one API.
 * {@link #open} recovers the data directory (see {@link StoreRecovery}) and starts the agents; each
 * append is encoded on the caller's thread and written under the commit log's append lock (see
 * {@link CommitLogWriter}).
 *
 * <p>Thread-safe: any thread may append and read.
 */
public final class MessageStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MessageStore.class);
  private static final int MAX_TOPIC_LENGTH = 255;

  private final StoreConfig config;
  private final InstantSource clock;
  private final StoreLock lock;
  private final CommitLog commitLog;
  private final ConsumeQueueTable queues;
  private final IndexService index;
  private final Dispatcher dispatcher;
  private final CommitLogFlusher flusher;
  private final CommitLogWriter writer;
  private final CheckpointService checkpoints;
  private final RetentionService retention;
  private boolean closed;

  MessageStore(
      StoreConfig config,
      InstantSource clock,
      StoreLock lock,
      CommitLog commitLog,
      ConsumeQueueTable queues,
      IndexService index,
      Dispatcher dispatcher,
      QueueOffsetAssigner queueOffsets) {
    this.config = config;
    this.clock = clock;
    this.lock = lock;
    this.commitLog = commitLog;
    this.queues = queues;
    this.index = index;
    this.dispatcher = dispatcher;
    this.flusher =
        new CommitLogFlusher(
            commitLog,
            config.flushIntervalCommitLog(),
            config.flushCommitLogLeastPages(),
            config.flushCommitLogThoroughInterval(),
            config.flushDiskType() == StoreConfig.FlushMode.SYNC);
    this.writer =
        new CommitLogWriter(
            commitLog,
            commitLog.publishedOffset(),
            config.appendQueueCapacity(),
            clock,
            queueOffsets,
            flusher,
            config.flushDiskType() == StoreConfig.FlushMode.SYNC,
            config.warmMapedFileEnable(),
            dispatcher::wakeUp);
    this.checkpoints =
        new CheckpointService(
            config.storePathRootDir(),
            config.checkpointIntervalMs(),
            clock,
            commitLog,
            queues,
            index,
            dispatcher);
    this.retention =
        new RetentionService(config, clock, commitLog, queues, index, dispatcher::dispatchedOffset);
  }

  /** Opens (and if needed recovers) the store in {@code config.storePathRootDir()}. */
  public static MessageStore open(StoreConfig config, InstantSource clock) throws IOException {
    return open(config, clock, DispatchListener.NONE);
  }

  /** As {@link #open(StoreConfig, InstantSource)}, telling {@code listener} of new entries. */
  public static MessageStore open(
      StoreConfig config, InstantSource clock, DispatchListener listener) throws IOException {
    config.validate();
    MessageStore store = StoreRecovery.recover(config, clock, listener);
    store.start();
    return store;
  }

  private void start() {
    dispatcher.start();
    flusher.start();
    writer.start();
    checkpoints.start();
    retention.start();
  }

  public StoreConfig config() {
    return config;
  }

  /** Appends one message. The future always completes normally; failures are a status. */
  public CompletableFuture<AppendResult> append(MessageToStore message) {
    return submit(List.of(message));
  }

  /**
   * Appends messages as one unit: contiguous in one segment, acknowledged together, consecutive
   * queue offsets when they share a queue.
   */
  public CompletableFuture<AppendResult> appendBatch(List<MessageToStore> messages) {
    return submit(messages);
  }

  /**
   * Appends a record the broker writes on its own account, not for a publisher: the pop log's
   * deliveries and acknowledgements, a dead letter moved out of a queue. It goes in even while disk
   * use is above diskSpaceWarningLevelRatio and new messages are refused: such records let
   * consumers finish queued messages, which is what frees the disk when groups with queue semantics
   * pin retention. A disk with no room left at all still answers {@code DISK_FULL}.
   */
  public CompletableFuture<AppendResult> appendInternal(MessageToStore message) {
    return encodeAndWrite(List.of(message), true);
  }

  /**
   * As {@link #appendInternal}, but with SYNC flush the future completes once the record is written
   * and visible, without waiting for the fsync: for bookkeeping whose loss in a crash only repeats
   * work (a lost pop-log record makes a message be delivered again, never lost).
   */
  public CompletableFuture<AppendResult> appendBookkeeping(MessageToStore message) {
    return encodeAndWrite(List.of(message), false);
  }

  private CompletableFuture<AppendResult> submit(List<MessageToStore> messages) {
    if (retention.writesRefused()) {
      return CompletableFuture.completedFuture(
          AppendResult.failed(
              AppendStatus.DISK_FULL,
              "disk use "
                  + retention.lastUsedPercent()
                  + "% is above diskSpaceWarningLevelRatio "
                  + config.effectiveDiskSpaceWarningLevelRatio()
                  + "%: no space for new messages until retention or an operator frees some"));
    }
    return encodeAndWrite(messages, true);
  }

  private CompletableFuture<AppendResult> encodeAndWrite(
      List<MessageToStore> messages, boolean awaitFlush) {
    EncodedRecord[] records = new EncodedRecord[messages.size()];
    for (int i = 0; i < records.length; i++) {
      MessageToStore m = messages.get(i);
      if (!isValidTopic(m.topic())) {
        return CompletableFuture.completedFuture(
            AppendResult.failed(
                AppendStatus.TOPIC_INVALID,
                "topic must be 1-255 characters of [%|a-zA-Z0-9_.-]: " + m.topic()));
      }
      try {
        records[i] = MessageEncoder.encode(m, config.maxMessageSize());
      } catch (MessageEncoder.EncodeException e) {
        return CompletableFuture.completedFuture(
            AppendResult.failed(AppendStatus.valueOf(e.check().name()), e.getMessage()));
      }
    }
    if (records.length == 0) {
      return CompletableFuture.completedFuture(
          AppendResult.failed(AppendStatus.MESSAGE_TOO_LARGE, "empty batch"));
    }
    return writer.submit(records, awaitFlush);
  }

  /**
   * 1-255 characters of [%|a-zA-Z0-9_.-], and not "." or "..". A loop rather than a regex: it runs
   * for every appended message, and the regex was a fifth of the appending thread's time.
   */
  public static boolean isValidTopic(String topic) {
    int n = topic.length();
    if (n == 0 || n > MAX_TOPIC_LENGTH || topic.equals(".") || topic.equals("..")) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = topic.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '%'
              || c == '|'
              || c == '_'
              || c == '.'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The record at a log offset, without copying; null if not stored. Close it. */
  public StoredBytes readRecord(long physicalOffset) {
    return commitLog.readRecord(physicalOffset);
  }

  /**
   * The record at a queue's logical offset, as a record of that queue: a record dispatched there
   * from another topic comes back as a copy with the queue's topic, queue id and offset (see
   * DispatchView). Null if the queue has no such entry or the record is gone. Close it.
   */
  public StoredBytes readQueueRecord(String topic, int queueId, long offset) {
    return new QueueReader(commitLog, queues).readQueueRecord(topic, queueId, offset);
  }

  /** The decoded record at a log offset, or null. */
  public StoredMessage readMessage(long physicalOffset) {
    try (StoredBytes bytes = commitLog.readRecord(physicalOffset)) {
      return bytes == null ? null : StoredMessage.decode(bytes.buffer(), 0);
    }
  }

  /**
   * Reads up to {@code maxCount} messages (and about {@code maxBytes}) from a queue starting at
   * {@code offset}, returning stored bytes without copying. Entries the filter rejects are skipped.
   */
  public GetMessageResult getMessages(
      String topic, int queueId, long offset, int maxCount, int maxBytes, MessageFilter filter) {
    return new QueueReader(commitLog, queues)
        .read(topic, queueId, offset, maxCount, maxBytes, filter);
  }

  public GetMessageResult getMessages(
      String topic, int queueId, long offset, int maxCount, MessageFilter filter) {
    return getMessages(topic, queueId, offset, maxCount, 256 * 1024, filter);
  }

  /** First logical offset still readable in a queue (0 for an unknown queue). */
  public long minOffset(String topic, int queueId) {
    ConsumeQueue q = queues.find(topic, queueId);
    return q == null ? 0 : q.minOffset();
  }

  /** Next logical offset to be written in a queue (0 for an unknown queue). */
  public long maxOffset(String topic, int queueId) {
    ConsumeQueue q = queues.find(topic, queueId);
    return q == null ? 0 : q.maxOffset();
  }

  /** The consume-queue entry at a logical offset, or null. */
  public ConsumeQueueEntry queueEntry(String topic, int queueId, long offset) {
    ConsumeQueue q = queues.find(topic, queueId);
    return q == null ? null : q.get(offset);
  }

  /** Queue ids of a topic that have entries. */
  public List<Integer> queueIds(String topic) {
    return queues.queueIds(topic);
  }

  /**
   * The first logical offset whose message was stored at or after {@code timestamp}; the max offset
   * if none was.
   */
  public long offsetForTimestamp(String topic, int queueId, long timestamp) {
    return new QueueReader(commitLog, queues).offsetForTimestamp(topic, queueId, timestamp);
  }

  /** Store time of the oldest readable message of a queue, or -1. */
  public long earliestStoreTime(String topic, int queueId) {
    return new QueueReader(commitLog, queues)
        .storeTimeAt(topic, queueId, minOffset(topic, queueId));
  }

  /** Store time of the message at a queue's logical offset, or -1 if there is none. */
  public long storeTimeAt(String topic, int queueId, long offset) {
    return new QueueReader(commitLog, queues).storeTimeAt(topic, queueId, offset);
  }

  /** Messages whose KEYS contain {@code key} (or whose UNIQ_KEY is it), newest first. */
  public List<StoredMessage> queryByKey(
      String topic, String key, int maxNum, long beginTimestamp, long endTimestamp) {
    return new KeyQuery(commitLog, index).query(topic, key, maxNum, beginTimestamp, endTimestamp);
  }

  /** The message with this unique id (UNIQ_KEY) in a topic, or null. */
  public StoredMessage queryByUniqueKey(String topic, String uniqueKey) {
    List<StoredMessage> found = queryByKey(topic, uniqueKey, 1, 0, Long.MAX_VALUE);
    return found.isEmpty() ? null : found.get(0);
  }

  /**
   * Deletes the consume queues of the topics {@code which} selects (a deleted topic, or one no
   * topic configuration names any more); the commit log keeps their records until retention.
   * Returns how many queues had files.
   */
  public CompletableFuture<Integer> deleteTopicQueues(Predicate<String> which) {
    return dispatcher.submit(() -> queues.destroyQueues(q -> which.test(q.topic())));
  }

  /**
   * Deletes the consume queues all of whose entries point below the commit log's first offset:
   * their messages are gone with retention (RocketMQ's cleanExpiredConsumerQueue). Returns how
   * many.
   */
  public CompletableFuture<Integer> deleteExpiredQueues() {
    return dispatcher.submit(() -> queues.destroyExpired(commitLog.minOffset()));
  }

  /** Topics that have consume queues. */
  public Set<String> queueTopics() {
    return queues.topics();
  }

  public long commitLogMinOffset() {
    return commitLog.minOffset();
  }

  /** Log offset where the next record goes. */
  public long commitLogMaxOffset() {
    return commitLog.publishedOffset();
  }

  public long commitLogFlushedOffset() {
    return commitLog.flushedOffset();
  }

  public long dispatchedOffset() {
    return dispatcher.dispatchedOffset();
  }

  /** Waits until every published record is in its consume queue; false on timeout. */
  public boolean awaitDispatched(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long target = commitLog.publishedOffset();
    while (dispatcher.dispatchedOffset() < target) {
      if (System.nanoTime() > deadline || dispatcher.failure() != null) {
        return false;
      }
      Thread.onSpinWait();
      Thread.yield();
    }
    return true;
  }

  /** The retention agent, for operators' "delete now" and tests. */
  public RetentionService retention() {
    return retention;
  }

  /** The checkpoint agent, for tests. */
  public CheckpointService checkpoints() {
    return checkpoints;
  }

  /**
   * Clean shutdown: stop taking appends, write and flush what was accepted, finish dispatching,
   * flush queues and index, write the final checkpoint and remove the abort marker.
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writer.close();
      flusher.close();
      dispatcher.close();
      checkpoints.stop();
      retention.stop();
      checkpoints.runOnce();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while closing the store", e);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("final checkpoint failed", e);
    }
    boolean clean = dispatcher.failure() == null;
    index.close();
    queues.close();
    commitLog.close();
    if (clean) {
      lock.markCleanShutdown();
    }
    lock.close();
    log.info(
        "Store {} closed {}: log ends at {}",
        config.storePathRootDir(),
        clean ? "cleanly" : "after a dispatcher failure (next start recovers)",
        commitLog.publishedOffset());
  }

  InstantSource clock() {
    return clock;
  }
}
