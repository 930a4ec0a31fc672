package io.wharfmq.bench.e2e;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The consuming side of one benchmark target: a push consumer of one client library on the target's
 * topic, for all runs against that target. Every consumed message of the current run is timed
 * against its intended send time by the {@link ConsumeTimer} it was built with.
 */
interface BenchConsumer extends AutoCloseable {
  /**
   * Pull requests this consumer has sent so far, or -1 when its client library does not tell (for
   * messages per pull: how far the broker's answers bunch messages).
   */
  default long pullRequests() {
    return -1;
  }

  /** How many queues of the topic the rebalance has given this consumer so far. */
  int assignedQueues();

  /** Waits until the rebalance has given this consumer all {@code queues} queues of the topic. */
  default void awaitQueues(int queues, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (assignedQueues() < queues) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "consumer got " + assignedQueues() + " of " + queues + " queues in " + timeout);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  @Override
  void close();
}
