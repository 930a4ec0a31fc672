package io.wharfmq.launcher;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts a server command has started, stopped in reverse order on SIGTERM/SIGINT (a shutdown
 * hook installed before the first part starts, so a signal during startup also stops cleanly) or
 * when the start fails. Thread-safe: the command's thread adds parts, the hook's thread stops them.
 */
final class ServerLifecycle {
  private static final Logger log = LoggerFactory.getLogger(ServerLifecycle.class);

  private final Deque<AutoCloseable> parts = new ArrayDeque<>();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread hook = new Thread(this::onSignal, "wharf-shutdown");
  private boolean stopping;

  ServerLifecycle() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Adds a started part; if a stop is already under way, closes it at once instead. */
  void add(AutoCloseable part) {
    synchronized (this) {
      if (!stopping) {
        parts.push(part);
        return;
      }
    }
    close(part);
  }

  /** Waits up to {@code millis} for a stop request; true if one came. */
  boolean awaitStopRequest(long millis) throws InterruptedException {
    return stopRequested.await(millis, TimeUnit.MILLISECONDS);
  }

  boolean stopRequested() {
    return stopRequested.getCount() == 0;
  }

  /** Blocks until a signal has stopped every part. */
  void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /** The start failed: stops what was started and forgets the hook. */
  void abort() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      return; // the JVM is already shutting down: the hook stops everything
    }
    stopAll();
  }

  private void onSignal() {
    log.info("Shutdown requested: stopping gracefully");
    stopAll();
  }

  private void stopAll() {
    stopRequested.countDown();
    while (true) {
      AutoCloseable next;
      synchronized (this) {
        stopping = true;
        next = parts.poll();
      }
      if (next == null) {
        break;
      }
      close(next);
    }
    stopped.countDown();
  }

  private static void close(AutoCloseable part) {
    try {
      part.close();
    } catch (Exception e) {
      log.error("Error while stopping {}", part, e);
    }
  }
}
