package io.wharfmq.broker.pop;

import io.wharfmq.broker.schedule.ScheduleRewrite;

/**
 * The receipt handle of a popped message as RocketMQ clients build and send it back ("extraInfo",
 * the POP_CK property): space-separated ckQueueOffset, popTime, invisibleTime, reviveQid, topic
 * mark (0 normal, 1 "%RETRY%group_topic", 2 "%RETRY%group+topic"), brokerName, queueId and
 * queueOffset. Wharf needs popTime (which delivery) and the topic mark. Immutable.
 */
public record PopReceipt(long popTime, String topicMark, String brokerName, int queueId) {

  /** Parses an extraInfo string; IllegalArgumentException naming what is wrong. */
  public static PopReceipt parse(String extraInfo) {
    if (extraInfo == null) {
      throw new IllegalArgumentException("extraInfo is missing");
    }
    String[] f = extraInfo.trim().split(" ");
    if (f.length < 7) {
      throw new IllegalArgumentException(
          "extraInfo must have at least 7 space-separated fields, has " + f.length);
    }
    try {
      return new PopReceipt(Long.parseLong(f[1]), f[4], f[5], Integer.parseInt(f[6]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("extraInfo has a bad number: " + e.getMessage(), e);
    }
  }

  /** The topic mark RocketMQ clients expect for a message read from {@code topic}. */
  public static String topicMark(String topic) {
    if (!topic.startsWith(ScheduleRewrite.RETRY_PREFIX)) {
      return "0";
    }
    return topic.indexOf('+') >= 0 ? "2" : "1";
  }

  /**
   * The topic popped from, given the topic an ack names: clients rebuild a retry topic from the
   * mark ("%RETRY%group_" + topic for mark 1, "+" for 2), which Wharf maps back.
   */
  public static String poppedTopic(String ackTopic, String group) {
    for (char sep : new char[] {'_', '+'}) {
      String prefix = ScheduleRewrite.RETRY_PREFIX + group + sep;
      if (ackTopic.startsWith(prefix)
          && ackTopic.substring(prefix.length()).startsWith(ScheduleRewrite.RETRY_PREFIX)) {
        return ackTopic.substring(prefix.length());
      }
    }
    return ackTopic;
  }
}
