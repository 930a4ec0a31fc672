package io.wharfmq.client;

import java.util.Collection;

/**
 * Where a consumer keeps the next offset to consume of each queue: in memory, made durable by
 * {@link #persist}. Thread-safe.
 */
interface OffsetStore {
  /**
   * The durable offset of {@code mq}, or -1 if there is none.
   *
   * @param zeroIfNotFound whether a broker may answer 0 for a young queue (see BrokerProxy)
   */
  long readStored(MessageQueue mq, boolean zeroIfNotFound);

  /** The in-memory offset, or -1. */
  long read(MessageQueue mq);

  void update(MessageQueue mq, long offset);

  /**
   * Makes the in-memory offsets of {@code queues} durable; {@code sync} waits for the broker's
   * acknowledgement where there is one.
   */
  void persist(Collection<MessageQueue> queues, boolean sync);

  /** Forgets a queue (no longer assigned) after persisting it. */
  void remove(MessageQueue mq);
}
