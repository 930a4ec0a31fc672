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
}
