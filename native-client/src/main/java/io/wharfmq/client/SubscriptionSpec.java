package io.wharfmq.client;

import java.util.Objects;

/**
 * A consumer group with Wharf's settings and its subscription to one topic, as the AMQP door makes
 * them for a queue or a topic subscription ({@link DestinationAdmin#ensureSubscription}).
 * Immutable.
 *
 * @param sql92 {@code expression} is a SQL92 selector over message properties; else a tag
 *     expression ("*" for everything)
 * @param maxDeliveries deliveries after which an unfinished message goes to the group's dead-letter
 *     queue
 * @param startAtTail a new subscription starts at the end of each queue: it never receives what was
 *     sent before it existed
 * @param pinsRetention the group has queue semantics: retention never deletes what it has not
 *     finished
 * @param durable false for a group that ends with the connections of the {@link DestinationAdmin}
 *     that made it (a non-durable subscription, a temporary queue's group)
 */
public record SubscriptionSpec(
    String group,
    String topic,
    boolean sql92,
    String expression,
    int maxDeliveries,
    boolean startAtTail,
    boolean pinsRetention,
    boolean durable) {
  public SubscriptionSpec {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(expression, "expression");
    if (maxDeliveries < 1) {
      throw new IllegalArgumentException("maxDeliveries must be at least 1, is " + maxDeliveries);
    }
  }
}
