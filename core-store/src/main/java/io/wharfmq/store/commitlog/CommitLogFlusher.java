package io.wharfmq.store.commitlog;

import io.wharfmq.store.AppendResult;
import io.wharfmq.store.AppendStatus;
import io.wharfmq.store.mapped.MappedFile;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flushes the commit log to disk on its own thread ({@code wharf-commitlog-flusher}).
 *
 * <p>SYNC mode: the writer hands over each completed append with its end offset; the flusher takes
 * everything waiting, fsyncs once up to the published end and completes all of them: appends that
 * arrive during one fsync share the next (group commit), while the writer keeps appending.
 *
 * <p>ASYNC mode (as RocketMQ's flushIntervalCommitLog / flushCommitLogLeastPages): every {@code
 * intervalMs} it flushes if at least {@code leastPages} pages are unflushed, and everything at
 * least every {@link #THOROUGH_INTERVAL_NANOS}. Flushing more eagerly would cost appends far more
 * than it buys: acknowledged ASYNC appends are not durable against power loss until flushed either
 * way.
 *
 * <p>{@link #awaitFlush} and {@link #maybeWakeUp} may be called from any thread.
 */
public final class CommitLogFlusher {
  private static final Logger log = LoggerFactory.getLogger(CommitLogFlusher.class);
  private static final int PAGE = 4096;
  static final long THOROUGH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private record Waiter(
      long endOffset, CompletableFuture<AppendResult> future, AppendResult result) {}

  private final CommitLog commitLog;
  private final long intervalNanos;
  private final long leastBytes;
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final ArrayDeque<Waiter> pending = new ArrayDeque<>();
  private final Thread thread;
  private final boolean sync;
  private volatile boolean closed;
  private long lastThoroughNanos = System.nanoTime();

  public CommitLogFlusher(CommitLog commitLog, int intervalMs, int leastPages, boolean sync) {
    this.sync = sync;
    this.commitLog = commitLog;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    this.leastBytes = (long) leastPages * PAGE;
    this.thread = new Thread(this::run, "wharf-commitlog-flusher");
  }

  public void start() {
    thread.start();
  }

  /**
   * Completes {@code future} with {@code result} once the log is on disk up to {@code endOffset}.
   */
  void awaitFlush(long endOffset, CompletableFuture<AppendResult> future, AppendResult result) {
    waiters.add(new Waiter(endOffset, future, result));
    LockSupport.unpark(thread);
  }

  /** Flushes everything published, completes every waiter and stops the thread. */
  public void close() throws InterruptedException {
    closed = true;
    LockSupport.unpark(thread);
    thread.join();
  }

  private void run() {
    while (!closed) {
      if (sync) {
        if (waiters.isEmpty()) {
          LockSupport.parkNanos(this, intervalNanos);
        }
        flushRound();
      } else {
        LockSupport.parkNanos(this, intervalNanos);
        long now = System.nanoTime();
        long unflushed = commitLog.publishedOffset() - commitLog.flushedOffset();
        if (unflushed >= leastBytes || now - lastThoroughNanos >= THOROUGH_INTERVAL_NANOS) {
          lastThoroughNanos = now;
          flushRound();
        }
      }
    }
    flushRound();
  }

  private void flushRound() {
    Waiter w;
    while ((w = waiters.poll()) != null) {
      pending.add(w);
    }
    try {
      flush();
    } catch (RuntimeException | java.io.IOException e) {
      log.error("Commit-log flush failed; waiting SYNC appends fail with IO_ERROR", e);
      while ((w = pending.poll()) != null) {
        w.future().complete(AppendResult.failed(AppendStatus.IO_ERROR, "flush failed: " + e));
      }
      return;
    }
    long flushed = commitLog.flushedOffset();
    while ((w = pending.peek()) != null && w.endOffset() <= flushed) {
      pending.poll();
      w.future().complete(w.result());
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
