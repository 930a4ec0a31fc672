package io.wharfmq.client;

/** What a listener made of a batch. */
public enum ConsumeResult {
  /** Consumed; the offset may move past these messages. */
  SUCCESS,
  /**
   * Not consumed now; deliver again later. Concurrent listeners in clustering: through the group's
   * retry topic (the offset moves on); orderly listeners: the queue pauses and the same messages
   * come next. After the consumer's maxReconsumeTimes re-deliveries: the dead-letter topic.
   */
  RETRY_LATER
}
