package io.wharfmq.amqp.link;

import org.apache.qpid.proton.amqp.Symbol;

/** Capability and address helpers for sources and targets. Stateless; thread-safe. */
final class Terminus {
  static final Symbol QUEUE = Symbol.valueOf("queue");
  static final Symbol TOPIC = Symbol.valueOf("topic");
  static final Symbol TEMP_QUEUE = Symbol.valueOf("temporary-queue");
  static final Symbol TEMP_TOPIC = Symbol.valueOf("temporary-topic");
  static final Symbol SHARED = Symbol.valueOf("shared");
  static final Symbol GLOBAL = Symbol.valueOf("global");
  static final Symbol DELAYED_DELIVERY = Symbol.valueOf("DELAYED_DELIVERY");
  static final Symbol SHARED_SUBS = Symbol.valueOf("SHARED-SUBS");
  static final Symbol COPY = Symbol.valueOf("copy");
  static final Symbol LIFETIME_POLICY = Symbol.valueOf("lifetime-policy");
  static final String QUEUES_PREFIX = "/queues/";

  private Terminus() {}

  static boolean has(Symbol[] capabilities, Symbol wanted) {
    if (capabilities != null) {
      for (Symbol s : capabilities) {
        if (wanted.equals(s)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The destination kind a terminus names: its capabilities, else its address form. */
  static Destination.Kind kind(Symbol[] capabilities, String address) {
    if (has(capabilities, TEMP_TOPIC)) {
      return Destination.Kind.TEMP_TOPIC;
    }
    if (has(capabilities, TEMP_QUEUE)) {
      return Destination.Kind.TEMP_QUEUE;
    }
    if (has(capabilities, TOPIC) && (address == null || !address.startsWith(QUEUES_PREFIX))) {
      return Destination.Kind.TOPIC;
    }
    return Destination.Kind.QUEUE;
  }

  /** The destination name an address denotes ({@code /queues/NAME} is NAME, percent-decoded). */
  static String name(String address) {
    if (address != null && address.startsWith(QUEUES_PREFIX)) {
      return java.net.URLDecoder.decode(
          address.substring(QUEUES_PREFIX.length()).replace("+", "%2B"),
          java.nio.charset.StandardCharsets.UTF_8);
    }
    return address;
  }
}
