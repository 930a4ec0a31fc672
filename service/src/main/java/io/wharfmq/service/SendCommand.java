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
 */
public record SendCommand(
    String topic,
    int queueId,
    List<OutgoingMessage> messages,
    boolean batch,
    int sysFlag,
    InetSocketAddress bornHost,
    boolean autoCreate,
    int maxReconsumeTimes) {}
