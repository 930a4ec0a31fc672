package io.wharfmq.service;

import java.util.Locale;

/** RabbitMQ's exchange types (docs/rabbitmq.md). */
public enum ExchangeType {
  /** Routing key equal to the binding key. */
  DIRECT,
  /** Every bound destination, whatever the key. */
  FANOUT,
  /** Dot-separated words; {@code *} matches one word, {@code #} zero or more. */
  TOPIC,
  /**
   * Message headers against the binding's arguments ({@code x-match} all, any, all-with-x,
   * any-with-x).
   */
  HEADERS;

  /** The name RabbitMQ uses ({@code direct}, {@code fanout}, ...). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The type named {@code name} (case-insensitive), or null when there is none. */
  public static ExchangeType fromWireName(String name) {
    if (name == null) {
      return null;
    }
    for (ExchangeType t : values()) {
      if (t.wireName().equalsIgnoreCase(name)) {
        return t;
      }
    }
    return null;
  }
}
