package io.wharfmq.service;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Store one message ({@code batch} false) or several on one topic and queue.
 *
 * @param queueId the queue, or -1 to let the service choose
 * @param sysFlag RocketMQ's system flag (transaction prepared bit, compression)
 * @param bornHost the producer's address as the door saw it
 * @param autoCreate create the topic when missing (the broker's autoCreateTopicEnable applies to
 *     RocketMQ sends; AMQP and JMS destinations are created on first use)
 * @param maxReconsumeTimes a retry message's limit from the producer, or -1 for the group's
 * @param routing a publish to an exchange (routed through its bindings; {@code topic} is then the
 *     exchange's topic), or null for a send to a topic or queue. A RocketMQ send to a topic that is
 *     a declared exchange of vhost {@code /} is routed likewise, with its tag as the routing key.
 */
public record SendCommand(
    String topic,
    int queueId,
    List<OutgoingMessage> messages,
    boolean batch,
    int sysFlag,
    InetSocketAddress bornHost,
    boolean autoCreate,
    int maxReconsumeTimes,
    Routing routing) {

  /** A send to a topic or queue (no exchange routing). */
  public SendCommand(
      String topic,
      int queueId,
      List<OutgoingMessage> messages,
      boolean batch,
      int sysFlag,
      InetSocketAddress bornHost,
      boolean autoCreate,
      int maxReconsumeTimes) {
    this(topic, queueId, messages, batch, sysFlag, bornHost, autoCreate, maxReconsumeTimes, null);
  }
}
