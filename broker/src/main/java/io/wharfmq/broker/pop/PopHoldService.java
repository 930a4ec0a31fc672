package io.wharfmq.broker.pop;

import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.store.queue.DispatchListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long polling for pops that found nothing: holds them per topic until a message reaches the topic,
 * a revive round makes one visible again, or their poll time ends; then hands them back to be
 * executed once more. Protocol-neutral: a held pop is a retry action and a liveness check, so
 * remoting pops and service callers (the AMQP door) share one hold table and one limit. One sweep
 * loop ("wharf-pop-hold") runs expiry every 100 ms and the revive round every reviveInterval.
 * Thread-safe.
 */
public final class PopHoldService implements DispatchListener {
  private static final Logger log = LoggerFactory.getLogger(PopHoldService.class);

  /**
   * A held pop: answered by running {@code again} (which must not block: it hands the pop to an
   * executor), at the latest at {@code deadlineNanos} or as soon as {@code alive} turns false.
   */
  public record HeldPop(String topic, long deadlineNanos, BooleanSupplier alive, Runnable again) {}

  private final int maxHeld;
  private final long reviveIntervalMillis;
  private final Map<String, ConcurrentLinkedQueue<HeldPop>> held = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("wharf-pop-hold"));
  private volatile Supplier<List<String>> reviver = List::of;
  private long lastRevive;
  private volatile boolean closed;

  public PopHoldService(int maxHeld, long reviveIntervalMillis) {
    this.maxHeld = maxHeld;
    this.reviveIntervalMillis = reviveIntervalMillis;
  }

  /**
   * Connects the service to the revive round ({@code reviver}, returning topics with messages
   * visible again); call before {@link #start}.
   */
  public void bind(Supplier<List<String>> reviver) {
    this.reviver = reviver;
  }

  public void start() {
    sweeper.scheduleWithFixedDelay(this::sweep, 100, 100, TimeUnit.MILLISECONDS);
  }

  public void shutdown() {
    closed = true;
    sweeper.shutdownNow();
    for (ConcurrentLinkedQueue<HeldPop> q : held.values()) {
      HeldPop p;
      while ((p = q.poll()) != null) {
        count.decrementAndGet();
        again(p);
      }
    }
  }

  /**
   * Holds a pop; false when maxPopPollingSize pops are held already (answer POLLING_FULL) or the
   * service is shut down.
   */
  public boolean hold(HeldPop pop) {
    if (closed) {
      return false;
    }
    if (count.incrementAndGet() > maxHeld) {
      count.decrementAndGet();
      return false;
    }
    held.computeIfAbsent(pop.topic(), t -> new ConcurrentLinkedQueue<>()).add(pop);
    return true;
  }

  /** Hands back the held pops of {@code topic}. */
  public void wake(String topic) {
    ConcurrentLinkedQueue<HeldPop> q = held.get(topic);
    if (q == null) {
      return;
    }
    HeldPop p;
    while ((p = q.poll()) != null) {
      count.decrementAndGet();
      again(p);
    }
  }

  /**
   * Hands back the held pops of {@code topic} after {@code delayMillis}: for a message that turns
   * visible again then (a short invisibility change, a JMS recover). A delay the revive round
   * covers as soon is left to it.
   */
  public void wakeAfter(String topic, long delayMillis) {
    if (closed || delayMillis >= reviveIntervalMillis) {
      return;
    }
    try {
      sweeper.schedule(() -> wake(topic), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("Wake-up of pops held on {} skipped: shutting down", topic);
    }
  }

  /** Pops held now (tests and metrics). */
  public int heldCount() {
    return count.get();
  }

  @Override
  public void onDispatched(
      String topic, int queueId, long queueOffset, long tagsCode, long storeTimestamp) {
    ConcurrentLinkedQueue<HeldPop> q = held.get(topic);
    if (q != null && !q.isEmpty()) {
      wake(topic);
    }
  }

  private static void again(HeldPop p) {
    try {
      p.again().run();
    } catch (RuntimeException e) {
      log.error("Held pop of {} could not be run again", p.topic(), e);
    }
  }

  private void sweep() {
    try {
      long now = System.nanoTime();
      for (ConcurrentLinkedQueue<HeldPop> q : held.values()) {
        for (HeldPop p : q) {
          if ((now - p.deadlineNanos() >= 0 || !p.alive().getAsBoolean()) && q.remove(p)) {
            count.decrementAndGet();
            again(p);
          }
        }
      }
      if (now - lastRevive >= TimeUnit.MILLISECONDS.toNanos(reviveIntervalMillis)) {
        lastRevive = now;
        for (String topic : reviver.get()) {
          wake(topic);
        }
      }
    } catch (RuntimeException e) {
      log.error("Pop hold sweep failed", e);
    }
  }
}
