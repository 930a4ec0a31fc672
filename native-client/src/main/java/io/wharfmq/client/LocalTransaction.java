package io.wharfmq.client;

/**
 * The local work of a transactional send ({@link Producer#sendInTransaction}), run after the half
 * message is stored and before it is committed or rolled back.
 */
@FunctionalInterface
public interface LocalTransaction {
  /**
   * Does the local work and says how it ended. Throwing, or returning null, counts as {@link
   * TransactionResolution#UNKNOWN}: the broker will ask the checker.
   *
   * @param half where the half message was stored; {@code half.msgId()} is the transaction id the
   *     checker will see as {@link MessageView#msgId()}
   */
  TransactionResolution execute(SendResult half);
}
