package io.wharfmq.store;

import io.wharfmq.store.commitlog.StoredBytes;
import java.util.List;

/**
 * Result of a batch read from one queue. The {@link StoredBytes} are views into the commit log
 * without copying; close the result (or each view) when done so retention can free the segments.
 *
 * @param status what was found
 * @param messages matching records, in queue order
 * @param nextBeginOffset where the next read should start
 * @param minOffset queue's min offset at read time
 * @param maxOffset queue's max offset at read time
 */
public record GetMessageResult(
    Status status, List<StoredBytes> messages, long nextBeginOffset, long minOffset, long maxOffset)
    implements AutoCloseable {

  /** Read outcomes, named after RocketMQ's GetMessageStatus where they mean the same. */
  public enum Status {
    FOUND,
    /** Entries were read but none matched the filter; nextBeginOffset moved past them. */
    NO_MATCHED_MESSAGE,
    /** The queue has never had a message. */
    NO_MESSAGE_IN_QUEUE,
    /** offset < minOffset: those messages are gone; nextBeginOffset = minOffset. */
    OFFSET_TOO_SMALL,
    /** offset == maxOffset: nothing new yet. */
    OFFSET_OVERFLOW_ONE,
    /** offset > maxOffset: nextBeginOffset = maxOffset. */
    OFFSET_OVERFLOW_BADLY,
    /** Entries exist but their records are gone (retention ran); nextBeginOffset skips them. */
    MESSAGE_WAS_REMOVING
  }

  public int totalBytes() {
    int total = 0;
    for (StoredBytes b : messages) {
      total += b.size();
    }
    return total;
  }

  @Override
  public void close() {
    for (StoredBytes b : messages) {
      b.close();
    }
  }
}
