package io.wharfmq.broker.service;

import io.wharfmq.remoting.protocol.MessageIds;
import io.wharfmq.service.Receipt;
import io.wharfmq.service.ReceivedMessage;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.format.StoredMessage;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A delivered message over its stored record bytes: fixed fields are read in place, body, topic and
 * properties are decoded on first use, so a door that forwards {@link #record()} (RocketMQ pop)
 * decodes nothing. Not thread-safe (the lazy fields); hand it to one thread.
 */
final class StoredReceivedMessage implements ReceivedMessage {
  private final byte[] record;
  private final ByteBuffer view;
  private final Receipt receipt;
  private final boolean deliveredBefore;
  private StoredMessage decoded;
  private Map<String, String> properties;

  StoredReceivedMessage(byte[] record, Receipt receipt) {
    this(record, receipt, false);
  }

  StoredReceivedMessage(byte[] record, Receipt receipt, boolean deliveredBefore) {
    this.record = record;
    this.view = ByteBuffer.wrap(record);
    this.receipt = receipt;
    this.deliveredBefore = deliveredBefore;
  }

  @Override
  public boolean deliveredBefore() {
    return deliveredBefore || reconsumeTimes() > 0;
  }

  private StoredMessage decoded() {
    if (decoded == null) {
      decoded = StoredMessage.decode(view, 0);
    }
    return decoded;
  }

  private int sysFlagValue() {
    return view.getInt(MessageRecordLayout.SYS_FLAG);
  }

  @Override
  public String topic() {
    return decoded != null ? decoded.topic() : StoredMessage.topic(view, 0);
  }

  @Override
  public int queueId() {
    return view.getInt(MessageRecordLayout.QUEUE_ID);
  }

  @Override
  public long queueOffset() {
    return view.getLong(MessageRecordLayout.QUEUE_OFFSET);
  }

  @Override
  public long commitLogOffset() {
    return view.getLong(MessageRecordLayout.PHYSICAL_OFFSET);
  }

  @Override
  public String offsetMessageId() {
    return MessageIds.offsetMessageId(decoded().storeHost(), commitLogOffset());
  }

  @Override
  public byte[] body() {
    return decoded().body();
  }

  @Override
  public int flag() {
    return view.getInt(MessageRecordLayout.FLAG);
  }

  @Override
  public String propertiesText() {
    return decoded != null ? decoded.properties() : StoredMessage.properties(view, 0);
  }

  @Override
  public Map<String, String> properties() {
    if (properties == null) {
      properties =
          java.util.Collections.unmodifiableMap(MessageProperties.decode(propertiesText()));
    }
    return properties;
  }

  @Override
  public long bornTimestamp() {
    return view.getLong(MessageRecordLayout.BORN_TIMESTAMP);
  }

  @Override
  public long storeTimestamp() {
    return StoredMessage.storeTimestamp(view, 0);
  }

  @Override
  public int reconsumeTimes() {
    return view.getInt(MessageRecordLayout.reconsumeTimesOffset(sysFlagValue()));
  }

  @Override
  public int sysFlag() {
    return sysFlagValue();
  }

  @Override
  public byte[] record() {
    return record;
  }

  @Override
  public Receipt receipt() {
    return receipt;
  }

  @Override
  public String toString() {
    return "ReceivedMessage[" + topic() + ":" + queueId() + "@" + queueOffset() + "]";
  }
}
