package io.wharfmq.client;

/**
 * RocketMQ's rule for consumer group names, checked by every consumer builder: 1 to 255 characters
 * of {@code [%|a-zA-Z0-9_-]}. Stateless.
 */
final class ConsumerGroupName {
  static final String RULE = "consumerGroup must be 1-255 characters of [%|a-zA-Z0-9_-]";

  private ConsumerGroupName() {}

  static boolean isValid(String group) {
    return group != null && group.matches("[%|a-zA-Z0-9_-]{1,255}");
  }
}
