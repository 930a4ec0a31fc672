package io.wharfmq.remoting.protocol.body;

import java.util.List;

/** The body of UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST (RocketMQ SubscriptionGroupList). */
public record SubscriptionGroupList(List<SubscriptionGroupConfig> groupConfigList) {}
