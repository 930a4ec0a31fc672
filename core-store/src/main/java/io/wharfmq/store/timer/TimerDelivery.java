package io.wharfmq.store.timer;

import java.util.concurrent.CompletableFuture;

/**
 * Delivers a due timer message: stores it again in its real topic (the broker's business). Called
 * on the timer thread; must not block, but may return a future that completes later.
 */
@FunctionalInterface
public interface TimerDelivery {
  /**
   * Delivers the timer message of {@code record}.
   *
   * @param mayBeDeliveredAlready true when this record may have been delivered before (it was due
   *     before this run started, or an earlier attempt failed midway): the implementation should
   *     check and skip it if so, to deliver once
   * @return completes with true once delivered (or found delivered, or not deliverable at all),
   *     false to retry later
   */
  CompletableFuture<Boolean> deliver(TimerLogRecord record, boolean mayBeDeliveredAlready);
}
