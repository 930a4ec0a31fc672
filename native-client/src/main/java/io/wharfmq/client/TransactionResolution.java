package io.wharfmq.client;

/** How a local transaction ended, as told to the broker in END_TRANSACTION. */
public enum TransactionResolution {
  /** The half message becomes visible to consumers. */
  COMMIT(0x8),
  /** The half message is discarded. */
  ROLLBACK(0xC),
  /** Not known yet: the broker asks the producer group's {@link TransactionChecker} later. */
  UNKNOWN(0);

  /** The commitOrRollback value on the wire (RocketMQ's MessageSysFlag transaction types). */
  final int wireType;

  TransactionResolution(int wireType) {
    this.wireType = wireType;
  }
}
