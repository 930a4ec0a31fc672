package io.wharfmq.service;

/**
 * Take messages for a group.
 *
 * @param queueId one queue, or -1 for all the topic's read queues
 * @param max 1..32 messages
 * @param invisibleMillis how long a taken message stays invisible to other consumers
 * @param pollMillis how long to wait when nothing is there (0: answer at once)
 * @param filterType how {@code expression} is read
 * @param expression tag expression or SQL92 selector; "*" for everything
 * @param startAtHead a group new to the topic starts at the first stored message (RocketMQ's
 *     ConsumeInitMode.MIN) rather than the tail
 * @param keepUnmatched messages the filter does not match stay available to the group's other
 *     consumers (JMS queue selectors) instead of being finished for the whole group (RocketMQ,
 *     where a subscription's filter applies to the group)
 */
public record PopCommand(
    String group,
    String topic,
    int queueId,
    int max,
    long invisibleMillis,
    long pollMillis,
    FilterType filterType,
    String expression,
    boolean startAtHead,
    boolean keepUnmatched) {

  /** A pop whose filter applies to the whole group (unmatched messages are finished). */
  public PopCommand(
      String group,
      String topic,
      int queueId,
      int max,
      long invisibleMillis,
      long pollMillis,
      FilterType filterType,
      String expression,
      boolean startAtHead) {
    this(
        group,
        topic,
        queueId,
        max,
        invisibleMillis,
        pollMillis,
        filterType,
        expression,
        startAtHead,
        false);
  }
}
