package io.wharfmq.client;

/**
 * Answers the broker's questions about transactions left unresolved (UNKNOWN, or an END_TRANSACTION
 * that never arrived, for example after a producer crash): CHECK_TRANSACTION_STATE comes to any
 * live producer of the half message's group, which may be another process than the one that sent
 * it. Called on the producer's check thread.
 */
@FunctionalInterface
public interface TransactionChecker {
  /**
   * How the transaction of {@code message} ended. Throwing, or returning null, counts as {@link
   * TransactionResolution#UNKNOWN}: the broker asks again later, up to its transactionCheckMax.
   *
   * @param message the half message with its real topic; {@code msgId()} is the transaction id
   */
  TransactionResolution check(MessageView message);
}
