package io.wharfmq.amqp.link;

import io.wharfmq.service.MessagingService;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Producer flow control that follows the consumers (docs/amqp.md, "Flow control"): which topics
 * have consumer links attached, through which groups (a queue's group, subscriptions), and when one
 * of them last made progress (took or settled messages). A producer link with a fixed destination
 * asks {@link #backlog} before it grants more credit: above the high mark it grants none, and asks
 * again every {@link #RECHECK_MILLIS} until the backlog is at most the low mark (half). Nothing
 * holds a producer while its destination has no active consumer, so a queue whose consumer is away
 * keeps accepting until the disk is full.
 *
 * <p>The backlog is {@link MessagingService#readyBacklog}, a figure the service keeps in memory, so
 * no service round trip is made on a connection's thread. Thread-safe: one per listener, used by
 * every connection's thread.
 */
final class ProducerFlow {
  /** How often a held producer link looks at the backlog again. */
  static final long RECHECK_MILLIS = 10;

  /**
   * A consumer that has taken or settled nothing for this long does not hold producers (it may be
   * stuck, or its application may be blocked in a send to the same queue).
   */
  static final long ACTIVE_MILLIS = 1000;

  private static final long ACTIVE_NANOS = TimeUnit.MILLISECONDS.toNanos(ACTIVE_MILLIS);

  /** The consumer links of one topic. */
  private static final class Consumers {
    /** Group to attached links; immutable, replaced inside the map's compute for the topic. */
    volatile Map<String, Integer> groups = Map.of();

    /** When a link of the topic last took or settled a message ({@link #nanos}). */
    volatile long progressNanos;
  }

  private final long high;
  private final long low;
  private final LongSupplier nanos;
  private final Map<String, Consumers> byTopic = new ConcurrentHashMap<>();

  /**
   * @param highMark amqpProducerFlowHighMark: the backlog above which producers get no credit; 0
   *     turns flow control off
   * @param nanos the clock ({@code System::nanoTime}; tests move it by hand)
   */
  ProducerFlow(long highMark, LongSupplier nanos) {
    if (highMark < 0) {
      throw new IllegalArgumentException("highMark must be 0 (off) or positive: " + highMark);
    }
    this.high = highMark;
    this.low = highMark / 2;
    this.nanos = nanos;
  }

  boolean enabled() {
    return high > 0;
  }

  /** A consumer link of {@code group} on {@code topic} started; it counts as active from now. */
  void attached(String topic, String group) {
    if (!enabled()) {
      return;
    }
    long now = nanos.getAsLong();
    byTopic.compute(
        topic,
        (t, c) -> {
          Consumers out = c != null ? c : new Consumers();
          Map<String, Integer> groups = new HashMap<>(out.groups);
          groups.merge(group, 1, Integer::sum);
          out.groups = Map.copyOf(groups);
          out.progressNanos = now;
          return out;
        });
  }

  /** A consumer link that {@link #attached} ended. */
  void detached(String topic, String group) {
    if (!enabled()) {
      return;
    }
    byTopic.computeIfPresent(
        topic,
        (t, c) -> {
          Map<String, Integer> groups = new HashMap<>(c.groups);
          groups.computeIfPresent(group, (g, n) -> n > 1 ? n - 1 : null);
          if (groups.isEmpty()) {
            return null;
          }
          c.groups = Map.copyOf(groups);
          return c;
        });
  }

  /** A consumer link of {@code topic} took or settled messages. */
  void progressed(String topic) {
    Consumers c = byTopic.get(topic);
    if (c != null) {
      c.progressNanos = nanos.getAsLong();
    }
  }

  /**
   * The backlog that may hold a producer to {@code topic} now: the largest ready backlog of the
   * groups with links attached, when one of those links made progress within {@link
   * #ACTIVE_MILLIS}; -1 when nothing may hold it (no active consumer, or the service does not
   * know).
   */
  long backlog(MessagingService service, String topic) {
    Consumers c = byTopic.get(topic);
    if (c == null || nanos.getAsLong() - c.progressNanos > ACTIVE_NANOS) {
      return -1;
    }
    long most = -1;
    for (String group : c.groups.keySet()) {
      most = Math.max(most, service.readyBacklog(group, topic));
    }
    return most;
  }

  /** Whether a producer that is not held must stop getting credit at this backlog. */
  boolean holds(long backlog) {
    return enabled() && backlog > high;
  }

  /** Whether a held producer may get credit again at this backlog. */
  boolean releases(long backlog) {
    return backlog <= low;
  }

  /** Topics with consumer links counted (tests: it must not grow with churn). */
  int trackedTopics() {
    return byTopic.size();
  }
}
