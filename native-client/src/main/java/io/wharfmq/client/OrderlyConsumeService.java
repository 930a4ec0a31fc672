package io.wharfmq.client;

import java.time.InstantSource;
import java.util.List;

/**
 * Lets one task at a time own a queue and take its messages in offset order. In clustering a queue
 * is consumed only while this member holds its broker lock (renewed within {@link
 * QueueLocker#MAX_LOCK_AGE_MILLIS}). A failed batch suspends the queue for the suspend time and is
 * delivered again, nothing behind it overtaking; a message that failed the maximum reconsume times
 * goes to the dead-letter topic (clustering; dropped with a log line when broadcasting) and the
 * queue moves on. If that send-back fails the queue stays suspended on the message. Thread-safe.
 */
final class OrderlyConsumeService implements ConsumeService {
  private final ConsumeThreads threads;
  private final int batchSize;
  private final long suspendMillis;
  private final int maxReconsumeTimes;
  private final RetrySender retries;
  private final InstantSource clock;

  /**
   * @param retries the dead-letter path and the lock requirement in clustering; null when
   *     broadcasting
   */
  OrderlyConsumeService(
      ConsumeThreads threads,
      int batchSize,
      long suspendMillis,
      int maxReconsumeTimes,
      RetrySender retries,
      InstantSource clock) {
    this.threads = threads;
    this.batchSize = batchSize;
    this.suspendMillis = suspendMillis;
    this.maxReconsumeTimes = maxReconsumeTimes;
    this.retries = retries;
    this.clock = clock;
  }

  @Override
  public void submit(ProcessQueue pq, List<MessageView> messages) {
    trigger(pq);
  }

  @Override
  public void lockGranted(ProcessQueue pq) {
    trigger(pq);
  }

  private void trigger(ProcessQueue pq) {
    if (pq.consuming.compareAndSet(false, true)) {
      threads.execute(() -> consume(pq));
    }
  }

  private boolean mayConsume(ProcessQueue pq) {
    return !pq.isDropped()
        && (retries == null || pq.holdsLock(clock.millis(), QueueLocker.MAX_LOCK_AGE_MILLIS));
  }

  private void consume(ProcessQueue pq) {
    while (mayConsume(pq)) {
      List<MessageView> batch = pq.head(batchSize);
      if (batch.isEmpty()) {
        break;
      }
      boolean suspend;
      pq.consumeLock.lock();
      try {
        if (pq.isDropped()) {
          break;
        }
        suspend = consumeBatch(pq, batch);
      } finally {
        pq.consumeLock.unlock();
      }
      if (suspend) {
        // The queue stays owned (consuming) so nothing overtakes the failed batch.
        threads.later(() -> consume(pq), suspendMillis);
        return;
      }
    }
    pq.consuming.set(false);
    // Messages or the lock may have arrived after the last check and before the flag was cleared.
    if (pq.cachedCount() > 0 && mayConsume(pq)) {
      trigger(pq);
    }
  }

  /** Runs the listener on one batch; returns whether the queue must pause on it. */
  private boolean consumeBatch(ProcessQueue pq, List<MessageView> batch) {
    if (threads.call(pq, batch) == ConsumeResult.SUCCESS) {
      pq.remove(batch);
      return false;
    }
    List<MessageView> again =
        FailedBatch.settle(
            pq, batch, m -> m.reconsumeTimes() >= maxReconsumeTimes && deadLetter(m));
    if (again.isEmpty()) {
      return false;
    }
    pq.redeliver(again);
    return true;
  }

  private boolean deadLetter(MessageView m) {
    return retries != null ? retries.toDeadLetter(m) : FailedBatch.dropExhausted(m);
  }

  @Override
  public void shutdown(long timeoutMillis) {
    threads.shutdown(timeoutMillis);
  }
}
