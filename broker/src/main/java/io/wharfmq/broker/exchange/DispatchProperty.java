package io.wharfmq.broker.exchange;

import java.util.ArrayList;
import java.util.List;

/**
 * The reserved record property {@value #NAME} that stores a fan-out once (docs/rabbitmq.md,
 * "Routing"): {@code topic:queueId:OFFSET20} per target queue, comma-separated, where OFFSET20 is
 * 20 decimal digits, zeros when the broker encodes it; the commit-log appender writes each target's
 * queue offset into them and the dispatcher indexes the record once per target. Topic names never
 * hold {@code :} or {@code ,}. Stateless; thread-safe.
 */
public final class DispatchProperty {
  /** The property's name. */
  public static final String NAME = "WHARF_DISPATCH";

  /** Digits of each target's queue offset. */
  public static final int OFFSET_DIGITS = 20;

  private static final String ZEROS = "0".repeat(OFFSET_DIGITS);

  private DispatchProperty() {}

  /** One queue the record is indexed in. */
  public record Target(String topic, int queueId) {
    /** Characters of this entry without its separator. */
    int length() {
      return topic.length() + 2 + Integer.toString(queueId).length() + OFFSET_DIGITS;
    }
  }

  /** The property's value for these targets, offsets zero. */
  public static String encode(List<Target> targets) {
    StringBuilder sb = new StringBuilder(targets.size() * 40);
    for (Target t : targets) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(t.topic()).append(':').append(t.queueId()).append(':').append(ZEROS);
    }
    return sb.toString();
  }

  /** The targets of a value (offsets ignored); IllegalArgumentException when malformed. */
  public static List<Target> decode(String value) {
    List<Target> out = new ArrayList<>();
    if (value == null || value.isEmpty()) {
      return out;
    }
    for (String entry : value.split(",", -1)) {
      String[] p = entry.split(":", -1);
      if (p.length != 3 || p[0].isEmpty() || p[2].length() != OFFSET_DIGITS) {
        throw new IllegalArgumentException("malformed " + NAME + " entry '" + entry + "'");
      }
      out.add(new Target(p[0], Integer.parseInt(p[1])));
    }
    return out;
  }

  /**
   * The targets in groups whose encoded value is at most {@code maxChars} long each, in order: one
   * record per group when a fan-out is too wide for one record's properties. Empty when even one
   * target does not fit.
   */
  public static List<List<Target>> split(List<Target> targets, int maxChars) {
    List<List<Target>> out = new ArrayList<>();
    List<Target> current = new ArrayList<>();
    int length = 0;
    for (Target t : targets) {
      int add = t.length() + (current.isEmpty() ? 0 : 1);
      if (t.length() > maxChars) {
        return List.of();
      }
      if (length + add > maxChars) {
        out.add(current);
        current = new ArrayList<>();
        add = t.length();
        length = 0;
      }
      current.add(t);
      length += add;
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }
}
