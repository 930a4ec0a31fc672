package io.wharfmq.amqp.message;

import io.wharfmq.service.message.DeathHistory;
import io.wharfmq.service.message.ReservedProperties;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;

/**
 * The dead-letter history of a record as RabbitMQ 4's message annotations (docs/mapping.md,
 * "Dead-letter history"): {@code x-opt-deaths} (an array of maps, most recent first) and {@code
 * x-first-death-*} / {@code x-last-death-*}. Stateless; thread-safe.
 */
final class DeathAnnotations {
  static final Symbol DEATHS = Symbol.valueOf("x-opt-deaths");
  private static final Symbol QUEUE = Symbol.valueOf("queue");
  private static final Symbol REASON = Symbol.valueOf("reason");
  private static final Symbol COUNT = Symbol.valueOf("count");
  private static final Symbol FIRST_TIME = Symbol.valueOf("first-time");
  private static final Symbol LAST_TIME = Symbol.valueOf("last-time");
  private static final Symbol EXCHANGE = Symbol.valueOf("exchange");
  private static final Symbol ROUTING_KEYS = Symbol.valueOf("routing-keys");
  private static final Symbol TTL = Symbol.valueOf("ttl");

  private DeathAnnotations() {}

  /** Whether the record carries a history (its annotations must then be encoded again). */
  static boolean present(Map<String, String> stored) {
    return stored.containsKey(ReservedProperties.DEATHS);
  }

  /**
   * Adds the annotations to {@code map}, replacing any of the same names (a publisher's own are not
   * trusted). A damaged history is left out and reported as false.
   */
  static boolean addTo(Map<Symbol, Object> map, Map<String, String> stored) {
    List<DeathHistory.Death> deaths;
    DeathHistory.Event first;
    DeathHistory.Event last;
    try {
      deaths = DeathHistory.decode(stored.get(ReservedProperties.DEATHS));
      first = DeathHistory.decodeEvent(stored.get(ReservedProperties.FIRST_DEATH));
      last = DeathHistory.decodeEvent(stored.get(ReservedProperties.LAST_DEATH));
    } catch (IllegalArgumentException damaged) {
      return false;
    }
    if (deaths.isEmpty()) {
      return true;
    }
    Object[] entries = new Object[deaths.size()];
    for (int i = 0; i < entries.length; i++) {
      entries[i] = entry(deaths.get(i));
    }
    map.put(DEATHS, entries);
    event(map, "x-first-death-", first != null ? first : eventOf(deaths.get(deaths.size() - 1)));
    event(map, "x-last-death-", last != null ? last : eventOf(deaths.get(0)));
    return true;
  }

  private static Map<Symbol, Object> entry(DeathHistory.Death d) {
    Map<Symbol, Object> m = new LinkedHashMap<>();
    if (d.ttl() != null && d.ttl() >= 0 && d.ttl() <= 0xFFFF_FFFFL) {
      m.put(TTL, UnsignedInteger.valueOf(d.ttl()));
    }
    m.put(QUEUE, d.queue());
    m.put(REASON, Symbol.valueOf(d.reason()));
    m.put(COUNT, UnsignedLong.valueOf(d.count()));
    m.put(FIRST_TIME, new Date(d.firstTime()));
    m.put(LAST_TIME, new Date(d.lastTime()));
    m.put(EXCHANGE, d.exchange());
    m.put(ROUTING_KEYS, d.routingKeys().toArray(new String[0]));
    return m;
  }

  private static DeathHistory.Event eventOf(DeathHistory.Death d) {
    return new DeathHistory.Event(d.queue(), d.reason(), d.exchange());
  }

  private static void event(Map<Symbol, Object> map, String prefix, DeathHistory.Event e) {
    map.put(Symbol.valueOf(prefix + "queue"), e.queue());
    map.put(Symbol.valueOf(prefix + "reason"), e.reason());
    map.put(Symbol.valueOf(prefix + "exchange"), e.exchange());
  }
}
