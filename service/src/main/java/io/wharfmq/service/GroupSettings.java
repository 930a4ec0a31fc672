package io.wharfmq.service;

/**
 * A consumer group's settings.
 *
 * @param maxDeliveries deliveries after which an unfinished message goes to the dead-letter
 *     destination (RocketMQ's retryMaxTimes + 1)
 * @param startAtTail a subscription made by this group starts at the end of each queue
 * @param pinsRetention the group has queue semantics: retention never deletes what it has not
 *     finished (AMQP and JMS queues, durable subscriptions; docs/storage.md)
 * @param durable false for a group that lives only as long as its creator (a non-durable
 *     subscription, a temporary queue); such a group is not written to disk
 */
public record GroupSettings(
    String name, int maxDeliveries, boolean startAtTail, boolean pinsRetention, boolean durable) {}
