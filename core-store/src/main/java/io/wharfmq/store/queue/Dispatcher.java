package io.wharfmq.store.queue;

import io.wharfmq.store.commitlog.CommitLog;
import io.wharfmq.store.format.DispatchTargets;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.format.MessageSysFlag;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.index.IndexService;
import io.wharfmq.store.mapped.MappedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the consume queues and the index from the commit log, in log order, on its own thread
 * ({@code wharf-dispatcher}). The writer wakes it after publishing; it reads records up to the
 * published offset and advances {@link #dispatchedOffset()}. A record with dispatch targets ({@code
 * WHARF_DISPATCH}) gets an entry in each target queue, at the offset written in the record, and
 * none in its own. Recovery calls {@link #dispatchTo} directly before the thread starts.
 */
public final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long RETRY_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final CommitLog commitLog;
  private final ConsumeQueueTable queues;
  private final IndexService index;
  private final DispatchListener listener;
  private final Thread thread;
  private volatile long dispatchedOffset;
  private volatile boolean closed;
  private volatile Throwable failure;
  private final Queue<Task<?>> tasks = new ConcurrentLinkedQueue<>();

  /** Work for the dispatcher thread, and where its result goes. */
  private record Task<T>(Callable<T> work, CompletableFuture<T> result) {
    void run() {
      try {
        result.complete(work.call());
      } catch (Exception | Error e) {
        result.completeExceptionally(e);
      }
    }
  }

  public Dispatcher(
      CommitLog commitLog,
      ConsumeQueueTable queues,
      IndexService index,
      long startOffset,
      DispatchListener listener) {
    this.commitLog = commitLog;
    this.queues = queues;
    this.index = index;
    this.listener = listener;
    this.dispatchedOffset = startOffset;
    this.thread = new Thread(this::run, "wharf-dispatcher");
  }

  /** Log offset up to which every record is in its consume queue and the index. */
  public long dispatchedOffset() {
    return dispatchedOffset;
  }

  /** Why the dispatcher stopped, or null while it is healthy. */
  public Throwable failure() {
    return failure;
  }

  public void start() {
    thread.start();
  }

  /** New records were published. Any thread. */
  public void wakeUp() {
    LockSupport.unpark(thread);
  }

  /**
   * Runs {@code work} on the dispatcher thread between two dispatch rounds, when no consume queue
   * is being written (deleting whole queues needs that). Any thread. The future fails if the
   * dispatcher has stopped.
   */
  public <T> CompletableFuture<T> submit(Callable<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    tasks.add(new Task<>(work, result));
    if (closed || failure != null || !thread.isAlive()) {
      failTasks();
    }
    wakeUp();
    return result;
  }

  private void runTasks() {
    Task<?> task;
    while ((task = tasks.poll()) != null) {
      task.run();
    }
  }

  private void failTasks() {
    Task<?> task;
    while ((task = tasks.poll()) != null) {
      task.result().completeExceptionally(new IllegalStateException("the dispatcher has stopped"));
    }
  }

  /** Dispatches everything published, then stops the thread. */
  public void close() throws InterruptedException {
    closed = true;
    LockSupport.unpark(thread);
    thread.join();
  }

  private void run() {
    while (true) {
      boolean last = closed;
      try {
        runTasks();
        dispatchTo(commitLog.publishedOffset());
      } catch (IOException e) {
        log.error(
            "Dispatch paused at {}: {}; retrying (consumers see no new messages meanwhile)",
            dispatchedOffset,
            e.toString());
        LockSupport.parkNanos(this, RETRY_PARK_NANOS);
        continue;
      } catch (RuntimeException | Error e) {
        failure = e;
        log.error("Dispatcher stopped at {} by an unexpected error", dispatchedOffset, e);
        failTasks();
        return;
      }
      if (last) {
        failTasks();
        return;
      }
      if (dispatchedOffset >= commitLog.publishedOffset()) {
        LockSupport.parkNanos(this, IDLE_PARK_NANOS);
      }
    }
  }

  /**
   * Dispatches records from {@link #dispatchedOffset()} up to {@code end}. Runs on the dispatcher
   * thread, or on the recovering thread before the dispatcher starts.
   */
  public void dispatchTo(long end) throws IOException {
    long at = dispatchedOffset;
    while (at < end) {
      MappedFile segment = commitLog.segmentFor(at);
      if (segment == null || !segment.retain()) {
        // Gone with retention (or never there): skip to the next segment.
        at = commitLog.segmentBase(at) + commitLog.segmentSize();
        dispatchedOffset = Math.min(at, end);
        continue;
      }
      try {
        at = dispatchSegment(segment, at, end);
      } finally {
        segment.release();
      }
      dispatchedOffset = at;
    }
  }

  private long dispatchSegment(MappedFile segment, long at, long end) throws IOException {
    ByteBuffer buf = segment.buffer();
    long segmentEnd = segment.baseOffset() + segment.size();
    while (at < end && at < segmentEnd) {
      int pos = (int) (at - segment.baseOffset());
      int size = buf.getInt(pos + MessageRecordLayout.TOTAL_SIZE);
      int magic = buf.getInt(pos + MessageRecordLayout.MAGIC);
      if (magic == MessageRecordLayout.BLANK_MAGIC) {
        return segmentEnd;
      }
      if (size <= 0) {
        throw new IllegalStateException("published log holds no record at " + at);
      }
      dispatchRecord(buf, pos, at, size);
      at += size;
      dispatchedOffset = at;
    }
    return at;
  }

  private void dispatchRecord(ByteBuffer buf, int pos, long physicalOffset, int size)
      throws IOException {
    int sysFlag = buf.getInt(pos + MessageRecordLayout.SYS_FLAG);
    String topic = StoredMessage.topic(buf, pos);
    String properties = StoredMessage.properties(buf, pos);
    long storeTimestamp = StoredMessage.storeTimestamp(buf, pos);
    if (MessageSysFlag.isDispatchedToConsumeQueue(sysFlag)) {
      String tags = MessageProperties.find(properties, MessageProperties.TAGS);
      long tagsCode = tags == null ? 0 : tags.hashCode();
      String targets = DispatchTargets.valueIn(properties);
      if (targets == null) {
        int queueId = buf.getInt(pos + MessageRecordLayout.QUEUE_ID);
        long queueOffset = buf.getLong(pos + MessageRecordLayout.QUEUE_OFFSET);
        enqueue(topic, queueId, queueOffset, physicalOffset, size, tagsCode, storeTimestamp);
      } else {
        List<DispatchTargets.Target> parsed;
        try {
          parsed = DispatchTargets.parse(targets);
        } catch (IllegalArgumentException e) {
          // The encoder checked the list and recovery's validator parses it the same way, so this
          // is damage below the flushed checkpoint, which recovery trusts.
          throw new IllegalStateException(
              "record at "
                  + physicalOffset
                  + " has a damaged "
                  + MessageProperties.DISPATCH
                  + " ("
                  + e.getMessage()
                  + "); its target queues are unknown",
              e);
        }
        for (DispatchTargets.Target t : parsed) {
          enqueue(
              t.topic(),
              t.queueId(),
              t.queueOffset(),
              physicalOffset,
              size,
              tagsCode,
              storeTimestamp);
        }
      }
    }
    if (MessageSysFlag.transactionType(sysFlag) != MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) {
      indexKeys(topic, properties, physicalOffset, storeTimestamp);
    }
  }

  private void enqueue(
      String topic,
      int queueId,
      long queueOffset,
      long physicalOffset,
      int size,
      long tagsCode,
      long storeTimestamp)
      throws IOException {
    ConsumeQueue queue = queues.findOrCreate(topic, queueId);
    queue.append(queueOffset, physicalOffset, size, tagsCode);
    listener.onDispatched(topic, queueId, queueOffset, tagsCode, storeTimestamp);
  }

  private void indexKeys(String topic, String properties, long physicalOffset, long storeTimestamp)
      throws IOException {
    String uniqueKey = MessageProperties.find(properties, MessageProperties.UNIQ_KEY);
    if (uniqueKey != null && !uniqueKey.isEmpty()) {
      index.put(topic, uniqueKey, physicalOffset, storeTimestamp);
    }
    String keys = MessageProperties.find(properties, MessageProperties.KEYS);
    if (keys != null) {
      for (String key : keys.split(" ")) {
        if (!key.isEmpty()) {
          index.put(topic, key, physicalOffset, storeTimestamp);
        }
      }
    }
  }
}
