package io.wharfmq.store.retention;

import io.wharfmq.store.MessageStore;
import io.wharfmq.store.queue.ConsumeQueueEntry;

/**
 * Where retention must stop: the oldest commit-log record that something has not finished yet: a
 * consumer group with queue semantics, or the broker's own pending work (delayed and timer messages
 * not yet due, transactional half messages not yet resolved). Retention never deletes a segment
 * holding it or anything after it, however old, and however full the disk (the store refuses new
 * messages instead). The broker computes it from its groups' committed offsets and in-flight
 * deliveries and from its schedule, timer and transaction state; the store only asks. Called on the
 * retention thread once per round; implementations must be thread-safe.
 */
@FunctionalInterface
public interface RetentionPins {
  /**
   * The oldest unfinished message of a pinning group.
   *
   * @param physicalOffset commit-log offset of the message's record (or, for {@link #PENDING_PREFIX
   *     pending work} counted per segment, of the segment holding it)
   * @param group the consumer group that has not finished it, or {@link #PENDING_PREFIX} and what
   *     kind of pending work holds it
   * @param topic its topic
   * @param queueId its queue
   * @param queueOffset its offset in the queue, -1 when the pin is a whole segment
   */
  record Pin(long physicalOffset, String group, String topic, int queueId, long queueOffset) {
    /** Whether the holder is a consumer group (not the broker's pending work). */
    public boolean byConsumerGroup() {
      return !group.startsWith(PENDING_PREFIX);
    }
  }

  /**
   * How the holder of a pin that is no consumer group begins ({@code pending:timers}): a RocketMQ
   * group name cannot contain a colon.
   */
  String PENDING_PREFIX = "pending:";

  /** Nothing is pinned: plain time- and disk-based retention. */
  RetentionPins NONE = () -> null;

  /** The pin with the lowest commit-log offset now, or null when nothing is pinned. */
  Pin lowest();

  /** The lowest pin of all the sources (each asked once a round). */
  static RetentionPins lowestOf(RetentionPins... sources) {
    RetentionPins[] all = sources.clone();
    return () -> {
      Pin lowest = null;
      for (RetentionPins s : all) {
        lowest = lower(lowest, s.lowest());
      }
      return lowest;
    };
  }

  /** The lower of two pins; null stands for "nothing pinned". */
  static Pin lower(Pin a, Pin b) {
    if (a == null) {
      return b;
    }
    return b == null || a.physicalOffset() <= b.physicalOffset() ? a : b;
  }

  /**
   * The pin of {@code holder} on a queue whose messages from {@code queueOffset} on are not
   * finished, or null when that is at or past the queue's end. An offset below the queue's first
   * pins the first; an entry left pointing below the log's start pins the start, never anything
   * earlier.
   */
  static Pin atQueueOffset(
      MessageStore store, String holder, String topic, int queueId, long queueOffset) {
    if (queueOffset >= store.maxOffset(topic, queueId)) {
      return null; // finished everything stored so far
    }
    long from = Math.max(queueOffset, store.minOffset(topic, queueId));
    ConsumeQueueEntry entry = store.queueEntry(topic, queueId, from);
    if (entry == null) {
      return null;
    }
    long physical = Math.max(entry.physicalOffset(), store.commitLogMinOffset());
    return new Pin(physical, holder, topic, queueId, from);
  }
}
