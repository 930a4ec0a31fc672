package io.wharfmq.service;

/**
 * Identifies one delivery of a popped message: what ack, release and invisibility changes name.
 * Opaque to doors other than the one that asks for it; RocketMQ clients carry it as the pop
 * "extraInfo" handle.
 *
 * @param popTime the delivery's pop (or last invisibility change) time in ms, which tells a stale
 *     handle from the current one: each delivery and change of a message gets a later one than the
 *     last, also within one millisecond (the broker then runs it a millisecond or so ahead of its
 *     clock), so a receipt names exactly one delivery
 */
public record Receipt(String group, String topic, int queueId, long queueOffset, long popTime) {}
