package io.wharfmq.broker.stats;

import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Message counts per topic (stored) and per topic and consumer group (delivered by pulls), with
 * RocketMQ's three views of each: the last minute, the last hour and the last day, for
 * VIEW_BROKER_STATS_DATA ({@code mqadmin statsAll}). Counting is a map lookup and a LongAdder add;
 * {@link #sample} (the broker's housekeeping, every 10 s) records the totals from which the windows
 * are measured. A window reaches back to the oldest sample inside it (to the counter's creation
 * while it is younger than the window) and ends now, so counts show at once. Thread-safe.
 */
public final class KeyedStats {
  /** RocketMQ's stats name for messages stored per topic (key: topic). */
  public static final String TOPIC_PUT_NUMS = "TOPIC_PUT_NUMS";

  /** RocketMQ's stats name for messages delivered per group (key: topic@group). */
  public static final String GROUP_GET_NUMS = "GROUP_GET_NUMS";

  private static final long MINUTE = 60_000;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;

  private final ConcurrentHashMap<String, Counter> topicPuts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> groupGets =
      new ConcurrentHashMap<>();

  /** One window's figures: messages counted in it and their rate per second. */
  public record Window(long sum, double tps) {}

  /** The minute, hour and day windows of one counter. */
  public record Snapshot(Window minute, Window hour, Window day) {}

  private final InstantSource clock;

  public KeyedStats(InstantSource clock) {
    this.clock = clock;
  }

  /** Counts messages stored in {@code topic}; on the send path, so a plain get first. */
  public void stored(String topic, int messages) {
    Counter c = topicPuts.get(topic);
    if (c == null) {
      c = topicPuts.computeIfAbsent(topic, t -> new Counter(clock.millis()));
    }
    c.add(messages);
  }

  /** Counts messages of {@code topic} pulled by {@code group}; on the pull path. */
  public void delivered(String topic, String group, int messages) {
    ConcurrentHashMap<String, Counter> groups = groupGets.get(topic);
    if (groups == null) {
      groups = groupGets.computeIfAbsent(topic, t -> new ConcurrentHashMap<>());
    }
    Counter c = groups.get(group);
    if (c == null) {
      c = groups.computeIfAbsent(group, g -> new Counter(clock.millis()));
    }
    c.add(messages);
  }

  /**
   * The windows of {@code statsName} for {@code statsKey} (a topic, or "topic@group"), or null when
   * nothing was counted under it since the broker started.
   */
  public Snapshot snapshot(String statsName, String statsKey, long nowMillis) {
    Counter c = null;
    if (TOPIC_PUT_NUMS.equals(statsName)) {
      c = topicPuts.get(statsKey);
    } else if (GROUP_GET_NUMS.equals(statsName)) {
      int at = statsKey.indexOf('@');
      if (at > 0) {
        var groups = groupGets.get(statsKey.substring(0, at));
        c = groups == null ? null : groups.get(statsKey.substring(at + 1));
      }
    }
    return c == null ? null : c.snapshot(nowMillis);
  }

  /** Records every counter's total now; call about every 10 s. */
  public void sample(long nowMillis) {
    topicPuts.values().forEach(c -> c.sample(nowMillis));
    groupGets.values().forEach(g -> g.values().forEach(c -> c.sample(nowMillis)));
  }

  /** Totals at times, oldest first. */
  private static final class Counter {
    private final LongAdder total = new LongAdder();
    private final ArrayDeque<long[]> minute = new ArrayDeque<>();
    private final ArrayDeque<long[]> hour = new ArrayDeque<>();
    private final ArrayDeque<long[]> day = new ArrayDeque<>();

    Counter(long createdMillis) {
      long[] start = {createdMillis, 0};
      minute.add(start);
      hour.add(start);
      day.add(start);
    }

    void add(int n) {
      total.add(n);
    }

    synchronized void sample(long now) {
      long[] s = {now, total.sum()};
      append(minute, s, now, MINUTE, 0);
      append(hour, s, now, HOUR, MINUTE);
      append(day, s, now, DAY, HOUR);
    }

    /** Adds a sample at least {@code spacing} after the last; drops those older than the window. */
    private static void append(
        ArrayDeque<long[]> samples, long[] s, long now, long window, long spacing) {
      if (now - samples.getLast()[0] >= spacing) {
        samples.addLast(s);
      }
      while (samples.size() > 1 && now - samples.getFirst()[0] > window) {
        samples.removeFirst();
      }
    }

    synchronized Snapshot snapshot(long now) {
      long value = total.sum();
      return new Snapshot(
          window(minute, value, now), window(hour, value, now), window(day, value, now));
    }

    private static Window window(ArrayDeque<long[]> samples, long value, long now) {
      long[] first = samples.getFirst();
      long sum = value - first[1];
      long ms = now - first[0];
      return new Window(sum, ms <= 0 ? 0 : sum * 1000.0 / ms);
    }
  }
}
