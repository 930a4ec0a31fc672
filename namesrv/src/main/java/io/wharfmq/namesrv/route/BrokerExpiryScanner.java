package io.wharfmq.namesrv.route;

import java.time.InstantSource;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes silent brokers from a {@link RouteRegistry}: one scan every interval on the daemon thread
 * {@value #THREAD_NAME}. Tests call {@link #runOnce()} with a hand-moved clock instead of waiting.
 * start/shutdown from the owner's thread; scans run on the scanner thread (or the caller's).
 */
public final class BrokerExpiryScanner {
  public static final String THREAD_NAME = "wharf-namesrv-expiry";
  private static final Logger log = LoggerFactory.getLogger(BrokerExpiryScanner.class);

  private final RouteRegistry registry;
  private final InstantSource clock;
  private final long intervalMillis;
  private ScheduledExecutorService scheduler;

  public BrokerExpiryScanner(RouteRegistry registry, InstantSource clock, long intervalMillis) {
    this.registry = registry;
    this.clock = clock;
    this.intervalMillis = intervalMillis;
  }

  /** One scan now, on the caller's thread; returns how many brokers were removed. */
  public int runOnce() {
    return registry.expire(clock.instant());
  }

  public synchronized void start() {
    if (scheduler != null) {
      throw new IllegalStateException("already started");
    }
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, THREAD_NAME);
              t.setDaemon(true);
              return t;
            });
    s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    s.scheduleWithFixedDelay(this::scan, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    scheduler = s;
  }

  /** Stops scanning; waits for a scan in progress to finish. */
  public synchronized void shutdown() throws InterruptedException {
    if (scheduler == null) {
      return;
    }
    scheduler.shutdown();
    if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
      log.warn("{} did not stop within 5 s; interrupting it", THREAD_NAME);
      scheduler.shutdownNow();
    }
    scheduler = null;
  }

  private void scan() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      // A failed scan must not end the schedule: the next one may well succeed.
      log.error("broker expiry scan failed; will retry in {} ms", intervalMillis, e);
    }
  }
}
