package io.wharfmq.store.commitlog;

import io.wharfmq.store.mapped.MappedFile;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flushes the commit log to disk.
 *
 * <p>SYNC mode: the writer thread calls {@link #syncOnWriterThread()} after each batch it drained,
 * so every append of the batch shares one fsync (group commit) and is acknowledged only after it.
 * Appends arriving during that fsync queue up and form the next group. Doing this on the writer
 * thread saves a thread hand-off per group, which is what bounds latency at low concurrency.
 *
 * <p>ASYNC mode (as RocketMQ's flushIntervalCommitLog / flushCommitLogLeastPages), on its own
 * thread {@code wharf-commitlog-flusher}: every {@code intervalMs} it flushes if at least {@code
 * leastPages} pages are unflushed, and everything at least every {@code thoroughIntervalMs}.
 * Flushing more eagerly would cost appends far more than it buys: acknowledged ASYNC appends are
 * not durable against power loss until flushed either way.
 *
 * <p>Only one thread flushes: the writer in SYNC mode, the flusher thread in ASYNC mode (and the
 * closing thread after both stopped).
 */
public final class CommitLogFlusher {
  private static final Logger log = LoggerFactory.getLogger(CommitLogFlusher.class);
  private static final int PAGE = 4096;

  private final CommitLog commitLog;
  private final long intervalNanos;
  private final long leastBytes;
  private final long thoroughIntervalNanos;
  private final Thread thread;
  private final boolean sync;
  private volatile boolean closed;
  private long lastThoroughNanos = System.nanoTime();

  public CommitLogFlusher(
      CommitLog commitLog, int intervalMs, int leastPages, int thoroughIntervalMs, boolean sync) {
    this.sync = sync;
    this.thoroughIntervalNanos = TimeUnit.MILLISECONDS.toNanos(thoroughIntervalMs);
    this.commitLog = commitLog;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    this.leastBytes = (long) leastPages * PAGE;
    this.thread = new Thread(this::run, "wharf-commitlog-flusher");
  }

  /** Starts the ASYNC flusher thread (SYNC mode needs none). */
  public void start() {
    if (!sync) {
      thread.start();
    }
  }

  /** Stops the thread, then flushes everything published. Call after the writer stopped. */
  public void close() throws InterruptedException {
    closed = true;
    if (!sync) {
      LockSupport.unpark(thread);
      thread.join();
    }
    String error = syncOnWriterThread();
    if (error != null) {
      log.error("Final commit-log flush failed: {}", error);
    }
  }

  private void run() {
    while (!closed) {
      LockSupport.parkNanos(this, intervalNanos);
      long now = System.nanoTime();
      long unflushed = commitLog.publishedOffset() - commitLog.flushedOffset();
      if (unflushed > 0
          && (unflushed >= leastBytes || now - lastThoroughNanos >= thoroughIntervalNanos)) {
        lastThoroughNanos = now;
        try {
          flush();
        } catch (RuntimeException | java.io.IOException e) {
          log.error("Background commit-log flush failed; will retry", e);
        }
      }
    }
  }

  /**
   * Fsyncs everything published. SYNC group commit calls it on the writer thread. Returns null, or
   * the error that fails the appends waiting for it.
   */
  String syncOnWriterThread() {
    try {
      flush();
      return null;
    } catch (RuntimeException | java.io.IOException e) {
      log.error("Commit-log fsync failed; the appends waiting for it fail with IO_ERROR", e);
      return "flush failed: " + e;
    }
  }

  /** fsyncs [flushed, published) segment by segment. */
  private void flush() throws java.io.IOException {
    long target = commitLog.publishedOffset();
    long from = commitLog.flushedOffset();
    if (target <= from) {
      return;
    }
    long at = from;
    while (at < target) {
      MappedFile segment = commitLog.segmentFor(at);
      if (segment == null || !segment.retain()) {
        // Retention removed it: nothing left to flush there.
        at = commitLog.segmentBase(at) + commitLog.segmentSize();
        continue;
      }
      try {
        long end = Math.min(target, segment.baseOffset() + segment.size());
        if (sync) {
          segment.sync();
        } else {
          segment.force((int) (at - segment.baseOffset()), (int) (end - segment.baseOffset()));
        }
        at = end;
      } finally {
        segment.release();
      }
    }
    commitLog.flushedTo(target);
  }
}
