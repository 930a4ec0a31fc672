package io.wharfmq.client;

/**
 * The outcome of {@link Producer#sendInTransaction}. Immutable.
 *
 * @param half where the half message was stored
 * @param resolution what the producer told the broker (END_TRANSACTION is oneway: a lost one is
 *     settled by the broker's check)
 */
public record TransactionSendResult(SendResult half, TransactionResolution resolution) {}
