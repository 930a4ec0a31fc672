package io.wharfmq.client;

import java.util.List;

/**
 * Hands a push consumer's pulled messages to its listener and deals with the outcome: {@link
 * ConcurrentConsumeService} or {@link OrderlyConsumeService}. Thread-safe.
 */
sealed interface ConsumeService permits ConcurrentConsumeService, OrderlyConsumeService {
  /** New messages of {@code pq} (already in its cache). */
  void submit(ProcessQueue pq, List<MessageView> messages);

  /** The broker lock of {@code pq} was granted: consume what waits (orderly only). */
  void lockGranted(ProcessQueue pq);

  /** Stops taking work and waits up to {@code timeoutMillis} for running listeners. */
  void shutdown(long timeoutMillis);
}
