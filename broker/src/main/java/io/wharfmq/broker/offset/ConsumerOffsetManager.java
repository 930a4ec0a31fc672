package io.wharfmq.broker.offset;

import com.fasterxml.jackson.core.type.TypeReference;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.store.mapped.AtomicFiles;
import io.wharfmq.store.retention.ConsumerProgress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed consumer offsets (the next offset to consume) per "topic@group" and queue id, kept in
 * memory and persisted atomically to {@code config/consumerOffset.json} (standard JSON)
 * periodically and at shutdown. Thread-safe.
 */
public final class ConsumerOffsetManager {
  private static final Logger log = LoggerFactory.getLogger(ConsumerOffsetManager.class);

  private final Path file;
  private final Map<String, Map<Integer, Long>> offsets = new ConcurrentHashMap<>();
  private volatile boolean dirty;
  private volatile java.util.function.Predicate<String> inMemoryOnly = group -> false;

  public ConsumerOffsetManager(Path configDir) {
    this.file = configDir.resolve("consumerOffset.json");
  }

  private record Persisted(Map<String, Map<Integer, Long>> offsetTable) {}

  public void load() throws IOException {
    if (Files.exists(file)) {
      Persisted p =
          RemotingJson.mapper().readValue(file.toFile(), new TypeReference<Persisted>() {});
      if (p.offsetTable() != null) {
        p.offsetTable().forEach((k, v) -> offsets.put(k, new ConcurrentHashMap<>(v)));
      }
    }
    log.info("Loaded consumer offsets of {} topic@group pairs from {}", offsets.size(), file);
  }

  private static String key(String topic, String group) {
    return topic + "@" + group;
  }

  public void commit(String group, String topic, int queueId, long offset) {
    offsets.computeIfAbsent(key(topic, group), k -> new ConcurrentHashMap<>()).put(queueId, offset);
    dirty = true;
  }

  /** The committed offset, or -1 if none. */
  public long query(String group, String topic, int queueId) {
    Map<Integer, Long> m = offsets.get(key(topic, group));
    Long v = m == null ? null : m.get(queueId);
    return v == null ? -1 : v;
  }

  /** Topics the group has committed offsets on (RocketMQ's whichTopicByConsumer). */
  public java.util.Set<String> topicsOf(String group) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (String key : offsets.keySet()) {
      int at = key.lastIndexOf('@');
      if (at > 0 && key.substring(at + 1).equals(group)) {
        out.add(key.substring(0, at));
      }
    }
    return out;
  }

  /** Groups with committed offsets on the topic (RocketMQ's whichGroupByTopic). */
  public java.util.Set<String> groupsOf(String topic) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (String key : offsets.keySet()) {
      int at = key.lastIndexOf('@');
      if (at > 0 && key.substring(0, at).equals(topic)) {
        out.add(key.substring(at + 1));
      }
    }
    return out;
  }

  /** Every committed offset (retention's report of deleted unconsumed messages). */
  public java.util.List<ConsumerProgress.Committed> committedOffsets() {
    java.util.List<ConsumerProgress.Committed> out = new java.util.ArrayList<>();
    offsets.forEach(
        (key, byQueue) -> {
          int at = key.lastIndexOf('@');
          if (at > 0) {
            String topic = key.substring(0, at);
            String group = key.substring(at + 1);
            byQueue.forEach(
                (queueId, offset) ->
                    out.add(new ConsumerProgress.Committed(group, topic, queueId, offset)));
          }
        });
    return out;
  }

  /** Forgets every offset of the group (a deleted group with cleanOffset). */
  public void removeGroup(String group) {
    for (String topic : topicsOf(group)) {
      offsets.remove(key(topic, group));
    }
    dirty = true;
  }

  /** Forgets the group's offsets on one topic (a removed subscription). */
  public void remove(String group, String topic) {
    offsets.remove(key(topic, group));
    dirty = true;
  }

  /** Forgets every group's offsets on the topic (a deleted topic, as RocketMQ). */
  public void removeTopic(String topic) {
    for (String group : groupsOf(topic)) {
      offsets.remove(key(topic, group));
    }
    dirty = true;
  }

  /**
   * Groups whose offsets are never written to the file (non-durable groups, which do not outlive
   * the broker process).
   */
  public void keepInMemory(java.util.function.Predicate<String> groups) {
    this.inMemoryOnly = groups;
  }

  /** Writes the file if anything changed since the last write. */
  public synchronized void persist() throws IOException {
    if (!dirty) {
      return;
    }
    dirty = false;
    Map<String, Map<Integer, Long>> copy = new TreeMap<>();
    java.util.function.Predicate<String> skip = inMemoryOnly;
    offsets.forEach(
        (k, v) -> {
          int at = k.lastIndexOf('@');
          if (at < 0 || !skip.test(k.substring(at + 1))) {
            copy.put(k, new TreeMap<>(v));
          }
        });
    Files.createDirectories(file.getParent());
    AtomicFiles.write(file, RemotingJson.encode(new Persisted(copy)));
  }
}
