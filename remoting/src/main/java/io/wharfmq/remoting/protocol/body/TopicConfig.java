package io.wharfmq.remoting.protocol.body;

import java.util.Map;

/**
 * A topic's configuration as brokers store and register it (RocketMQ TopicConfig). perm bits: 8
 * PRIORITY, 4 READ, 2 WRITE, 1 INHERIT.
 */
public record TopicConfig(
    String topicName,
    int readQueueNums,
    int writeQueueNums,
    int perm,
    String topicFilterType,
    int topicSysFlag,
    boolean order,
    Map<String, String> attributes) {

  public static final int PERM_PRIORITY = 8;
  public static final int PERM_READ = 4;
  public static final int PERM_WRITE = 2;
  public static final int PERM_INHERIT = 1;

  public static TopicConfig of(String name, int queues, int perm) {
    return new TopicConfig(name, queues, queues, perm, "SINGLE_TAG", 0, false, Map.of());
  }

  public boolean isReadable() {
    return (perm & PERM_READ) != 0;
  }

  public boolean isWritable() {
    return (perm & PERM_WRITE) != 0;
  }
}
