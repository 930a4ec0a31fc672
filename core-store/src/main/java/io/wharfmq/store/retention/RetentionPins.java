package io.wharfmq.store.retention;

/**
 * Where retention must stop: the oldest commit-log record that some consumer group with queue
 * semantics has not finished yet. Retention never deletes a segment holding it or anything after
 * it, however old, and however full the disk (the store refuses new messages instead). The broker
 * computes it from its groups' committed offsets and in-flight deliveries; the store only asks.
 * Called on the retention thread once per round; implementations must be thread-safe.
 */
@FunctionalInterface
public interface RetentionPins {
  /**
   * The oldest unfinished message of a pinning group.
   *
   * @param physicalOffset commit-log offset of the message's record
   * @param group the consumer group that has not finished it
   * @param topic its topic
   * @param queueId its queue
   * @param queueOffset its offset in the queue
   */
  record Pin(long physicalOffset, String group, String topic, int queueId, long queueOffset) {}

  /** Nothing is pinned: plain time- and disk-based retention. */
  RetentionPins NONE = () -> null;

  /** The pin with the lowest commit-log offset now, or null when nothing is pinned. */
  Pin lowest();
}
