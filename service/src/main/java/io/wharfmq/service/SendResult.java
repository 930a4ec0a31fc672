package io.wharfmq.service;

import java.util.List;

/**
 * What a send did.
 *
 * @param messageIds the offset message ids, one per stored message (RocketMQ's msgId)
 * @param uniqueId the first message's UNIQ_KEY (RocketMQ's transactionId in the answer), or null
 * @param storedTopic where the message really went (the schedule or timer topic, a DLQ, the half
 *     topic), for logs and stats
 */
public record SendResult(
    Status status,
    String detail,
    String topic,
    int queueId,
    long queueOffset,
    List<String> messageIds,
    String uniqueId,
    String storedTopic) {
  public boolean isOk() {
    return status == Status.OK;
  }

  public static SendResult fail(Status status, String detail, String topic) {
    return new SendResult(status, detail, topic, -1, -1, List.of(), null, null);
  }
}
