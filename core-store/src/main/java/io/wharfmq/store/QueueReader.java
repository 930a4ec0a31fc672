package io.wharfmq.store;

import io.wharfmq.store.GetMessageResult.Status;
import io.wharfmq.store.commitlog.CommitLog;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.DispatchView;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.queue.ConsumeQueue;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import io.wharfmq.store.queue.ConsumeQueueTable;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads through consume queues into the commit log. A record reached through a queue it was
 * dispatched to is presented as that queue's own. Stateless apart from its references.
 */
final class QueueReader {
  private final CommitLog commitLog;
  private final ConsumeQueueTable queues;

  QueueReader(CommitLog commitLog, ConsumeQueueTable queues) {
    this.commitLog = commitLog;
    this.queues = queues;
  }

  GetMessageResult read(
      String topic, int queueId, long offset, int maxCount, int maxBytes, MessageFilter filter) {
    ConsumeQueue q = queues.find(topic, queueId);
    if (q == null) {
      return new GetMessageResult(Status.NO_MESSAGE_IN_QUEUE, List.of(), 0, 0, 0);
    }
    long min = q.minOffset();
    long max = q.maxOffset();
    if (max == 0) {
      return new GetMessageResult(Status.NO_MESSAGE_IN_QUEUE, List.of(), 0, min, max);
    }
    if (offset < min) {
      return new GetMessageResult(Status.OFFSET_TOO_SMALL, List.of(), min, min, max);
    }
    if (offset == max) {
      return new GetMessageResult(Status.OFFSET_OVERFLOW_ONE, List.of(), offset, min, max);
    }
    if (offset > max) {
      return new GetMessageResult(Status.OFFSET_OVERFLOW_BADLY, List.of(), max, min, max);
    }
    List<StoredBytes> found = new ArrayList<>();
    int bytes = 0;
    long next = offset;
    boolean removed = false;
    // Scan at most a bounded number of entries per call so a selective filter cannot pin a reader.
    long scanLimit = Math.min(max, offset + Math.max(maxCount, 1) * 16L + 64);
    while (next < scanLimit && found.size() < maxCount && bytes < maxBytes) {
      ConsumeQueueEntry e = q.get(next);
      if (e == null) {
        break;
      }
      long at = next++;
      if (!filter.matchesTagsCode(e.tagsCode())) {
        continue;
      }
      StoredBytes record = asQueueRecord(commitLog.read(e.physicalOffset(), e.size()), q, at);
      if (record == null) {
        removed = true;
        continue;
      }
      if (!filter.matchesRecord(record.buffer())) {
        record.close();
        continue;
      }
      found.add(record);
      bytes += e.size();
    }
    Status status =
        !found.isEmpty()
            ? Status.FOUND
            : removed ? Status.MESSAGE_WAS_REMOVING : Status.NO_MATCHED_MESSAGE;
    return new GetMessageResult(status, found, next, min, max);
  }

  /** The record at a queue's offset as the queue's own (see {@link #asQueueRecord}), or null. */
  StoredBytes readQueueRecord(String topic, int queueId, long offset) {
    ConsumeQueue q = queues.find(topic, queueId);
    ConsumeQueueEntry e = q == null ? null : q.get(offset);
    return e == null
        ? null
        : asQueueRecord(commitLog.read(e.physicalOffset(), e.size()), q, offset);
  }

  /**
   * {@code record}, reached through entry {@code offset} of {@code q}; a dispatched record comes
   * back as a heap copy that carries the queue's topic, queue id and offset (DispatchView), so
   * every reader of a queue sees records of that queue. Null stays null.
   */
  static StoredBytes asQueueRecord(StoredBytes record, ConsumeQueue q, long offset) {
    if (record == null || !DispatchView.reachedByDispatch(record.buffer(), q.queueId(), offset)) {
      return record;
    }
    try (record) {
      return StoredBytes.onHeap(
          record.physicalOffset(),
          DispatchView.asQueueRecord(record.buffer(), q.topic(), q.queueId(), offset));
    }
  }

  long offsetForTimestamp(String topic, int queueId, long timestamp) {
    ConsumeQueue q = queues.find(topic, queueId);
    if (q == null) {
      return 0;
    }
    long lo = q.minOffset();
    long hi = q.maxOffset();
    // First offset whose store time is >= timestamp; store times grow with the offset.
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      long t = storeTimeAt(topic, queueId, mid);
      if (t < 0) {
        // The record went with retention while we searched: treat it as older than anything.
        lo = mid + 1;
      } else if (t < timestamp) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  long storeTimeAt(String topic, int queueId, long offset) {
    ConsumeQueue q = queues.find(topic, queueId);
    ConsumeQueueEntry e = q == null ? null : q.get(offset);
    if (e == null) {
      return -1;
    }
    try (StoredBytes record = commitLog.read(e.physicalOffset(), e.size())) {
      return record == null ? -1 : StoredMessage.storeTimestamp(record.buffer(), 0);
    }
  }
}
