package io.wharfmq.remoting.protocol.body;

import java.util.Map;

/** A broker's topic table with its version (RocketMQ TopicConfigSerializeWrapper). */
public record TopicConfigWrapper(
    Map<String, TopicConfig> topicConfigTable, DataVersion dataVersion) {}
