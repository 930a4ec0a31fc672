package io.wharfmq.service;

/**
 * Commit or roll back a half message.
 *
 * @param commitLogOffset where the half message is stored
 * @param queueOffset its offset in the half topic's queue
 * @param fromCheck whether this answers the broker's check rather than the producer's own end
 */
public record EndTransactionCommand(
    String producerGroup,
    long commitLogOffset,
    long queueOffset,
    String messageId,
    String transactionId,
    boolean commit,
    boolean fromCheck) {}
