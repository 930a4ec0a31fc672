package io.wharfmq.broker.pop;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.store.mapped.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How each consumer group reads each topic when the broker assigns queues (QUERY_ASSIGNMENT): PULL
 * (the default) or POP, as set by SET_MESSAGE_REQUEST_MODE. Persisted atomically to {@code
 * config/messageRequestMode.json} on every change. Thread-safe.
 */
public final class RequestModeTable {
  public static final String PULL = "PULL";
  public static final String POP = "POP";

  private final Path file;
  private final Map<String, String> modes = new ConcurrentHashMap<>();

  public RequestModeTable(Path configDir) {
    this.file = configDir.resolve("messageRequestMode.json");
  }

  private static String key(String topic, String group) {
    return topic + "@" + group;
  }

  /**
   * Reads the file, writing nothing. Wharf's shape is {"topic@group": "POP"}; Apache RocketMQ's
   * (same file name) is {"messageRequestModeMap": {topic: {group: {"mode": "POP", ...}}}}, read as
   * the same table (its popShareQueueNum is not used by Wharf).
   */
  public void load() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    JsonNode json = RemotingJson.mapper().readTree(file.toFile());
    JsonNode rocketMq = json.get("messageRequestModeMap");
    if (rocketMq == null) {
      modes.putAll(
          RemotingJson.mapper().convertValue(json, new TypeReference<Map<String, String>>() {}));
      return;
    }
    for (Map.Entry<String, JsonNode> topic : rocketMq.properties()) {
      for (Map.Entry<String, JsonNode> group : topic.getValue().properties()) {
        JsonNode mode = group.getValue().get("mode");
        if (mode != null && mode.isTextual()) {
          modes.put(key(topic.getKey(), group.getKey()), mode.asText().toUpperCase(Locale.ROOT));
        }
      }
    }
  }

  /** The mode of {@code group} on {@code topic}: POP or PULL. */
  public String mode(String topic, String group) {
    return modes.getOrDefault(key(topic, group), PULL);
  }

  /** Sets a mode (PULL or POP, any case) and persists; IllegalArgumentException for others. */
  public synchronized void set(String topic, String group, String mode) throws IOException {
    String m = mode == null ? "" : mode.toUpperCase(java.util.Locale.ROOT);
    if (!m.equals(PULL) && !m.equals(POP)) {
      throw new IllegalArgumentException("mode must be PULL or POP, is " + mode);
    }
    modes.put(key(topic, group), m);
    Files.createDirectories(file.getParent());
    AtomicFiles.write(file, RemotingJson.encode(new TreeMap<>(modes)));
  }
}
