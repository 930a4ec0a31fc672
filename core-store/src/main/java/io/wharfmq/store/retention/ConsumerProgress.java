package io.wharfmq.store.retention;

import java.util.List;

/**
 * Where consumer groups are: their committed offsets, so retention can say which groups lose
 * messages they have not consumed yet when it deletes segments. The broker provides it; the store
 * only reads it. Implementations must be thread-safe (called on the retention thread).
 */
@FunctionalInterface
public interface ConsumerProgress {
  /** The next offset to consume of one group on one queue. */
  record Committed(String group, String topic, int queueId, long offset) {}

  ConsumerProgress NONE = List::of;

  /** Every committed offset now. */
  List<Committed> committedOffsets();
}
