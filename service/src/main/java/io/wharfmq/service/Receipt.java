package io.wharfmq.service;

/**
 * Identifies one delivery of a popped message: what ack, release and invisibility changes name.
 * Opaque to doors other than the one that asks for it; RocketMQ clients carry it as the pop
 * "extraInfo" handle.
 *
 * @param popTime the delivery's pop (or last invisibility change) time, which tells a stale handle
 *     from the current one
 */
public record Receipt(String group, String topic, int queueId, long queueOffset, long popTime) {}
