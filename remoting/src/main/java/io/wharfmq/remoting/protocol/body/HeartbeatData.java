package io.wharfmq.remoting.protocol.body;

import java.util.Set;

/** The body of HEART_BEAT (RocketMQ HeartbeatData). */
public record HeartbeatData(
    String clientID,
    Set<ProducerData> producerDataSet,
    Set<ConsumerData> consumerDataSet,
    int heartbeatFingerprint,
    boolean withoutSub) {}
