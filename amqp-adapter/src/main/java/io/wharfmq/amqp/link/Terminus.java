package io.wharfmq.amqp.link;

import org.apache.qpid.proton.amqp.Symbol;

/** Capability and address helpers for sources and targets. Stateless; thread-safe. */
final class Terminus {
  static final Symbol QUEUE = Symbol.valueOf("queue");
  static final Symbol TOPIC = Symbol.valueOf("topic");
  static final Symbol TEMP_QUEUE = Symbol.valueOf("temporary-queue");
  static final Symbol TEMP_TOPIC = Symbol.valueOf("temporary-topic");
  static final Symbol SHARED = Symbol.valueOf("shared");
  static final Symbol VOLATILE_QUEUE = Symbol.valueOf("rabbitmq:volatile-queue");
  static final Symbol[] OUTCOMES = {
    Symbol.valueOf("amqp:accepted:list"),
    Symbol.valueOf("amqp:rejected:list"),
    Symbol.valueOf("amqp:released:list"),
    Symbol.valueOf("amqp:modified:list")
  };
  static final Symbol GLOBAL = Symbol.valueOf("global");
  static final Symbol DELAYED_DELIVERY = Symbol.valueOf("DELAYED_DELIVERY");
  static final Symbol SHARED_SUBS = Symbol.valueOf("SHARED-SUBS");
  static final Symbol COPY = Symbol.valueOf("copy");
  static final Symbol LIFETIME_POLICY = Symbol.valueOf("lifetime-policy");
  static final String QUEUES_PREFIX = "/queues/";
  static final String TEMP_QUEUE_NAME_PREFIX = "temp-queue-";
  static final String TEMP_TOPIC_NAME_PREFIX = "temp-topic-";

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

  /**
   * The destination kind a terminus names: a temporary destination's name says so itself (whatever
   * the capabilities, so that a plain address cannot reach one as a queue), else its capabilities,
   * else its address form.
   */
  static Destination.Kind kind(Symbol[] capabilities, String address) {
    Destination.Kind temporary = temporaryKind(name(address));
    if (temporary != null) {
      return temporary;
    }
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

  /** The kind of a name made by {@link AmqpLinkAttacher} for a temporary destination, or null. */
  static Destination.Kind temporaryKind(String name) {
    if (name == null) {
      return null;
    }
    if (name.startsWith(TEMP_QUEUE_NAME_PREFIX)) {
      return Destination.Kind.TEMP_QUEUE;
    }
    return name.startsWith(TEMP_TOPIC_NAME_PREFIX) ? Destination.Kind.TEMP_TOPIC : null;
  }

  /**
   * The destination name an address denotes ({@code /queues/NAME} is NAME, percent-decoded).
   *
   * @throws IllegalArgumentException for a v2 address that is malformed or names an exchange
   */
  static String name(String address) {
    if (AddressV2.isV2(address)) {
      if (AddressV2.parse(address) instanceof AddressV2.QueueAddress q) {
        return q.queue();
      }
      throw new IllegalArgumentException("'" + address + "' names an exchange, not a queue");
    }
    return address;
  }
}
