package io.wharfmq.remoting.protocol.body;

import java.util.List;

/** The body of REGISTER_BROKER (RocketMQ RegisterBrokerBody, uncompressed JSON form). */
public record RegisterBrokerBody(
    TopicConfigWrapper topicConfigSerializeWrapper, List<String> filterServerList) {}
