package io.wharfmq.store;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named background component with one loop: runs {@link #doWork()} every interval on its own
 * thread until stopped. Tests call {@link #runOnce()} to drive it step by step instead of waiting.
 * start/stop from the owner's thread; doWork runs on the agent thread (or the test's).
 */
public abstract class PeriodicAgent {
  private static final Logger log = LoggerFactory.getLogger(PeriodicAgent.class);

  private final String name;
  private final long intervalNanos;
  private Thread thread;
  private volatile boolean stopped;

  protected PeriodicAgent(String name, long intervalMs) {
    this.name = name;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
  }

  /** One round of work. Exceptions are logged and the loop goes on. */
  protected abstract void doWork() throws Exception;

  /** Runs one round on the caller's thread. */
  public synchronized void runOnce() throws Exception {
    doWork();
  }

  public void start() {
    thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  public void stop() throws InterruptedException {
    stopped = true;
    if (thread != null) {
      LockSupport.unpark(thread);
      thread.join();
    }
  }

  private void loop() {
    while (!stopped) {
      LockSupport.parkNanos(this, intervalNanos);
      if (stopped) {
        return;
      }
      try {
        runOnce();
      } catch (Exception e) {
        log.error("{} round failed; will retry", name, e);
      }
    }
  }
}
