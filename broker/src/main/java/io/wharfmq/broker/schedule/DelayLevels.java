package io.wharfmq.broker.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The delay levels of {@code messageDelayLevel} ("1s 5s 10s 30s 1m … 2h"; units ms, s, m, h, d):
 * level L (1-based) waits {@link #delayMillis(int)}. Immutable; thread-safe.
 */
public final class DelayLevels {
  /** RocketMQ's default: 18 levels. */
  public static final String DEFAULT = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h";

  private static final Pattern LEVEL = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final long[] millis;

  private DelayLevels(long[] millis) {
    this.millis = millis;
  }

  /** Parses a level list; throws IllegalArgumentException naming the bad entry. */
  public static DelayLevels parse(String spec) {
    List<Long> out = new ArrayList<>();
    for (String part : spec.trim().split("\\s+")) {
      Matcher m = LEVEL.matcher(part);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "delay level '" + part + "' must be a number followed by ms, s, m, h or d");
      }
      long n = Long.parseLong(m.group(1));
      long unit =
          switch (m.group(2)) {
            case "ms" -> 1L;
            case "s" -> 1000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            default -> 86_400_000L;
          };
      out.add(n * unit);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("at least one delay level is needed");
    }
    return new DelayLevels(out.stream().mapToLong(Long::longValue).toArray());
  }

  /** Number of levels. */
  public int count() {
    return millis.length;
  }

  /** Delay of a level, 1-based; levels above the highest use the highest. */
  public long delayMillis(int level) {
    return millis[Math.min(Math.max(level, 1), millis.length) - 1];
  }
}
