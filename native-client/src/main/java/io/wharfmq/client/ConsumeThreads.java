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
 * The threads a push consumer's listener runs on, one timer thread for delayed re-deliveries, and
 * the guarded listener call. Thread-safe.
 */
final class ConsumeThreads {
  private static final Logger log = LoggerFactory.getLogger(ConsumeThreads.class);

  private final MessageListener listener;
  private final ThreadPoolExecutor executor;
  private final ScheduledExecutorService delays;

  ConsumeThreads(MessageListener listener, int threads, String group) {
    this.listener = listener;
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

  void execute(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("Consume task dropped: shutting down");
    }
  }

  void later(Runnable task, long delayMillis) {
    try {
      delays.schedule(() -> execute(task), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("Retry dropped: shutting down");
    }
  }

  /**
   * Calls the listener; a null result or anything thrown counts as RETRY_LATER (an escaping error
   * would leave an orderly queue owned by no task, hence stuck), except the JVM's own failures.
   */
  ConsumeResult call(ProcessQueue pq, List<MessageView> batch) {
    try {
      ConsumeResult r = listener.consume(batch);
      return r == null ? ConsumeResult.RETRY_LATER : r;
    } catch (VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      log.warn("Listener failed on {} messages of {}", batch.size(), pq.queue, e);
      return ConsumeResult.RETRY_LATER;
    }
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
