package io.wharfmq.client;

import io.wharfmq.remoting.protocol.MessageIds;
import java.util.List;
import java.util.Map;

/**
 * A received message, decoded from the broker's stored record. Immutable (the body array is shared;
 * do not change it).
 *
 * @param msgId the producer's id (UNIQ_KEY property), or the offset id if the producer set none
 * @param offsetMsgId the broker's id: store address + commit-log offset
 * @param queue the queue it was read from (for a redelivery, a queue of the group's retry topic
 *     {@code %RETRY%<group>})
 * @param queueOffset its logical offset in that queue
 * @param tags its tag, or null
 * @param keys its keys
 * @param properties every property, system ones (UNIQ_KEY, TAGS, KEYS, WAIT...) included
 * @param body the payload (decompressed if the producer compressed it)
 * @param reconsumeTimes how often it was delivered before: the broker's count for messages that
 *     came back through the retry topic, plus local re-deliveries
 * @param bornTimestamp when the producer sent it (ms)
 * @param storeTimestamp when the broker stored it (ms)
 */
public record MessageView(
    String msgId,
    String offsetMsgId,
    MessageQueue queue,
    long queueOffset,
    String tags,
    List<String> keys,
    Map<String, String> properties,
    byte[] body,
    int reconsumeTimes,
    long bornTimestamp,
    long storeTimestamp) {

  /** Prefix of a consumer group's retry topic. */
  static final String RETRY_PREFIX = "%RETRY%";

  /** Property naming the original topic of a message sent back to a retry or dead-letter topic. */
  static final String RETRY_TOPIC = "RETRY_TOPIC";

  /**
   * The topic the message was sent to: for a message redelivered from a retry topic, its original
   * topic (the RETRY_TOPIC property, as the RocketMQ client restores it); {@link #queue} still
   * names the retry queue it was read from.
   */
  public String topic() {
    String original = properties.get(RETRY_TOPIC);
    return original != null && queue.topic().startsWith(RETRY_PREFIX) ? original : queue.topic();
  }

  /** Its position in the broker's commit log (from {@link #offsetMsgId}). */
  long commitLogOffset() {
    return MessageIds.decode(offsetMsgId).physicalOffset();
  }

  /** The same message delivered once more. */
  MessageView redelivered() {
    return new MessageView(
        msgId,
        offsetMsgId,
        queue,
        queueOffset,
        tags,
        keys,
        properties,
        body,
        reconsumeTimes + 1,
        bornTimestamp,
        storeTimestamp);
  }
}
