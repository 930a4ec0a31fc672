package io.wharfmq.client;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A message to send: topic, optional tag and keys, body and user properties. Immutable (the body
 * array is not copied; callers must not change it after building).
 *
 * @param topic destination topic
 * @param tags one tag (RocketMQ's TAGS property) used by subscriptions to filter, or null
 * @param keys business keys for lookups (KEYS property, space-joined on the wire); may be empty
 * @param body the payload
 * @param properties user properties; names and values must not contain \u0001 or \u0002 (a delay
 *     level travels as the DELAY property, see {@link Builder#delayLevel})
 */
public record Message(
    String topic, String tags, List<String> keys, byte[] body, Map<String, String> properties) {

  public Message {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(body, "body");
    if (topic.isBlank()) {
      throw new IllegalArgumentException("topic must not be blank");
    }
    keys = keys == null ? List.of() : List.copyOf(keys);
    properties = properties == null ? Map.of() : Map.copyOf(properties);
    for (String k : keys) {
      if (k.isBlank() || k.indexOf(' ') >= 0) {
        throw new IllegalArgumentException("a key must be non-blank without spaces: '" + k + "'");
      }
    }
    String delay = properties.get(DELAY);
    if (delay != null && !delay.matches("[1-9][0-9]{0,8}")) {
      throw new IllegalArgumentException("DELAY must be a positive level, got '" + delay + "'");
    }
  }

  /** A message with only a topic and a body. */
  public static Message of(String topic, byte[] body) {
    return new Message(topic, null, List.of(), body, Map.of());
  }

  /** Property carrying a delay level (RocketMQ's DELAY). */
  static final String DELAY = "DELAY";

  /** The delay level the broker holds the message back by, or 0 for none. */
  public int delayLevel() {
    String v = properties.get(DELAY);
    return v == null ? 0 : Integer.parseInt(v);
  }

  /** Absolute delivery time, ms since the epoch (RocketMQ 5's property). */
  public static final String TIMER_DELIVER_MS = "TIMER_DELIVER_MS";

  /** Delivery delay after the broker receives the message, ms (RocketMQ 5's property). */
  public static final String TIMER_DELAY_MS = "TIMER_DELAY_MS";

  public static Builder builder(String topic) {
    return new Builder(topic);
  }

  /** Builds a {@link Message}. Not thread-safe. */
  public static final class Builder {
    private final String topic;
    private String tags;
    private List<String> keys = List.of();
    private byte[] body = new byte[0];
    private final Map<String, String> properties = new LinkedHashMap<>();

    private Builder(String topic) {
      this.topic = topic;
    }

    public Builder tags(String v) {
      tags = v;
      return this;
    }

    public Builder keys(String... v) {
      keys = List.of(v);
      return this;
    }

    public Builder body(byte[] v) {
      body = v;
      return this;
    }

    /**
     * Delivers the message at {@code time} (never earlier): the TIMER_DELIVER_MS property, as
     * RocketMQ 5's {@code Message#setDeliverTimeMs}. A time in the past delivers at once. The
     * broker rejects a time beyond its timerMaxDelaySec (MESSAGE_ILLEGAL).
     */
    public Builder deliverAt(Instant time) {
      properties.remove(TIMER_DELAY_MS);
      properties.put(TIMER_DELIVER_MS, Long.toString(time.toEpochMilli()));
      return this;
    }

    /**
     * Delivers the message {@code delay} after the broker receives it: the TIMER_DELAY_MS property,
     * as RocketMQ 5's {@code Message#setDelayTimeMs}.
     */
    public Builder delay(Duration delay) {
      properties.remove(TIMER_DELIVER_MS);
      properties.put(TIMER_DELAY_MS, Long.toString(delay.toMillis()));
      return this;
    }

    public Builder property(String name, String value) {
      properties.put(name, value);
      return this;
    }

    /**
     * Delivers the message only after the broker's delay for this level (1-based index into the
     * broker's messageDelayLevel list, RocketMQ default "1s 5s 10s 30s 1m 2m ... 2h"; levels past
     * the end are capped by the broker). 0 clears it.
     */
    public Builder delayLevel(int level) {
      if (level < 0) {
        throw new IllegalArgumentException("delay level must be >= 0, got " + level);
      }
      if (level == 0) {
        properties.remove(DELAY);
      } else {
        properties.put(DELAY, Integer.toString(level));
      }
      return this;
    }

    public Message build() {
      return new Message(topic, tags, keys, body, properties);
    }
  }
}
