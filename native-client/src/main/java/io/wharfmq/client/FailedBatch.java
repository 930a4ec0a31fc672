package io.wharfmq.client;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the consume services do with a batch the listener failed: the messages taken care of (handed
 * to the broker, dead-lettered or dropped) leave the process queue, the others are to be delivered
 * again. Shared by {@link ConcurrentConsumeService} and {@link OrderlyConsumeService}. Stateless
 * and thread-safe.
 */
final class FailedBatch {
  private static final Logger log = LoggerFactory.getLogger(FailedBatch.class);

  private FailedBatch() {}

  /**
   * Removes from {@code pq} the messages of {@code batch} that {@code settle} took care of, and
   * returns the others in batch order.
   */
  static List<MessageView> settle(
      ProcessQueue pq, List<MessageView> batch, Predicate<MessageView> settle) {
    List<MessageView> done = new ArrayList<>(batch.size());
    List<MessageView> again = new ArrayList<>();
    for (MessageView m : batch) {
      (settle.test(m) ? done : again).add(m);
    }
    pq.remove(done);
    return again;
  }

  /** Broadcasting has no retry or dead-letter topic: a message out of deliveries is dropped. */
  static boolean dropExhausted(MessageView m) {
    log.warn(
        "Message {} of {} failed {} times; broadcasting has no retry or dead-letter topic: dropped",
        m.msgId(),
        m.queue(),
        m.reconsumeTimes() + 1);
    return true;
  }
}
