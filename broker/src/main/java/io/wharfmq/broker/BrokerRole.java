package io.wharfmq.broker;

/**
 * RocketMQ's brokerRole values. Wharf has no replication yet, so it runs only as a master: {@link
 * #ASYNC_MASTER} and {@link #SYNC_MASTER} behave the same (docs/configuration.md) and {@link
 * #SLAVE} is refused at startup.
 */
public enum BrokerRole {
  /** A master that answers a send once stored (the flushDiskType decides when that is). */
  ASYNC_MASTER,
  /**
   * A master that, in RocketMQ, also waits for its slaves. A Wharf broker has none, so it answers
   * as an ASYNC_MASTER does, as Apache RocketMQ 5.x does with its default inSyncReplicas=1 and no
   * slave.
   */
  SYNC_MASTER,
  /** A replica of a master: not supported. */
  SLAVE
}
