package io.wharfmq.remoting.protocol.body;

/** One queue: topic, broker name, queue id (RocketMQ MessageQueue). */
public record MessageQueue(String topic, String brokerName, int queueId) {}
