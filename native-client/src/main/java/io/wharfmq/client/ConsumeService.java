package io.wharfmq.client;

import io.wharfmq.remoting.netty.NamedThreadFactory;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a push consumer's listener on its consume threads. Concurrent mode hands batches to any
 * thread; orderly mode lets one task at a time own a queue and take its messages in offset order.
 * RETRY_LATER (or a throwing listener) re-delivers the same messages locally after the retry delay,
 * and they stay uncommitted until consumed. Thread-safe.
 */
final class ConsumeService {
  private static final Logger log = LoggerFactory.getLogger(ConsumeService.class);

  private final MessageListener listener;
  private final boolean orderly;
  private final int batchSize;
  private final long retryDelayMillis;
  private final ThreadPoolExecutor executor;
  private final ScheduledExecutorService delays;

  ConsumeService(
      MessageListener listener,
      boolean orderly,
      int threads,
      int batchSize,
      long retryDelayMillis,
      String group) {
    this.listener = listener;
    this.orderly = orderly;
    this.batchSize = batchSize;
    this.retryDelayMillis = retryDelayMillis;
    // Unbounded queue: flow control bounds what is pulled, hence what is queued here.
    this.executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            new NamedThreadFactory("wharf-consume-" + group));
    this.delays =
        Executors.newSingleThreadScheduledExecutor(
            new NamedThreadFactory("wharf-consume-retry-" + group));
  }

  /** New messages of {@code pq} (already in its cache). */
  void submit(ProcessQueue pq, List<MessageView> messages) {
    if (orderly) {
      trigger(pq);
      return;
    }
    for (int i = 0; i < messages.size(); i += batchSize) {
      List<MessageView> batch =
          List.copyOf(messages.subList(i, Math.min(messages.size(), i + batchSize)));
      execute(() -> consumeConcurrently(pq, batch));
    }
  }

  private void execute(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("Consume task dropped: shutting down");
    }
  }

  private void later(Runnable task) {
    try {
      delays.schedule(() -> execute(task), retryDelayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("Retry dropped: shutting down");
    }
  }

  private ConsumeResult call(ProcessQueue pq, List<MessageView> batch) {
    try {
      ConsumeResult r = listener.consume(batch);
      return r == null ? ConsumeResult.RETRY_LATER : r;
    } catch (RuntimeException e) {
      log.warn("Listener failed on {} messages of {}; retrying later", batch.size(), pq.queue, e);
      return ConsumeResult.RETRY_LATER;
    }
  }

  private void consumeConcurrently(ProcessQueue pq, List<MessageView> batch) {
    if (pq.isDropped()) {
      return;
    }
    if (call(pq, batch) == ConsumeResult.SUCCESS) {
      pq.remove(batch);
    } else {
      List<MessageView> again = pq.redeliver(batch);
      later(() -> consumeConcurrently(pq, again));
    }
  }

  private void trigger(ProcessQueue pq) {
    if (pq.consuming.compareAndSet(false, true)) {
      execute(() -> consumeOrderly(pq));
    }
  }

  private void consumeOrderly(ProcessQueue pq) {
    while (!pq.isDropped()) {
      List<MessageView> batch = pq.head(batchSize);
      if (batch.isEmpty()) {
        pq.consuming.set(false);
        // A pull may have added messages after head() and before the flag was cleared.
        if (pq.cachedCount() > 0) {
          trigger(pq);
        }
        return;
      }
      if (call(pq, batch) == ConsumeResult.SUCCESS) {
        pq.remove(batch);
      } else {
        pq.redeliver(batch);
        // The queue stays owned (consuming) so nothing overtakes the failed batch.
        later(() -> consumeOrderly(pq));
        return;
      }
    }
    pq.consuming.set(false);
  }

  /** Stops taking work and waits up to {@code timeoutMillis} for running listeners. */
  void shutdown(long timeoutMillis) {
    delays.shutdownNow();
    executor.shutdown();
    try {
      if (!executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
