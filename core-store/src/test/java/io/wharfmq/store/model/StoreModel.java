package io.wharfmq.store.model;

import io.wharfmq.store.GetMessageResult.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The simplest store that could work: lists per queue, a map from log offset to message, and the
 * log's start after retention. {@link StoreModelTest} applies every operation to it and to the real
 * store and compares. Single-threaded.
 */
final class StoreModel {
  /** One stored message as the model knows it. */
  record Msg(
      long physicalOffset,
      int size,
      String topic,
      int queueId,
      long queueOffset,
      long storeTimestamp,
      String tag,
      List<String> keys,
      byte[] body) {
    long end() {
      return physicalOffset + size;
    }
  }

  /** What a batch read should return. */
  record Read(Status status, List<Msg> messages, long nextBeginOffset, long min, long max) {}

  /** What a retention run should do. */
  record Retention(int deletedSegments, long newLogMin) {}

  private final int segmentSize;
  private final TreeMap<Long, Msg> byOffset = new TreeMap<>();
  private final Map<String, List<Msg>> queues = new HashMap<>();
  private final Map<String, Long> queueMin = new HashMap<>();
  private long logMin;

  StoreModel(int segmentSize) {
    this.segmentSize = segmentSize;
  }

  static String queueKey(String topic, int queueId) {
    return topic + "/" + queueId;
  }

  /** Log offset where the next record goes if it fits the active segment. */
  long end() {
    return byOffset.isEmpty() ? 0 : byOffset.lastEntry().getValue().end();
  }

  long logMin() {
    return logMin;
  }

  /** Where a request of {@code total} bytes lands: after the last record, or in a new segment. */
  long placement(int total, int blankMarkerSize) {
    long end = end();
    long base = end - end % segmentSize;
    return end - base + total + blankMarkerSize > segmentSize ? base + segmentSize : end;
  }

  long nextQueueOffset(String topic, int queueId) {
    List<Msg> q = queues.get(queueKey(topic, queueId));
    return q == null ? 0 : q.size();
  }

  void add(Msg m) {
    List<Msg> q = queues.computeIfAbsent(queueKey(m.topic(), m.queueId()), k -> new ArrayList<>());
    if (m.queueOffset() != q.size()) {
      throw new IllegalStateException("model: queue offset " + m.queueOffset() + " != " + q.size());
    }
    q.add(m);
    byOffset.put(m.physicalOffset(), m);
  }

  boolean alive(Msg m) {
    return m.physicalOffset() >= logMin;
  }

  List<Msg> all() {
    return new ArrayList<>(byOffset.values());
  }

  boolean queueExists(String topic, int queueId) {
    return queues.containsKey(queueKey(topic, queueId));
  }

  long minOffset(String topic, int queueId) {
    return queueMin.getOrDefault(queueKey(topic, queueId), 0L);
  }

  long maxOffset(String topic, int queueId) {
    return nextQueueOffset(topic, queueId);
  }

  /** Mirrors the documented read contract of MessageStore.getMessages. */
  Read read(
      String topic, int queueId, long offset, int maxCount, int maxBytes, Set<String> tagsOrAll) {
    List<Msg> q = queues.get(queueKey(topic, queueId));
    if (q == null) {
      return new Read(Status.NO_MESSAGE_IN_QUEUE, List.of(), 0, 0, 0);
    }
    long min = minOffset(topic, queueId);
    long max = q.size();
    if (offset < min) {
      return new Read(Status.OFFSET_TOO_SMALL, List.of(), min, min, max);
    }
    if (offset == max) {
      return new Read(Status.OFFSET_OVERFLOW_ONE, List.of(), offset, min, max);
    }
    if (offset > max) {
      return new Read(Status.OFFSET_OVERFLOW_BADLY, List.of(), max, min, max);
    }
    List<Msg> found = new ArrayList<>();
    int bytes = 0;
    long next = offset;
    long scanLimit = Math.min(max, offset + Math.max(maxCount, 1) * 16L + 64);
    while (next < scanLimit && found.size() < maxCount && bytes < maxBytes) {
      Msg m = q.get((int) next);
      next++;
      if (tagsOrAll != null && (m.tag() == null || !tagsOrAll.contains(m.tag()))) {
        continue;
      }
      found.add(m);
      bytes += m.size();
    }
    return new Read(
        found.isEmpty() ? Status.NO_MATCHED_MESSAGE : Status.FOUND, found, next, min, max);
  }

  long offsetForTimestamp(String topic, int queueId, long timestamp) {
    List<Msg> q = queues.get(queueKey(topic, queueId));
    if (q == null) {
      return 0;
    }
    for (long i = minOffset(topic, queueId); i < q.size(); i++) {
      if (q.get((int) i).storeTimestamp() >= timestamp) {
        return i;
      }
    }
    return q.size();
  }

  /** Live messages of the topic carrying the key, newest first. */
  List<Msg> queryByKey(String topic, String key, int maxNum) {
    return byOffset.descendingMap().values().stream()
        .filter(m -> alive(m) && m.topic().equals(topic) && m.keys().contains(key))
        .limit(maxNum)
        .toList();
  }

  /**
   * Which segments a retention run deletes: oldest first, never the active one, each only if the
   * first record of the next segment is at least {@code reservedMs} old, at most {@code
   * maxDeletes}.
   */
  Retention predictRetention(long now, long reservedMs, int maxDeletes, boolean timeToDelete) {
    if (!timeToDelete || byOffset.isEmpty()) {
      return new Retention(0, logMin);
    }
    long last = byOffset.lastKey();
    long activeBase = last - last % segmentSize;
    long min = logMin;
    int deleted = 0;
    while (deleted < maxDeletes && min < activeBase) {
      Msg firstOfNext = byOffset.get(min + segmentSize);
      if (firstOfNext == null) {
        throw new IllegalStateException("model: no record at segment start " + (min + segmentSize));
      }
      if (firstOfNext.storeTimestamp() + reservedMs > now) {
        break;
      }
      min += segmentSize;
      deleted++;
    }
    return new Retention(deleted, min);
  }

  /** The log now starts at {@code newMin}: each queue's min moves to its first live message. */
  void logStartsAt(long newMin) {
    logMin = newMin;
    for (Map.Entry<String, List<Msg>> e : queues.entrySet()) {
      List<Msg> q = e.getValue();
      long min = queueMin.getOrDefault(e.getKey(), 0L);
      while (min < q.size() && q.get((int) min).physicalOffset() < newMin) {
        min++;
      }
      queueMin.put(e.getKey(), min);
    }
  }

  /** Queues in a stable order, for whole-state comparisons. */
  List<String> queueKeys() {
    List<String> keys = new ArrayList<>(queues.keySet());
    keys.sort(Comparator.naturalOrder());
    return keys;
  }

  List<Msg> queue(String key) {
    return queues.get(key);
  }
}
