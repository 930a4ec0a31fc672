package io.wharfmq.service.message;

import io.wharfmq.service.DestinationNames;
import java.util.ArrayList;
import java.util.List;

/**
 * The dead-letter history RabbitMQ keeps with a message (its {@code x-opt-deaths} annotation), as
 * record property text: {@link ReservedProperties#DEATHS}, {@link ReservedProperties#FIRST_DEATH}
 * and {@link ReservedProperties#LAST_DEATH} (docs/mapping.md, "Dead-letter history"). Plain Java,
 * so the broker writes it and the AMQP adapter encodes it. Names are escaped as {@link
 * DestinationNames#escape} does, so the separators {@code ; , |} never occur inside a field.
 * Stateless; thread-safe.
 */
public final class DeathHistory {
  private DeathHistory() {}

  /** Why a message was dead-lettered: RabbitMQ's reason symbols. */
  public static final String REJECTED = "rejected";

  public static final String EXPIRED = "expired";
  public static final String MAXLEN = "maxlen";
  public static final String DELIVERY_LIMIT = "delivery_limit";

  /**
   * One entry of the history: the (queue, reason) pair, how often it happened, when first and last,
   * and the exchange and routing keys the message had when it happened first.
   *
   * @param ttl the message's own TTL (AMQP header ttl, ms) when it first died there, else null
   */
  public record Death(
      String queue,
      String reason,
      long count,
      long firstTime,
      long lastTime,
      String exchange,
      List<String> routingKeys,
      Long ttl) {}

  /** A single dead-lettering event, for x-first-death-* and x-last-death-*. */
  public record Event(String queue, String reason, String exchange) {}

  /**
   * The history after one more event: the entry of (queue, reason) counts one more and moves to the
   * front, or a new entry goes to the front.
   */
  public static List<Death> record(
      List<Death> history,
      String queue,
      String reason,
      String exchange,
      List<String> routingKeys,
      Long ttl,
      long now) {
    List<Death> out = new ArrayList<>(history.size() + 1);
    Death updated = null;
    for (Death d : history) {
      if (updated == null && d.queue().equals(queue) && d.reason().equals(reason)) {
        updated =
            new Death(
                d.queue(),
                d.reason(),
                d.count() + 1,
                d.firstTime(),
                now,
                d.exchange(),
                d.routingKeys(),
                d.ttl());
      } else {
        out.add(d);
      }
    }
    out.add(
        0,
        updated != null
            ? updated
            : new Death(queue, reason, 1, now, now, exchange, List.copyOf(routingKeys), ttl));
    return out;
  }

  /** The text of a history ({@code ;} between entries). */
  public static String encode(List<Death> history) {
    StringBuilder b = new StringBuilder();
    for (Death d : history) {
      if (b.length() > 0) {
        b.append(';');
      }
      b.append(DestinationNames.escape(d.queue()))
          .append(',')
          .append(DestinationNames.escape(d.reason()))
          .append(',')
          .append(d.count())
          .append(',')
          .append(d.firstTime())
          .append(',')
          .append(d.lastTime())
          .append(',')
          .append(DestinationNames.escape(d.exchange()))
          .append(',')
          .append(encodeList(d.routingKeys()))
          .append(',')
          .append(d.ttl() == null ? "" : d.ttl().toString());
    }
    return b.toString();
  }

  /**
   * Reads a history; null or empty text is none. Throws IllegalArgumentException for text no {@link
   * #encode} wrote (the record's properties are open to any client).
   */
  public static List<Death> decode(String text) {
    List<Death> out = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    for (String entry : text.split(";", -1)) {
      String[] f = entry.split(",", -1);
      if (f.length != 8) {
        throw new IllegalArgumentException("not a death entry: " + entry);
      }
      try {
        out.add(
            new Death(
                DestinationNames.unescape(f[0]),
                DestinationNames.unescape(f[1]),
                Long.parseLong(f[2]),
                Long.parseLong(f[3]),
                Long.parseLong(f[4]),
                DestinationNames.unescape(f[5]),
                decodeList(f[6]),
                f[7].isEmpty() ? null : Long.valueOf(f[7])));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a death entry: " + entry, e);
      }
    }
    return out;
  }

  /** The text of one event. */
  public static String encodeEvent(Event e) {
    return DestinationNames.escape(e.queue())
        + ","
        + DestinationNames.escape(e.reason())
        + ","
        + DestinationNames.escape(e.exchange());
  }

  /** Reads one event, or null for null text; IllegalArgumentException for text it did not write. */
  public static Event decodeEvent(String text) {
    if (text == null) {
      return null;
    }
    String[] f = text.split(",", -1);
    if (f.length != 3) {
      throw new IllegalArgumentException("not a death event: " + text);
    }
    return new Event(
        DestinationNames.unescape(f[0]),
        DestinationNames.unescape(f[1]),
        DestinationNames.unescape(f[2]));
  }

  /** A list of names: its size, then each name after {@code |} (so an empty name survives). */
  public static String encodeList(List<String> names) {
    StringBuilder b = new StringBuilder().append(names.size());
    for (String n : names) {
      b.append('|').append(DestinationNames.escape(n));
    }
    return b.toString();
  }

  /** Reads {@link #encodeList}'s text; IllegalArgumentException for other text. */
  public static List<String> decodeList(String text) {
    String[] f = text.split("\\|", -1);
    int n;
    try {
      n = Integer.parseInt(f[0]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a name list: " + text, e);
    }
    if (n != f.length - 1) {
      throw new IllegalArgumentException("not a name list: " + text);
    }
    List<String> out = new ArrayList<>(n);
    for (int i = 1; i < f.length; i++) {
      out.add(DestinationNames.unescape(f[i]));
    }
    return out;
  }
}
