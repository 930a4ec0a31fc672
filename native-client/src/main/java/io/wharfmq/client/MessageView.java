package io.wharfmq.client;

import java.util.List;
import java.util.Map;

/**
 * A received message, decoded from the broker's stored record. Immutable (the body array is shared;
 * do not change it).
 *
 * @param msgId the producer's id (UNIQ_KEY property), or the offset id if the producer set none
 * @param offsetMsgId the broker's id: store address + commit-log offset
 * @param queue the queue it was read from
 * @param queueOffset its logical offset in that queue
 * @param tags its tag, or null
 * @param keys its keys
 * @param properties every property, system ones (UNIQ_KEY, TAGS, KEYS, WAIT...) included
 * @param body the payload (decompressed if the producer compressed it)
 * @param reconsumeTimes how often it was delivered before (local re-deliveries count)
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

  public String topic() {
    return queue.topic();
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
