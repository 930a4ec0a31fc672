package io.wharfmq.broker.pop;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Pop state of one queue for one consumer group: how far the group has scanned the queue and which
 * messages are in flight (delivered, not acknowledged). Every offset below {@link #scanFrom} that
 * is not in flight is done (acknowledged, dead-lettered or filtered out), so the group's committed
 * offset is the lowest in-flight offset, or scanFrom when none is in flight. Guarded by {@link
 * #lock}: every method must be called with it held.
 */
final class PopQueue {
  /** A delivered message not acknowledged yet. Mutated only with the queue's lock held. */
  static final class InFlight {
    final long offset;
    long popTime;
    long deadline;
    int reconsumeTimes;

    /** Position in the pop log of the latest record known written about it; -1 until then. */
    volatile long logPos = -1;

    InFlight(long offset, long popTime, long deadline, int reconsumeTimes) {
      this.offset = offset;
      this.popTime = popTime;
      this.deadline = deadline;
      this.reconsumeTimes = reconsumeTimes;
    }

    PopLogRecord.Entry entry() {
      return new PopLogRecord.Entry(
          offset, PopLogRecord.Kind.IN_FLIGHT, popTime, deadline, reconsumeTimes);
    }
  }

  private static final Comparator<InFlight> BY_DEADLINE =
      Comparator.<InFlight>comparingLong(f -> f.deadline).thenComparingLong(f -> f.offset);

  final String group;
  final String topic;
  final int queueId;
  final ReentrantLock lock = new ReentrantLock();
  long scanFrom;
  private long lastCommitted = -1;
  private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
  private final TreeSet<InFlight> byDeadline = new TreeSet<>(BY_DEADLINE);

  PopQueue(String group, String topic, int queueId, long scanFrom) {
    this.group = group;
    this.topic = topic;
    this.queueId = queueId;
    this.scanFrom = scanFrom;
  }

  InFlight get(long offset) {
    return inFlight.get(offset);
  }

  int inFlightCount() {
    return inFlight.size();
  }

  /** Adds or replaces the state of {@code f.offset}. */
  void put(InFlight f) {
    InFlight old = inFlight.put(f.offset, f);
    if (old != null) {
      byDeadline.remove(old);
    }
    byDeadline.add(f);
  }

  /** Hands {@code f} out again (or keeps it invisible longer) from {@code popTime}. */
  void reschedule(InFlight f, long popTime, long deadline) {
    byDeadline.remove(f);
    f.popTime = popTime;
    f.deadline = deadline;
    byDeadline.add(f);
  }

  InFlight remove(long offset) {
    InFlight f = inFlight.remove(offset);
    if (f != null) {
      byDeadline.remove(f);
    }
    return f;
  }

  /** Every in-flight message, by offset (a copy). */
  List<InFlight> all() {
    return new ArrayList<>(inFlight.values());
  }

  /** In-flight messages whose invisibility ended at or before {@code now}, by deadline. */
  List<InFlight> due(long now, int limit) {
    List<InFlight> out = new ArrayList<>();
    for (InFlight f : byDeadline) {
      if (f.deadline > now || out.size() >= limit) {
        break;
      }
      out.add(f);
    }
    return out;
  }

  boolean hasDue(long now) {
    return !byDeadline.isEmpty() && byDeadline.first().deadline <= now;
  }

  /** Forgets in-flight messages below {@code offset} (done per the persisted committed offset). */
  void dropBelow(long offset) {
    while (!inFlight.isEmpty() && inFlight.firstKey() < offset) {
      remove(inFlight.firstKey());
    }
  }

  /** The next offset the group still needs: everything below it is done. */
  long committed() {
    return inFlight.isEmpty() ? scanFrom : Math.min(inFlight.firstKey(), scanFrom);
  }

  /** The committed offset if it moved since the last call, else -1. */
  long committedIfMoved() {
    long c = committed();
    if (c == lastCommitted) {
      return -1;
    }
    lastCommitted = c;
    return c;
  }

  /** The lowest pop-log position a replay must start from to rebuild this queue, or {@code max}. */
  long replayStart(long max) {
    long min = max;
    for (InFlight f : inFlight.values()) {
      long p = f.logPos;
      if (p >= 0 && p < min) {
        min = p;
      }
    }
    return min;
  }
}
