package io.wharfmq.broker.stats;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counts per key (a topic, or a topic and a group) with the sums and rates of the last minute, hour
 * and day that RocketMQ's VIEW_BROKER_STATS_DATA answers (its StatsItem). Counting is a map lookup
 * and a LongAdder add; {@link #sample} (every 10 s, broker housekeeping) keeps a few snapshots of
 * each key's total: every sample of the last 70 s, one a minute for the last 61 minutes, one an
 * hour for the last 25 hours. Thread-safe.
 */
public final class KeyedStats {
  private static final long MINUTE = 60_000;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;

  /** A key's sum and rate over one window (RocketMQ's BrokerStatsItem). */
  public record Window(long sum, double tps, double avgpt) {}

  /** Minute, hour and day windows of one key (RocketMQ's BrokerStatsData). */
  public record Snapshot(Window statsMinute, Window statsHour, Window statsDay) {}

  private record Point(long millis, long total) {}

  private static final class Counter {
    final LongAdder total = new LongAdder();
    final ArrayDeque<Point> recent = new ArrayDeque<>();
    final ArrayDeque<Point> minutes = new ArrayDeque<>();
    final ArrayDeque<Point> hours = new ArrayDeque<>();

    Counter(long now) {
      Point start = new Point(now, 0);
      recent.add(start);
      minutes.add(start);
      hours.add(start);
    }
  }

  /** Counters by the key's first part, then its second ("" for one-part keys). */
  private final Map<String, Map<String, Counter>> counters = new ConcurrentHashMap<>();

  private final LongSupplier clock;

  /**
   * @param clock milliseconds, read when a key is counted for the first time
   */
  public KeyedStats(LongSupplier clock) {
    this.clock = clock;
  }

  /** Adds {@code n} to the total of {@code key}. */
  public void add(String key, long n) {
    add(key, "", n);
  }

  /**
   * Adds {@code n} to the total of the two-part key "{@code key}@{@code second}" (without building
   * the string: this is on the pull path).
   */
  public void add(String key, String second, long n) {
    Map<String, Counter> bySecond = counters.get(key);
    if (bySecond == null) {
      bySecond = counters.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
    }
    Counter c = bySecond.get(second);
    if (c == null) {
      c = bySecond.computeIfAbsent(second, k -> new Counter(clock.getAsLong()));
    }
    c.total.add(n);
  }

  /** Records every key's total at {@code now}. */
  public void sample(long now) {
    for (Map<String, Counter> bySecond : counters.values()) {
      for (Counter c : bySecond.values()) {
        sample(c, now);
      }
    }
  }

  private static void sample(Counter c, long now) {
    synchronized (c) {
      Point p = new Point(now, c.total.sum());
      c.recent.add(p);
      trim(c.recent, now - MINUTE - 10_000);
      if (now - c.minutes.getLast().millis() >= MINUTE) {
        c.minutes.add(p);
        trim(c.minutes, now - HOUR - MINUTE);
      }
      if (now - c.hours.getLast().millis() >= HOUR) {
        c.hours.add(p);
        trim(c.hours, now - DAY - HOUR);
      }
    }
  }

  /** The windows of {@code key} at {@code now}, or null when nothing was ever counted under it. */
  public Snapshot snapshot(String key, long now) {
    return snapshot(key, "", now);
  }

  /** The windows of the two-part key at {@code now}, or null (as above). */
  public Snapshot snapshot(String key, String second, long now) {
    Map<String, Counter> bySecond = counters.get(key);
    Counter c = bySecond == null ? null : bySecond.get(second);
    if (c == null) {
      return null;
    }
    long total = c.total.sum();
    synchronized (c) {
      return new Snapshot(
          window(c.recent, total, now, MINUTE),
          window(c.minutes, total, now, HOUR),
          window(c.hours, total, now, DAY));
    }
  }

  /** Keeps one point at or before {@code cutoff}, so a full window can still be measured. */
  private static void trim(ArrayDeque<Point> points, long cutoff) {
    while (points.size() > 1) {
      Point first = points.removeFirst();
      if (points.getFirst().millis() > cutoff) {
        points.addFirst(first);
        return;
      }
    }
  }

  /** Sum and rate from the newest point at least {@code length} old (or the oldest) to now. */
  private static Window window(ArrayDeque<Point> points, long total, long now, long length) {
    Point from = points.getFirst();
    for (Point p : points) {
      if (p.millis() <= now - length) {
        from = p;
      } else {
        break;
      }
    }
    long sum = total - from.total();
    long millis = now - from.millis();
    double tps = millis <= 0 ? 0 : sum * 1000.0 / millis;
    return new Window(sum, tps, 0);
  }
}
