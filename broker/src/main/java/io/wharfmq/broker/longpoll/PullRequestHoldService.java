package io.wharfmq.broker.longpoll;

import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.store.MessageFilter;
import io.wharfmq.store.queue.DispatchListener;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Holds pulls that found nothing until a matching message reaches their queue or their suspend time
 * passes, then hands them back to be executed once more (without suspension). The store's
 * dispatcher tells it about new messages ({@link DispatchListener}); a sweep every 100 ms answers
 * the expired ones. Thread-safe.
 */
public final class PullRequestHoldService implements DispatchListener {

  /** A held pull. */
  public record HeldPull(
      RemotingChannel channel,
      RemotingCommand request,
      String topic,
      int queueId,
      long offset,
      MessageFilter filter,
      long deadlineNanos) {}

  private final Map<String, ConcurrentLinkedQueue<HeldPull>> held = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("wharf-pull-hold"));
  private volatile Consumer<HeldPull> reexecute = p -> {};
  private volatile MaxOffsetLookup maxOffsets = (t, q) -> 0;

  /** Where a queue's max offset is read from, to close the race between "nothing" and "hold". */
  @FunctionalInterface
  public interface MaxOffsetLookup {
    long maxOffset(String topic, int queueId);
  }

  /** Connects the service to the pull processor and the store; call before {@link #start}. */
  public void bind(Consumer<HeldPull> reexecute, MaxOffsetLookup maxOffsets) {
    this.reexecute = reexecute;
    this.maxOffsets = maxOffsets;
  }

  public void start() {
    sweeper.scheduleWithFixedDelay(this::sweep, 100, 100, TimeUnit.MILLISECONDS);
  }

  public void shutdown() {
    sweeper.shutdownNow();
    // Answer everything still held so clients do not wait for their own timeout.
    for (ConcurrentLinkedQueue<HeldPull> q : held.values()) {
      HeldPull p;
      while ((p = q.poll()) != null) {
        reexecute.accept(p);
      }
    }
  }

  private static String key(String topic, int queueId) {
    return topic + "@" + queueId;
  }

  public void hold(HeldPull pull) {
    ConcurrentLinkedQueue<HeldPull> q =
        held.computeIfAbsent(key(pull.topic(), pull.queueId()), k -> new ConcurrentLinkedQueue<>());
    q.add(pull);
    // A message may have arrived between the empty read and now.
    if (maxOffsets.maxOffset(pull.topic(), pull.queueId()) > pull.offset() && q.remove(pull)) {
      reexecute.accept(pull);
    }
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
        reexecute.accept(p);
      }
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    for (ConcurrentLinkedQueue<HeldPull> q : held.values()) {
      for (HeldPull p : q) {
        boolean expired = now - p.deadlineNanos() >= 0;
        if ((expired || !p.channel().isActive()) && q.remove(p)) {
          reexecute.accept(p);
        }
      }
    }
  }
}
