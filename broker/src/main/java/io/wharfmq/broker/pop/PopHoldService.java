package io.wharfmq.broker.pop;

import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.store.queue.DispatchListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long polling for pops that found nothing: holds them per topic until a message reaches the topic,
 * a revive round makes one visible again, or their poll time ends; then hands them back to be
 * executed once more. One sweep loop ("wharf-pop-hold") runs expiry every 100 ms and the revive
 * round every reviveInterval. Thread-safe.
 */
public final class PopHoldService implements DispatchListener {
  private static final Logger log = LoggerFactory.getLogger(PopHoldService.class);

  /** A held pop: answer it by executing {@code request} again, finally at {@code deadlineNanos}. */
  public record HeldPop(
      RemotingChannel channel, RemotingCommand request, String topic, long deadlineNanos) {}

  private final int maxHeld;
  private final long reviveIntervalMillis;
  private final Map<String, ConcurrentLinkedQueue<HeldPop>> held = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("wharf-pop-hold"));
  private volatile Consumer<HeldPop> reexecute = p -> {};
  private volatile Supplier<List<String>> reviver = List::of;
  private long lastRevive;

  public PopHoldService(int maxHeld, long reviveIntervalMillis) {
    this.maxHeld = maxHeld;
    this.reviveIntervalMillis = reviveIntervalMillis;
  }

  /**
   * Connects the service to the pop processor ({@code reexecute}) and the revive round ({@code
   * reviver}, returning topics with messages visible again); call before {@link #start}.
   */
  public void bind(Consumer<HeldPop> reexecute, Supplier<List<String>> reviver) {
    this.reexecute = reexecute;
    this.reviver = reviver;
  }

  public void start() {
    sweeper.scheduleWithFixedDelay(this::sweep, 100, 100, TimeUnit.MILLISECONDS);
  }

  public void shutdown() {
    sweeper.shutdownNow();
    for (ConcurrentLinkedQueue<HeldPop> q : held.values()) {
      HeldPop p;
      while ((p = q.poll()) != null) {
        count.decrementAndGet();
        reexecute.accept(p);
      }
    }
  }

  /** Holds a pop; false when maxPopPollingSize pops are held already (answer POLLING_FULL). */
  public boolean hold(HeldPop pop) {
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
      reexecute.accept(p);
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

  private void sweep() {
    try {
      long now = System.nanoTime();
      for (ConcurrentLinkedQueue<HeldPop> q : held.values()) {
        for (HeldPop p : q) {
          if ((now - p.deadlineNanos() >= 0 || !p.channel().isActive()) && q.remove(p)) {
            count.decrementAndGet();
            reexecute.accept(p);
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
