package io.wharfmq.store.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Presents a dispatched record ({@link MessageProperties#DISPATCH}) as a record of one of its
 * target queues: readers of a queue (pull, POP, peek, the RocketMQ client's own checks) expect
 * every record to carry the queue's topic, queue id and queue offset. The copy has the target's
 * topic, queue id and offset, the record's physical offset and store time, no target list (it can
 * be long and is of no use to a consumer), and {@link MessageProperties#DISPATCH_SOURCE} naming the
 * topic the record was stored in. Stateless; thread-safe.
 */
public final class DispatchView {
  private DispatchView() {}

  /**
   * Whether the record at position 0 of {@code record}, reached through entry {@code queueOffset}
   * of queue ({@code topic}, {@code queueId}), is a dispatched record rather than one of the
   * queue's own. Cheap for the common case: a queue's own record carries its queue id and offset.
   */
  public static boolean reachedByDispatch(
      ByteBuffer record, String topic, int queueId, long queueOffset) {
    if (record.getInt(MessageRecordLayout.QUEUE_ID) != queueId
        || record.getLong(MessageRecordLayout.QUEUE_OFFSET) != queueOffset) {
      return true;
    }
    // Offset 0 of queue 0 is also what a dispatched record holds for its own queue.
    return queueOffset == 0 && !StoredMessage.topic(record, 0).equals(topic);
  }

  /** The record at position 0 of {@code record} as entry {@code queueOffset} of the queue. */
  public static byte[] asQueueRecord(
      ByteBuffer record, String topic, int queueId, long queueOffset) {
    StoredMessage m = StoredMessage.decode(record, 0);
    Map<String, String> properties = m.propertyMap();
    properties.remove(MessageProperties.DISPATCH);
    properties.put(MessageProperties.DISPATCH_SOURCE, m.topic());
    String text = MessageProperties.encode(properties);
    if (text.length() * 3 > MessageRecordLayout.MAX_PROPERTIES_LENGTH
        && text.getBytes(StandardCharsets.UTF_8).length
            > MessageRecordLayout.MAX_PROPERTIES_LENGTH) {
      // A record at the properties limit with a short target list: the source name does not fit.
      properties.remove(MessageProperties.DISPATCH_SOURCE);
      text = MessageProperties.encode(properties);
    }
    MessageToStore copy =
        new MessageToStore(
            topic,
            queueId,
            m.flag(),
            m.body(),
            text,
            m.sysFlag(),
            m.bornTimestamp(),
            m.bornHost(),
            m.storeHost(),
            m.reconsumeTimes(),
            m.preparedTransactionOffset());
    MessageEncoder.EncodedRecord encoded = MessageEncoder.encode(copy, Integer.MAX_VALUE);
    MessageEncoder.patchAssignedFields(
        ByteBuffer.wrap(encoded.bytes()),
        0,
        encoded.storeTimestampOffset(),
        queueOffset,
        m.physicalOffset(),
        m.storeTimestamp());
    return encoded.bytes();
  }

  /**
   * The topic a record read through a queue was stored in: its source if dispatched, else its own.
   */
  public static String storedTopic(StoredMessage m) {
    String source = MessageProperties.find(m.properties(), MessageProperties.DISPATCH_SOURCE);
    return source != null ? source : m.topic();
  }
}
