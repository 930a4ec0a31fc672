package io.wharfmq.amqp.link;

import io.wharfmq.amqp.management.PercentEncoding;

/**
 * RabbitMQ 4's "address v2" (docs/rabbitmq.md, "Addresses"): {@code /exchanges/X/KEY}, {@code
 * /exchanges/X} (empty key) and {@code /queues/Q}, each name percent-encoded per RFC 3986. Any
 * address equal to {@code /exchanges} or {@code /queues} or starting with {@code /exchanges/} or
 * {@code /queues/} is v2 and must be well formed; every other address is an issue-12 plain name
 * (Qpid JMS and plain AMQP clients), which RabbitMQ would call v1. Stateless; thread-safe.
 */
final class AddressV2 {
  static final String EXCHANGES = "/exchanges";
  static final String QUEUES = "/queues";
  static final String DEFAULT_EXCHANGE = "amq.default";

  /** A parsed v2 address. */
  sealed interface Parsed permits ExchangeAddress, QueueAddress {}

  /** {@code /exchanges/X/KEY} or {@code /exchanges/X} (key empty), names decoded. */
  record ExchangeAddress(String exchange, String key) implements Parsed {}

  /** {@code /queues/Q}, name decoded. */
  record QueueAddress(String queue) implements Parsed {}

  /** A v2 address that is not well formed; the message says why (amqp:invalid-field). */
  static final class BadAddress extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    BadAddress(String message) {
      super(message);
    }
  }

  private AddressV2() {}

  /** Whether RabbitMQ's v2 rules apply to {@code address} (null: the anonymous terminus). */
  static boolean isV2(String address) {
    return address != null
        && (address.equals(EXCHANGES)
            || address.equals(QUEUES)
            || address.startsWith(EXCHANGES + "/")
            || address.startsWith(QUEUES + "/"));
  }

  /**
   * Parses a v2 address.
   *
   * @throws BadAddress when it is not one of the three well-formed v2 forms
   */
  static Parsed parse(String address) {
    if (!isV2(address)) {
      throw new BadAddress("not a v2 address: '" + address + "'");
    }
    String[] segments = address.substring(1).split("/", -1);
    if (segments[0].equals("queues")) {
      if (segments.length != 2 || segments[1].isEmpty()) {
        throw new BadAddress("bad queue address '" + address + "': expected /queues/:queue");
      }
      return new QueueAddress(decode(segments[1], address));
    }
    if (segments.length < 2 || segments.length > 3 || segments[1].isEmpty()) {
      throw new BadAddress(
          "bad exchange address '"
              + address
              + "': expected /exchanges/:exchange or /exchanges/:exchange/:routing-key");
    }
    String exchange = decode(segments[1], address);
    if (exchange.equals(DEFAULT_EXCHANGE)) {
      throw new BadAddress(
          "bad exchange address '" + address + "': use /queues/:queue for the default exchange");
    }
    String key = segments.length == 3 ? decode(segments[2], address) : "";
    return new ExchangeAddress(exchange, key);
  }

  private static String decode(String segment, String address) {
    try {
      return PercentEncoding.decode(segment);
    } catch (IllegalArgumentException e) {
      throw new BadAddress("bad address '" + address + "': " + e.getMessage());
    }
  }

  /** {@code /queues/} plus the encoded name. */
  static String queueAddress(String name) {
    return QUEUES + "/" + PercentEncoding.encode(name);
  }
}
