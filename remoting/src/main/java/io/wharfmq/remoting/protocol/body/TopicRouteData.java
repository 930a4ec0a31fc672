package io.wharfmq.remoting.protocol.body;

import java.util.List;
import java.util.Map;

/** The body of a GET_ROUTEINFO_BY_TOPIC response (RocketMQ TopicRouteData). */
public record TopicRouteData(
    List<QueueData> queueDatas,
    List<BrokerData> brokerDatas,
    Map<String, List<String>> filterServerTable) {}
