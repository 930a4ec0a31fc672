package io.wharfmq.client;

import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Latency-based fault avoidance for producers (RocketMQ's MQFaultStrategy): a broker whose last
 * send failed, or took long, is avoided for a back-off period that grows with the latency. A
 * failure counts as 30 s of latency (10 minutes of back-off) until a later success on it clears the
 * entry. Thread-safe.
 */
final class LatencyFaultTracker {
  private static final long[] LATENCY_MILLIS = {50, 100, 550, 1000, 2000, 3000, 15000};
  private static final long[] BACKOFF_MILLIS = {0, 0, 30_000, 60_000, 120_000, 180_000, 600_000};
  private static final long FAILURE_LATENCY_MILLIS = 30_000;

  private final InstantSource clock;
  private final Map<String, Long> avoidUntil = new ConcurrentHashMap<>();

  LatencyFaultTracker(InstantSource clock) {
    this.clock = clock;
  }

  /** Records one send to {@code brokerName}. */
  void record(String brokerName, long latencyMillis, boolean failed) {
    long backoff = backoff(failed ? FAILURE_LATENCY_MILLIS : latencyMillis);
    if (backoff == 0) {
      avoidUntil.remove(brokerName);
    } else {
      avoidUntil.put(brokerName, clock.millis() + backoff);
    }
  }

  boolean isAvailable(String brokerName) {
    Long until = avoidUntil.get(brokerName);
    return until == null || clock.millis() >= until;
  }

  static long backoff(long latencyMillis) {
    for (int i = LATENCY_MILLIS.length - 1; i >= 0; i--) {
      if (latencyMillis >= LATENCY_MILLIS[i]) {
        return BACKOFF_MILLIS[i];
      }
    }
    return 0;
  }
}
