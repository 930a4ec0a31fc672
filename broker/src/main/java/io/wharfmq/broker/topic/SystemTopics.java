package io.wharfmq.broker.topic;

import io.wharfmq.remoting.protocol.body.TopicConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The topics a broker keeps for itself, as Apache RocketMQ 5.x brokers do (its TopicConfigManager's
 * constructor and TopicValidator): which exist, with which queues and permissions, and which names
 * admin requests may not create, change or delete. Immutable; thread-safe.
 */
public final class SystemTopics {
  /** Self-test topic of RocketMQ's tools (1 queue). */
  public static final String SELF_TEST_TOPIC = "SELF_TEST_TOPIC";

  /** Where RocketMQ brokers record pull offsets they corrected (1 queue); Wharf writes none. */
  public static final String OFFSET_MOVED_EVENT = "OFFSET_MOVED_EVENT";

  /** RocketMQ's benchmark topic: a system name, never created by Wharf. */
  public static final String BENCHMARK_TOPIC = "BenchmarkTest";

  /** Where a transactional half message goes after its last check (RocketMQ's name). */
  public static final String TRANS_CHECK_MAX_TIME_TOPIC = "TRANS_CHECK_MAX_TIME_TOPIC";

  /** RocketMQ's RocksDB offset topic: a system name, never created by Wharf. */
  public static final String CHECKPOINT_TOPIC = "CHECKPOINT_TOPIC";

  /** Every topic named {@code rmq_sys_…} is a system topic (RocketMQ's rule). */
  public static final String SYSTEM_TOPIC_PREFIX = "rmq_sys_";

  /** Queues of the cluster-name topic: RocketMQ's default for a new TopicConfig. */
  static final int CLUSTER_TOPIC_QUEUES = 16;

  /**
   * Topics only the broker writes (RocketMQ's TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET): a
   * client's send to one is refused with NO_PERMISSION.
   */
  private static final Set<String> NOT_ALLOWED_SEND =
      Set.of(
          "SCHEDULE_TOPIC_XXXX",
          "RMQ_SYS_TRANS_HALF_TOPIC",
          "RMQ_SYS_TRANS_OP_HALF_TOPIC",
          TRANS_CHECK_MAX_TIME_TOPIC,
          SELF_TEST_TOPIC,
          OFFSET_MOVED_EVENT);

  /** Whether clients may not send to {@code topic} (only the broker writes it). */
  public static boolean isNotAllowedSendTopic(String topic) {
    return NOT_ALLOWED_SEND.contains(topic);
  }

  /** A system topic and whether its permission follows the configuration at every start. */
  public record SystemTopic(TopicConfig config, boolean permFromConfig) {}

  private final List<SystemTopic> topics;
  private final Set<String> names;

  private SystemTopics(List<SystemTopic> topics, Set<String> otherNames) {
    this.topics = List.copyOf(topics);
    Set<String> all = new HashSet<>(otherNames);
    for (SystemTopic t : topics) {
      all.add(t.config().topicName());
    }
    this.names = Set.copyOf(all);
  }

  /**
   * The system topics of a broker.
   *
   * @param clusterName brokerClusterName: a topic of that name, 16 queues, perm 7 (INHERIT, READ,
   *     WRITE) when clusterTopicEnable, else 1 (INHERIT)
   * @param brokerName brokerName: a topic of that name, 1 queue, perm as the cluster topic's by
   *     brokerTopicEnable
   * @param traceTopic the trace topic (1 queue) when traceTopicEnable, else null
   * @param fixed further topics that exist if absent (schedule, transaction, timer, pop topics);
   *     their stored configuration is kept once created
   */
  public static SystemTopics of(
      String clusterName,
      boolean clusterTopicEnable,
      String brokerName,
      boolean brokerTopicEnable,
      String traceTopic,
      List<TopicConfig> fixed) {
    int rw = TopicConfig.PERM_READ | TopicConfig.PERM_WRITE;
    List<SystemTopic> list = new ArrayList<>();
    list.add(new SystemTopic(TopicConfig.of(SELF_TEST_TOPIC, 1, rw), false));
    list.add(new SystemTopic(TopicConfig.of(OFFSET_MOVED_EVENT, 1, rw), false));
    list.add(
        new SystemTopic(
            TopicConfig.of(
                clusterName,
                CLUSTER_TOPIC_QUEUES,
                TopicConfig.PERM_INHERIT | (clusterTopicEnable ? rw : 0)),
            true));
    if (!brokerName.equals(clusterName)) {
      list.add(
          new SystemTopic(
              TopicConfig.of(
                  brokerName, 1, TopicConfig.PERM_INHERIT | (brokerTopicEnable ? rw : 0)),
              true));
    }
    if (traceTopic != null) {
      list.add(new SystemTopic(TopicConfig.of(traceTopic, 1, rw), false));
    }
    for (TopicConfig c : fixed) {
      list.add(new SystemTopic(c, false));
    }
    return new SystemTopics(
        list,
        Set.of(
            TopicConfigManager.DEFAULT_TOPIC,
            BENCHMARK_TOPIC,
            TRANS_CHECK_MAX_TIME_TOPIC,
            CHECKPOINT_TOPIC,
            "RMQ_SYS_TRACE_TOPIC"));
  }

  /** The topics to keep, in creation order. */
  public List<SystemTopic> topics() {
    return topics;
  }

  /**
   * Whether {@code topic} is a system topic: one this broker keeps, one of RocketMQ's fixed system
   * names, or a {@code rmq_sys_} name. Admin requests may not create, update or delete those.
   */
  public boolean isSystemTopic(String topic) {
    return names.contains(topic) || topic.startsWith(SYSTEM_TOPIC_PREFIX);
  }
}
