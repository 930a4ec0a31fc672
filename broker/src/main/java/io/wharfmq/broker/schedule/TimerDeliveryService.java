package io.wharfmq.broker.schedule;

import io.wharfmq.store.AppendResult;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.timer.TimerDelivery;
import io.wharfmq.store.timer.TimerLogRecord;
import io.wharfmq.store.timer.TimerStore;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's half of timers: stores a due timer message again in its real topic and queue (see
 * {@link TimerRewrite}). A record the timer store marks as possibly delivered already is first
 * looked up in its real topic by UNIQ_KEY and {@link TimerRewrite#TIMER_SOURCE}, so a restart
 * delivers it once. The lookup goes through the index, which the dispatcher fills after the append
 * is answered; a lookup therefore waits (answers "not yet", the timer store retries next round)
 * until the index holds every copy this service stored, or a batch retried after a failed append
 * could miss a copy stored a moment before and store it twice. Called on the timer thread;
 * thread-safe.
 */
public final class TimerDeliveryService implements TimerDelivery {
  private static final Logger log = LoggerFactory.getLogger(TimerDeliveryService.class);

  private final MessageStore store;

  /** Commit-log end of the copies stored so far by this service (in this run). */
  private final AtomicLong storedEnd = new AtomicLong();

  private volatile ParkedTargets parked = ParkedTargets.UNCHANGED;

  public TimerDeliveryService(MessageStore store) {
    this.store = store;
  }

  /** Where a due fan-out still goes (set once the broker's service is up). */
  public void parkedTargets(ParkedTargets parked) {
    this.parked = parked;
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
    if (mayBeDeliveredAlready) {
      if (store.dispatchedOffset() < storedEnd.get()) {
        return CompletableFuture.completedFuture(false); // the index cannot answer yet
      }
      if (ScheduleRewrite.alreadyDelivered(store, s, TimerRewrite.TIMER_SOURCE)
          || deliveredByRocketMq(s)) {
        log.info("Timer message {} was delivered already; not again", s.physicalOffset());
        return CompletableFuture.completedFuture(true);
      }
    }
    return store
        .append(TimerRewrite.fromTimer(s, parked))
        .thenApply(
            r -> {
              if (r.isOk()) {
                storedEnd.accumulateAndGet(r.endOffset(), Math::max);
              }
              return delivered(record, r);
            });
  }

  /**
   * Whether Apache RocketMQ's timer wheel delivered this timer message before Wharf took its store
   * directory over (docs/storage.md, "Data in place"): a message in the real topic with the same
   * UNIQ_KEY that still carries the same TIMER_OUT_MS, which RocketMQ keeps on the copy it delivers
   * and Wharf's own copies drop.
   */
  private boolean deliveredByRocketMq(StoredMessage s) {
    Map<String, String> props = s.propertyMap();
    String uniq = props.get(MessageProperties.UNIQ_KEY);
    String topic = props.get(ScheduleRewrite.REAL_TOPIC);
    String due = props.get(TimerStore.TIMER_OUT_MS);
    if (uniq == null || topic == null || due == null) {
      return false;
    }
    for (StoredMessage m : store.queryByKey(topic, uniq, 64, s.storeTimestamp(), Long.MAX_VALUE)) {
      if (due.equals(MessageProperties.find(m.properties(), TimerStore.TIMER_OUT_MS))
          && MessageProperties.find(m.properties(), TimerRewrite.TIMER_SOURCE) == null) {
        return true;
      }
    }
    return false;
  }

  /** True when stored, or when it never can be (retrying would stall every later timer). */
  private static boolean delivered(TimerLogRecord record, AppendResult r) {
    if (r.isOk()) {
      return true;
    }
    boolean permanent =
        switch (r.status()) {
          case MESSAGE_TOO_LARGE, PROPERTIES_TOO_LARGE, TOPIC_INVALID, DISPATCH_INVALID -> true;
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
