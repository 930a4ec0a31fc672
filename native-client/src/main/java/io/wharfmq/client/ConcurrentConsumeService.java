package io.wharfmq.client;

import java.util.List;

/**
 * Hands batches to any consume thread. A failed batch (RETRY_LATER or a throwing listener) is, in
 * clustering, sent back to the broker message by message ({@link RetrySender}), after which the
 * queue's offset moves past it; messages whose send-back failed are delivered again locally after
 * the retry delay, holding the offset back until they are done (as RocketMQ does). Broadcasting has
 * no send-back: failed messages are re-delivered locally up to the maximum reconsume times, then
 * dropped with a log line. Thread-safe.
 */
final class ConcurrentConsumeService implements ConsumeService {
  private final ConsumeThreads threads;
  private final int batchSize;
  private final long retryDelayMillis;
  private final int maxReconsumeTimes;
  private final RetrySender retries;

  /**
   * @param retries where failed messages go in clustering; null when broadcasting
   */
  ConcurrentConsumeService(
      ConsumeThreads threads,
      int batchSize,
      long retryDelayMillis,
      int maxReconsumeTimes,
      RetrySender retries) {
    this.threads = threads;
    this.batchSize = batchSize;
    this.retryDelayMillis = retryDelayMillis;
    this.maxReconsumeTimes = maxReconsumeTimes;
    this.retries = retries;
  }

  @Override
  public void submit(ProcessQueue pq, List<MessageView> messages) {
    for (int i = 0; i < messages.size(); i += batchSize) {
      List<MessageView> batch =
          List.copyOf(messages.subList(i, Math.min(messages.size(), i + batchSize)));
      threads.execute(() -> consume(pq, batch));
    }
  }

  @Override
  public void lockGranted(ProcessQueue pq) {}

  private void consume(ProcessQueue pq, List<MessageView> batch) {
    if (pq.isDropped()) {
      return;
    }
    if (threads.call(pq, batch) == ConsumeResult.SUCCESS) {
      pq.remove(batch);
      return;
    }
    if (pq.isDropped()) {
      return; // the queue's new owner reads these again from the committed offset
    }
    List<MessageView> again =
        FailedBatch.settle(pq, batch, m -> retries != null ? retries.sendBack(m) : giveUp(m));
    if (!again.isEmpty()) {
      List<MessageView> redelivered = pq.redeliver(again);
      threads.later(() -> consume(pq, redelivered), retryDelayMillis);
    }
  }

  /** Broadcasting: whether {@code m} has used up its local re-deliveries. */
  private boolean giveUp(MessageView m) {
    return m.reconsumeTimes() >= maxReconsumeTimes && FailedBatch.dropExhausted(m);
  }

  @Override
  public void shutdown(long timeoutMillis) {
    threads.shutdown(timeoutMillis);
  }
}
