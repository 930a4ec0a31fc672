package io.wharfmq.client;

import io.wharfmq.remoting.protocol.FastjsonText;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of RESET_CONSUMER_CLIENT_OFFSET (RocketMQ's ResetOffsetBody): {@code {"offsetTable":
 * {{"brokerName":…,"queueId":0,"topic":…}:5, …}}} in the fastjson form, whose keys are objects.
 * Stateless.
 */
final class ResetOffsets {
  private ResetOffsets() {}

  /**
   * The new offset of each queue.
   *
   * @throws IllegalArgumentException when the body is not such a table
   */
  static Map<MessageQueue, Long> parse(byte[] body) {
    if (body == null) {
      throw new IllegalArgumentException("no body");
    }
    if (!(FastjsonText.parse(body) instanceof Map<?, ?> root)
        || !(root.get("offsetTable") instanceof Map<?, ?> table)) {
      throw new IllegalArgumentException("no offsetTable in the body");
    }
    Map<MessageQueue, Long> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : table.entrySet()) {
      if (!(e.getKey() instanceof Map<?, ?> k)) {
        throw new IllegalArgumentException("offsetTable key is not a queue: " + e.getKey());
      }
      out.put(
          new MessageQueue(
              String.valueOf(k.get("topic")),
              String.valueOf(k.get("brokerName")),
              FastjsonText.number(k.get("queueId")).intValue()),
          FastjsonText.number(e.getValue()).longValueExact());
    }
    return out;
  }
}
