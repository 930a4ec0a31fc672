package io.wharfmq.service;

/**
 * A group's subscription to a topic.
 *
 * @param expression tag expression or SQL92 text; "*" for everything
 */
public record Subscription(
    String group, String topic, FilterType type, String expression, boolean startAtTail) {}
