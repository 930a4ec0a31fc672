package io.wharfmq.remoting.protocol.body;

import java.util.Set;

/** The body of GET_ALL_TOPIC_LIST_FROM_NAMESERVER (RocketMQ TopicList). */
public record TopicList(Set<String> topicList, String brokerAddr) {}
