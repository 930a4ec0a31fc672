package io.wharfmq.service;

import java.util.Map;

/**
 * A stored message as handed to a consumer. Implementations decode lazily from the stored record;
 * {@link #record()} gives the record bytes unchanged for doors that forward them (RocketMQ pop and
 * pull answers). Not thread-safe unless the implementation says so; hand it to one thread.
 */
public interface ReceivedMessage {
  String topic();

  int queueId();

  long queueOffset();

  long commitLogOffset();

  /** The offset message id (RocketMQ's msgId of a stored message). */
  String offsetMessageId();

  byte[] body();

  int flag();

  /** The properties as stored (RocketMQ's text form). */
  String propertiesText();

  /** The properties decoded, in stored order. */
  Map<String, String> properties();

  long bornTimestamp();

  long storeTimestamp();

  /** Deliveries before this one. */
  int reconsumeTimes();

  /**
   * Whether the message was handed out before, counted or not (a released delivery leaves
   * reconsumeTimes as it was): AMQP's first-acquirer is false then.
   */
  default boolean deliveredBefore() {
    return reconsumeTimes() > 0;
  }

  int sysFlag();

  /** The stored record exactly as it is in the commit log. */
  byte[] record();

  /** For a popped message, the handle that acknowledges this delivery; null otherwise. */
  Receipt receipt();
}
