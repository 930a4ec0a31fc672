package io.wharfmq.broker.schedule;

import io.wharfmq.store.AppendResult;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.timer.TimerDelivery;
import io.wharfmq.store.timer.TimerLogRecord;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's half of timers: stores a due timer message again in its real topic and queue (see
 * {@link TimerRewrite}). A record the timer store marks as possibly delivered already is first
 * looked up in its real topic by UNIQ_KEY and {@link TimerRewrite#TIMER_SOURCE}, so a restart
 * delivers it once. Called on the timer thread; stateless apart from the store, so thread-safe.
 */
public final class TimerDeliveryService implements TimerDelivery {
  private static final Logger log = LoggerFactory.getLogger(TimerDeliveryService.class);

  private final MessageStore store;

  public TimerDeliveryService(MessageStore store) {
    this.store = store;
  }

  @Override
  public CompletableFuture<Boolean> deliver(TimerLogRecord record, boolean mayBeDeliveredAlready) {
    StoredMessage s = store.readMessage(record.commitLogOffset());
    if (s == null) {
      log.warn("Timer message at {} is gone (retention); not delivered", record.commitLogOffset());
      return CompletableFuture.completedFuture(true);
    }
    if (s.propertyMap().get(ScheduleRewrite.REAL_TOPIC) == null) {
      log.warn("Timer message at {} has no REAL_TOPIC; dropped", record.commitLogOffset());
      return CompletableFuture.completedFuture(true);
    }
    if (mayBeDeliveredAlready
        && ScheduleRewrite.alreadyDelivered(store, s, TimerRewrite.TIMER_SOURCE)) {
      log.info("Timer message {} was delivered before the restart; not again", s.physicalOffset());
      return CompletableFuture.completedFuture(true);
    }
    return store.append(TimerRewrite.fromTimer(s)).thenApply(r -> delivered(record, r));
  }

  /** True when stored, or when it never can be (retrying would stall every later timer). */
  private static boolean delivered(TimerLogRecord record, AppendResult r) {
    if (r.isOk()) {
      return true;
    }
    boolean permanent =
        switch (r.status()) {
          case MESSAGE_TOO_LARGE, PROPERTIES_TOO_LARGE, TOPIC_INVALID -> true;
          default -> false;
        };
    log.warn(
        "Cannot deliver timer message {}: {} {}; {}",
        record.commitLogOffset(),
        r.status(),
        r.detail(),
        permanent ? "dropped" : "retrying");
    return permanent;
  }
}
