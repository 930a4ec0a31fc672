package io.wharfmq.remoting.protocol.body;

import java.util.Set;

/** A consumer group as one client reports it in a heartbeat (RocketMQ ConsumerData). */
public record ConsumerData(
    String groupName,
    String consumeType,
    String messageModel,
    String consumeFromWhere,
    Set<SubscriptionData> subscriptionDataSet,
    boolean unitMode) {}
