package io.wharfmq.remoting.protocol.body;

import java.util.Map;

/**
 * Every subscription group of a broker with the table's version: the body of
 * GET_ALL_SUBSCRIPTIONGROUP_CONFIG and the content of config/subscriptionGroup.json (RocketMQ
 * SubscriptionGroupWrapper).
 */
public record SubscriptionGroupWrapper(
    Map<String, SubscriptionGroupConfig> subscriptionGroupTable, DataVersion dataVersion) {}
