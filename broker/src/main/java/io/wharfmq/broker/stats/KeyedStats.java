package io.wharfmq.broker.stats;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts per key (a topic, or "topic@group") with the sums and rates of the last minute, hour and
 * day that RocketMQ's VIEW_BROKER_STATS_DATA answers (its StatsItem). Counting is a map lookup and
 * a LongAdder add; {@link #sample} (every 10 s, broker housekeeping) keeps a few snapshots of each
 * key's total: every sample of the last 70 s, one a minute for the last 61 minutes, one an hour for
 * the last 25 hours. Thread-safe.
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

  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  /** Adds {@code n} to the key's total; {@code now} dates the key's start when it is new. */
  public void add(String key, long n, long now) {
    Counter c = counters.get(key);
    if (c == null) {
      c = counters.computeIfAbsent(key, k -> new Counter(now));
    }
    c.total.add(n);
  }

  /** Records every key's total at {@code now}. */
  public void sample(long now) {
    for (Counter c : counters.values()) {
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
  }

  /** The key's windows at {@code now}, or null when nothing was ever counted under it. */
  public Snapshot snapshot(String key, long now) {
    Counter c = counters.get(key);
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
