package io.wharfmq.service;

/**
 * One message to store.
 *
 * @param body payload bytes, never null
 * @param flag RocketMQ's user flag
 * @param properties the RocketMQ properties text ({@code name \u0001 value \u0002},
 *     docs/formats.md), which is what every door stores; build it with {@link PropertiesText}
 * @param bornTimestamp when the producer made the message, epoch ms
 * @param reconsumeTimes deliveries so far (a message sent back for retry), else 0
 */
public record OutgoingMessage(
    byte[] body, int flag, String properties, long bornTimestamp, int reconsumeTimes) {}
