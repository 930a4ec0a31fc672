package io.wharfmq.amqp.message;

import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.Receipt;
import io.wharfmq.service.ReceivedMessage;
import java.util.Map;

/**
 * A message as the store hands it back: the properties go through RocketMQ's properties text, as
 * they do in a record. For tests; immutable.
 */
record StoredRecord(
    byte[] body, String propertiesText, long bornTimestamp, int reconsumeTimes, String topic)
    implements ReceivedMessage {

  static StoredRecord of(OutgoingMessage m, int reconsumeTimes) {
    return new StoredRecord(m.body(), m.properties(), m.bornTimestamp(), reconsumeTimes, "q");
  }

  /** A record as a RocketMQ producer writes it. */
  static StoredRecord rocketMq(byte[] body, Map<String, String> properties, long born) {
    return new StoredRecord(body, PropertiesText.encode(properties), born, 0, "t");
  }

  StoredRecord withRedelivery(int times) {
    return new StoredRecord(body, propertiesText, bornTimestamp, times, topic);
  }

  @Override
  public int queueId() {
    return 0;
  }

  @Override
  public long queueOffset() {
    return 7;
  }

  @Override
  public long commitLogOffset() {
    return 4096;
  }

  @Override
  public String offsetMessageId() {
    return "7F00000100002A9F0000000000001000";
  }

  @Override
  public int flag() {
    return 0;
  }

  @Override
  public Map<String, String> properties() {
    return PropertiesText.decode(propertiesText);
  }

  @Override
  public long storeTimestamp() {
    return bornTimestamp + 1;
  }

  @Override
  public int sysFlag() {
    return 0;
  }

  @Override
  public byte[] record() {
    throw new UnsupportedOperationException("not a stored record");
  }

  @Override
  public Receipt receipt() {
    return null;
  }
}
