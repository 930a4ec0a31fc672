package io.wharfmq.remoting.protocol.body;

/** A producer group in a heartbeat (RocketMQ ProducerData). */
public record ProducerData(String groupName) {}
