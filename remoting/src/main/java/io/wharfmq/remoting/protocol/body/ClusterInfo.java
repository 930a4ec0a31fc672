package io.wharfmq.remoting.protocol.body;

import java.util.Map;
import java.util.Set;

/** The body of a GET_BROKER_CLUSTER_INFO response (RocketMQ ClusterInfo). */
public record ClusterInfo(
    Map<String, BrokerData> brokerAddrTable, Map<String, Set<String>> clusterAddrTable) {}
