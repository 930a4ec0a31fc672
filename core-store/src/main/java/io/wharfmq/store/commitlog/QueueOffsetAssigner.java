package io.wharfmq.store.commitlog;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Next logical offset of every (topic, queueId), assigned as records are appended. Seeded from the
 * consume queues after recovery. Used only under the commit-log append lock; not thread-safe.
 */
public final class QueueOffsetAssigner {
  private final Map<String, long[]> next = new HashMap<>();

  /** Sets the next offset of a queue (recovery). */
  public void set(String topic, int queueId, long nextOffset) {
    long[] offsets = queues(topic, queueId);
    offsets[queueId] = nextOffset;
  }

  /** Returns the next offset of a queue and advances it by {@code count}. */
  long take(String topic, int queueId, int count) {
    long[] offsets = queues(topic, queueId);
    long offset = offsets[queueId];
    offsets[queueId] = offset + count;
    return offset;
  }

  /** Undoes {@link #take} for a request that was not written. */
  void giveBack(String topic, int queueId, int count) {
    queues(topic, queueId)[queueId] -= count;
  }

  private long[] queues(String topic, int queueId) {
    long[] offsets = next.get(topic);
    if (offsets == null || offsets.length <= queueId) {
      long[] grown = new long[Math.max(queueId + 1, 8)];
      if (offsets != null) {
        grown = Arrays.copyOf(offsets, Math.max(queueId + 1, offsets.length * 2));
      }
      next.put(topic, grown);
      offsets = grown;
    }
    return offsets;
  }
}
