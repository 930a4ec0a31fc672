package io.wharfmq.broker.longpoll;

import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.store.MessageFilter;
import io.wharfmq.store.queue.DispatchListener;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds pulls that found nothing until a matching message reaches their queue or their suspend time
 * passes, then hands them back to be executed once more (without suspension). The store's
 * dispatcher tells it about new messages ({@link DispatchListener}); a sweep every 100 ms answers
 * the expired ones. Protocol-neutral: a held pull is a retry action ({@code again}, which must not
 * block) and a liveness check, shared by remoting pulls and service callers. Thread-safe.
 */
public final class PullRequestHoldService implements DispatchListener {
  private static final Logger log = LoggerFactory.getLogger(PullRequestHoldService.class);

  /** A held pull: answered by running {@code again}. */
  public record HeldPull(
      String topic,
      int queueId,
      long offset,
      MessageFilter filter,
      long deadlineNanos,
      BooleanSupplier alive,
      Runnable again) {}

  private final Map<String, ConcurrentLinkedQueue<HeldPull>> held = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("wharf-pull-hold"));
  private volatile MaxOffsetLookup maxOffsets = (t, q) -> 0;
  private volatile boolean closed;

  /** Where a queue's max offset is read from, to close the race between "nothing" and "hold". */
  @FunctionalInterface
  public interface MaxOffsetLookup {
    long maxOffset(String topic, int queueId);
  }

  /** Connects the service to the store; call before {@link #start}. */
  public void bind(MaxOffsetLookup maxOffsets) {
    this.maxOffsets = maxOffsets;
  }

  private static void again(HeldPull p) {
    try {
      p.again().run();
    } catch (RuntimeException e) {
      log.error("Held pull of {}:{} could not be run again", p.topic(), p.queueId(), e);
    }
  }

  public void start() {
    sweeper.scheduleWithFixedDelay(this::sweep, 100, 100, TimeUnit.MILLISECONDS);
  }

  public void shutdown() {
    closed = true;
    sweeper.shutdownNow();
    // Answer everything still held so clients do not wait for their own timeout.
    for (ConcurrentLinkedQueue<HeldPull> q : held.values()) {
      HeldPull p;
      while ((p = q.poll()) != null) {
        again(p);
      }
    }
  }

  private static String key(String topic, int queueId) {
    return topic + "@" + queueId;
  }

  /** Holds a pull; false (not held: answer now) once the service is shut down. */
  public boolean hold(HeldPull pull) {
    if (closed) {
      return false;
    }
    ConcurrentLinkedQueue<HeldPull> q =
        held.computeIfAbsent(key(pull.topic(), pull.queueId()), k -> new ConcurrentLinkedQueue<>());
    q.add(pull);
    // A message may have arrived between the empty read and now.
    if (maxOffsets.maxOffset(pull.topic(), pull.queueId()) > pull.offset() && q.remove(pull)) {
      again(pull);
    }
    return true;
  }

  /** Number of pulls currently held (for tests and metrics). */
  public int heldCount() {
    int n = 0;
    for (ConcurrentLinkedQueue<HeldPull> q : held.values()) {
      n += q.size();
    }
    return n;
  }

  @Override
  public void onDispatched(
      String topic, int queueId, long queueOffset, long tagsCode, long storeTimestamp) {
    wake(topic, queueId, queueOffset, tagsCode);
  }

  private void wake(String topic, int queueId, long newOffset, long tagsCode) {
    ConcurrentLinkedQueue<HeldPull> q = held.get(key(topic, queueId));
    if (q == null || q.isEmpty()) {
      return;
    }
    Iterator<HeldPull> it = q.iterator();
    while (it.hasNext()) {
      HeldPull p = it.next();
      boolean arrived = newOffset >= p.offset();
      boolean matches = p.filter().matchesTagsCode(tagsCode);
      if (arrived && matches && q.remove(p)) {
        again(p);
      }
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    for (ConcurrentLinkedQueue<HeldPull> q : held.values()) {
      for (HeldPull p : q) {
        boolean expired = now - p.deadlineNanos() >= 0;
        if ((expired || !p.alive().getAsBoolean()) && q.remove(p)) {
          again(p);
        }
      }
    }
  }
}
