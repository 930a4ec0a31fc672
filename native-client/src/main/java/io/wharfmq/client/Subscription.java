package io.wharfmq.client;

import io.wharfmq.remoting.protocol.body.SubscriptionData;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A topic subscription: a tag expression, "*" (everything) or "TagA || TagB", or a SQL92 selector
 * over message properties. The broker filters tags by hash, so {@link #matches} makes the exact tag
 * check; SQL92 is evaluated by the broker alone (as with RocketMQ's client). Immutable.
 *
 * @param type the wire expression type, {@link #TAG} or {@link #SQL92}
 */
record Subscription(
    String topic, String expression, Set<String> tags, long subVersion, String type) {
  static final String TAG = "TAG";
  static final String SQL92 = "SQL92";

  static Subscription of(String topic, String expression, long subVersion) {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("topic must not be blank");
    }
    String expr = expression == null || expression.isBlank() ? "*" : expression.trim();
    Set<String> tags = new LinkedHashSet<>();
    if (!"*".equals(expr)) {
      for (String t : expr.split("\\|\\|")) {
        String tag = t.trim();
        if (!tag.isEmpty()) {
          tags.add(tag);
        }
      }
      if (tags.contains("*")) {
        tags.clear();
      }
    }
    return new Subscription(topic, tags.isEmpty() ? "*" : expr, Set.copyOf(tags), subVersion, TAG);
  }

  /**
   * A SQL92 subscription. The broker parses and evaluates the selector; one it cannot parse makes
   * its pulls answer SUBSCRIPTION_PARSE_FAILED, which the consumer logs.
   */
  static Subscription sql(String topic, String selector, long subVersion) {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("topic must not be blank");
    }
    if (selector == null || selector.isBlank()) {
      throw new IllegalArgumentException("a SQL92 selector must not be blank");
    }
    return new Subscription(topic, selector.trim(), Set.of(), subVersion, SQL92);
  }

  /** This subscription with another version. */
  Subscription withVersion(long version) {
    return new Subscription(topic, expression, tags, version, type);
  }

  /**
   * A version for a subscription that changes now: the clock, but always above {@code previous}, so
   * brokers see every change as newer (heartbeats carry it; pulls with an older one are told
   * SUBSCRIPTION_NOT_LATEST).
   */
  static long nextVersion(long nowMillis, long previous) {
    return Math.max(nowMillis, previous + 1);
  }

  boolean isAll() {
    return TAG.equals(type) && tags.isEmpty();
  }

  boolean matches(MessageView m) {
    return SQL92.equals(type) || isAll() || (m.tags() != null && tags.contains(m.tags()));
  }

  SubscriptionData toData() {
    Set<Integer> codes = new LinkedHashSet<>();
    for (String t : tags) {
      codes.add(t.hashCode());
    }
    return new SubscriptionData(
        topic, expression, Set.copyOf(tags), Set.copyOf(codes), subVersion, type, false);
  }
}
