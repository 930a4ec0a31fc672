package io.wharfmq.security;

import java.time.InstantSource;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows down whoever keeps failing to log in: per source address, the first {@code free} failures
 * are answered at once, each further one waits twice as long as the one before (from {@code
 * baseDelayMillis} up to {@code maxDelayMillis}). An address that has not failed for {@code
 * forgetMillis} starts over. At most 10,000 addresses are remembered (the oldest is forgotten
 * first). A success does not reset the count: a guesser could interleave them. Thread-safe.
 */
public final class FailureThrottle {
  private static final int MAX_SOURCES = 10_000;

  private record Record(int failures, long last) {}

  private final InstantSource clock;
  private final int free;
  private final long baseDelayMillis;
  private final long maxDelayMillis;
  private final long forgetMillis;
  private final LinkedHashMap<String, Record> sources = new LinkedHashMap<>(16, 0.75f, true);

  public FailureThrottle(
      InstantSource clock, int free, long baseDelayMillis, long maxDelayMillis, long forgetMillis) {
    this.clock = clock;
    this.free = free;
    this.baseDelayMillis = baseDelayMillis;
    this.maxDelayMillis = maxDelayMillis;
    this.forgetMillis = forgetMillis;
  }

  /** Three free failures, then 200 ms doubling up to 5 s; forgotten after 5 minutes. */
  public static FailureThrottle defaults(InstantSource clock) {
    return new FailureThrottle(clock, 3, 200, 5_000, 300_000);
  }

  /** Records one failure from {@code source}; returns how long to hold its answer back. */
  public synchronized long failed(String source) {
    long now = clock.millis();
    Record r = sources.get(source);
    int n = r == null || now - r.last() > forgetMillis ? 1 : r.failures() + 1;
    sources.put(source, new Record(n, now));
    if (sources.size() > MAX_SOURCES) {
      Iterator<Map.Entry<String, Record>> it = sources.entrySet().iterator();
      it.next();
      it.remove();
    }
    if (n <= free) {
      return 0;
    }
    int doublings = Math.min(n - free - 1, 30);
    return Math.min(maxDelayMillis, baseDelayMillis << doublings);
  }

  /** Failures remembered for {@code source} now (for tests and logs). */
  public synchronized int failures(String source) {
    Record r = sources.get(source);
    return r == null || clock.millis() - r.last() > forgetMillis ? 0 : r.failures();
  }
}
