package io.wharfmq.broker.topic;

import com.fasterxml.jackson.core.type.TypeReference;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.body.DataVersion;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.remoting.protocol.body.TopicConfigWrapper;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.mapped.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's topics, persisted atomically to {@code config/topics.json} on every change. Holds
 * the default topic TBW102 from which unknown topics are created on first send when
 * autoCreateTopicEnable is on. Thread-safe; changes are serialized.
 */
public final class TopicConfigManager {
  private static final Logger log = LoggerFactory.getLogger(TopicConfigManager.class);

  /** The default topic new topics inherit from (RocketMQ's AUTO_CREATE_TOPIC_KEY_TOPIC). */
  public static final String DEFAULT_TOPIC = "TBW102";

  private static final int MAX_NAME_LENGTH = 127;

  private final Path file;
  private final InstantSource clock;
  private final Map<String, TopicConfig> topics = new ConcurrentHashMap<>();
  private final AtomicLong version = new AtomicLong();
  private volatile SystemTopics system;

  public TopicConfigManager(Path configDir, InstantSource clock) {
    this.file = configDir.resolve("topics.json");
    this.clock = clock;
  }

  /** Why a topic name is not acceptable, or null if it is. */
  public static String checkName(String topic) {
    if (topic == null || topic.isEmpty()) {
      return "topic name is empty";
    }
    // The store's rule without '.': [%|a-zA-Z0-9_-]{1,127}, checked on every send, so no regex.
    if (topic.length() > MAX_NAME_LENGTH
        || topic.indexOf('.') >= 0
        || !MessageStore.isValidTopic(topic)) {
      return "topic name '"
          + topic
          + "' must be 1-127 characters of letters, digits, '%', '|', '_' and '-'";
    }
    return null;
  }

  /** Loads topics.json and makes sure the default topic exists as configured. */
  public synchronized void load(boolean autoCreateTopicEnable, int defaultQueueNums)
      throws IOException {
    read();
    int perm = TopicConfig.PERM_READ | TopicConfig.PERM_WRITE;
    if (autoCreateTopicEnable) {
      perm |= TopicConfig.PERM_INHERIT;
    }
    TopicConfig def = TopicConfig.of(DEFAULT_TOPIC, defaultQueueNums, perm);
    if (!def.equals(topics.get(DEFAULT_TOPIC))) {
      topics.put(DEFAULT_TOPIC, def);
      persist();
    }
    log.info("Loaded {} topics from {}", topics.size(), file);
  }

  /** Reads topics.json (Wharf's or Apache RocketMQ's) if there is one, writing nothing. */
  public synchronized void read() throws IOException {
    if (Files.exists(file)) {
      TopicConfigWrapper w =
          RemotingJson.mapper()
              .readValue(file.toFile(), new TypeReference<TopicConfigWrapper>() {});
      if (w.topicConfigTable() != null) {
        topics.putAll(w.topicConfigTable());
      }
      if (w.dataVersion() != null) {
        version.set(w.dataVersion().counter());
      }
    }
  }

  /**
   * Makes the broker's system topics exist (RocketMQ brokers keep the same set): each is created
   * when absent; the cluster-name and broker-name topics also get the permission the configuration
   * asks for at every start, so turning clusterTopicEnable or brokerTopicEnable off takes effect.
   * Persists once if anything changed. Afterwards {@link #isSystemTopic} knows them.
   */
  public synchronized void ensureSystemTopics(SystemTopics systemTopics) throws IOException {
    boolean changed = false;
    for (SystemTopics.SystemTopic t : systemTopics.topics()) {
      TopicConfig want = t.config();
      TopicConfig have = topics.get(want.topicName());
      if (have == null) {
        topics.put(want.topicName(), want);
        changed = true;
      } else if (t.permFromConfig() && have.perm() != want.perm()) {
        topics.put(
            want.topicName(),
            new TopicConfig(
                have.topicName(),
                have.readQueueNums(),
                have.writeQueueNums(),
                want.perm(),
                have.topicFilterType(),
                have.topicSysFlag(),
                have.order(),
                have.attributes()));
        changed = true;
      }
    }
    this.system = systemTopics;
    if (changed) {
      persist();
    }
  }

  /**
   * Whether admin requests must leave {@code topic} alone: a topic this broker keeps for itself or
   * one of RocketMQ's system names (see {@link SystemTopics}). Before {@link #ensureSystemTopics},
   * only the default topic.
   */
  public boolean isSystemTopic(String topic) {
    SystemTopics s = system;
    return s == null ? DEFAULT_TOPIC.equals(topic) : s.isSystemTopic(topic);
  }

  public TopicConfig get(String topic) {
    return topics.get(topic);
  }

  /** Creates or replaces a topic; returns the stored config. */
  public synchronized TopicConfig put(TopicConfig config) throws IOException {
    topics.put(config.topicName(), config);
    persist();
    log.info("Topic {} now {}", config.topicName(), config);
    return config;
  }

  /** Creates a topic if missing (system topics like retry topics); returns the one stored. */
  public synchronized TopicConfig createIfAbsent(String topic, int queueNums, int perm)
      throws IOException {
    TopicConfig existing = topics.get(topic);
    if (existing != null) {
      return existing;
    }
    return put(TopicConfig.of(topic, queueNums, perm));
  }

  /**
   * RocketMQ's create-on-send: when {@code defaultTopic} exists with the INHERIT permission,
   * creates {@code topic} with min(requestedQueues, default's write queues) queues and the
   * default's permissions less INHERIT. Returns null when that is not allowed.
   */
  public synchronized TopicConfig createOnSend(
      String topic, String defaultTopic, int requestedQueues) throws IOException {
    TopicConfig existing = topics.get(topic);
    if (existing != null) {
      return existing;
    }
    TopicConfig def = defaultTopic == null ? null : topics.get(defaultTopic);
    if (def == null || (def.perm() & TopicConfig.PERM_INHERIT) == 0) {
      return null;
    }
    int queues = Math.max(1, Math.min(requestedQueues, def.writeQueueNums()));
    return put(TopicConfig.of(topic, queues, def.perm() & ~TopicConfig.PERM_INHERIT));
  }

  public synchronized boolean delete(String topic) throws IOException {
    if (topics.remove(topic) == null) {
      return false;
    }
    persist();
    log.info("Topic {} deleted", topic);
    return true;
  }

  /** A consistent copy of every topic and the table's version. */
  public synchronized TopicConfigWrapper snapshot() {
    return new TopicConfigWrapper(new TreeMap<>(topics), dataVersion());
  }

  private DataVersion dataVersion() {
    return new DataVersion(clock.millis(), version.get(), 0);
  }

  private void persist() throws IOException {
    version.incrementAndGet();
    Files.createDirectories(file.getParent());
    AtomicFiles.write(
        file, RemotingJson.encode(new TopicConfigWrapper(new TreeMap<>(topics), dataVersion())));
  }
}
