package io.wharfmq.service.message;

/**
 * Names of the record properties Wharf reserves for headers that every door reads and writes (the
 * table in docs/mapping.md). One place for all of them: adapters and the broker read these
 * constants, never literals. Values are RocketMQ property text (strings).
 */
public final class ReservedProperties {
  private ReservedProperties() {}

  /**
   * Absolute expiry time, epoch milliseconds (AMQP absolute-expiry-time or creation + ttl, JMS
   * expiration). The broker never delivers a message past it.
   */
  public static final String EXPIRES_AT = "WHARF_EXPIRES_AT";

  /**
   * The AMQP connection that published a topic message (its listener-unique connection id), for
   * no-local subscriptions (apache.org:no-local-filter:list). Set by the AMQP adapter on topic
   * sends only.
   */
  public static final String PUBLISHER_CONNECTION = "WHARF_PUBLISHER_CONNECTION";
}
