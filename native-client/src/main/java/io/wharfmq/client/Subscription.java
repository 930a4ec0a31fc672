package io.wharfmq.client;

import io.wharfmq.remoting.protocol.body.SubscriptionData;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A topic subscription with a tag expression: "*" (everything) or "TagA || TagB". The broker
 * filters by tag hash; {@link #matches} is the exact client-side check. Immutable.
 */
record Subscription(String topic, String expression, Set<String> tags, long subVersion) {

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
    return new Subscription(topic, tags.isEmpty() ? "*" : expr, Set.copyOf(tags), subVersion);
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
    return tags.isEmpty();
  }

  boolean matches(MessageView m) {
    return isAll() || (m.tags() != null && tags.contains(m.tags()));
  }

  SubscriptionData toData() {
    Set<Integer> codes = new LinkedHashSet<>();
    for (String t : tags) {
      codes.add(t.hashCode());
    }
    return new SubscriptionData(
        topic, expression, Set.copyOf(tags), Set.copyOf(codes), subVersion, "TAG", false);
  }
}
