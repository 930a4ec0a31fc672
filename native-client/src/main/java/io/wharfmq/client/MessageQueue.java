package io.wharfmq.client;

import java.util.Comparator;

/** One queue of a topic on one broker group. Immutable. */
public record MessageQueue(String topic, String brokerName, int queueId)
    implements Comparable<MessageQueue> {

  private static final Comparator<MessageQueue> ORDER =
      Comparator.comparing(MessageQueue::topic)
          .thenComparing(MessageQueue::brokerName)
          .thenComparingInt(MessageQueue::queueId);

  @Override
  public int compareTo(MessageQueue o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return topic + "@" + brokerName + "#" + queueId;
  }
}
