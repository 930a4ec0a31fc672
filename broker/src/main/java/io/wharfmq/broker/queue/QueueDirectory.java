package io.wharfmq.broker.queue;

import java.util.Collection;

/**
 * Where the enforcement of queue arguments looks queues up: backed by the broker's topology
 * registry. Implementations are thread-safe and answer from memory (called on send and pop paths).
 */
public interface QueueDirectory {
  /** No declared queues. */
  QueueDirectory NONE =
      new QueueDirectory() {
        @Override
        public QueueRef byTopic(String topic) {
          return null;
        }

        @Override
        public Collection<QueueRef> withArguments() {
          return java.util.List.of();
        }
      };

  /** The declared queue stored in {@code topic}, or null (not a declared queue). */
  QueueRef byTopic(String topic);

  /** Every declared queue that has at least one argument this package enforces. */
  Collection<QueueRef> withArguments();
}
