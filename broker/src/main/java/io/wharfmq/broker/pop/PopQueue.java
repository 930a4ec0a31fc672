package io.wharfmq.broker.pop;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** Read from the pop log at startup and not returned by returnFromBeforeStart yet. */
    boolean fromBeforeStart;

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

    /** The log entry that finishes this delivery as {@code kind} (ACKED or DEAD). */
    PopLogRecord.Entry finished(PopLogRecord.Kind kind) {
      return new PopLogRecord.Entry(offset, kind, popTime, 0, reconsumeTimes);
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

  /**
   * Offsets at or above scanFrom that are done (acknowledged or dead-lettered after a pop that left
   * unmatched messages behind it), with the pop-log position of the record saying so.
   */
  private final TreeMap<Long, Finished> doneAhead = new TreeMap<>();

  /**
   * Per filter of pops that leave unmatched messages: where its scan resumes. Below it (and at or
   * above scanFrom) no message it matches is left that is neither in flight nor done; a message it
   * matches that becomes visible again is found among the due ones. In memory only, bounded.
   */
  private final Map<String, Long> cursors =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > MAX_CURSORS;
        }
      };

  /** Most filters whose scan position a queue remembers. */
  static final int MAX_CURSORS = 64;

  /** A done offset above scanFrom: where the pop log says so (-1 until the append is known). */
  static final class Finished {
    volatile long logPos = -1;
  }

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

  /**
   * Finishes {@code offset} (acknowledged, dead-lettered, gone): forgets it as in flight and, when
   * it is at or above scanFrom, remembers it as done so no scan hands it out again. Returns the
   * done marker (null when below scanFrom: done by position).
   */
  Finished finish(long offset) {
    remove(offset);
    if (offset < scanFrom) {
      return null;
    }
    return doneAhead.computeIfAbsent(offset, o -> new Finished());
  }

  boolean isDone(long offset) {
    return offset < scanFrom ? inFlight.get(offset) == null : doneAhead.containsKey(offset);
  }

  /** The done offsets at or above scanFrom (a copy). */
  java.util.Set<Long> doneAheadOffsets() {
    return new java.util.HashSet<>(doneAhead.keySet());
  }

  /** Whether a scan must pass over {@code offset}: in flight or done already. */
  boolean taken(long offset) {
    return inFlight.containsKey(offset) || doneAhead.containsKey(offset);
  }

  /**
   * Moves scanFrom to at least {@code offset}, then on over offsets in flight or done (they are
   * tracked or finished either way), and forgets done markers below it.
   */
  void advanceScan(long offset) {
    scanFrom = Math.max(scanFrom, offset);
    while (inFlight.containsKey(scanFrom) || doneAhead.containsKey(scanFrom)) {
      scanFrom++;
    }
    doneAhead.headMap(scanFrom).clear();
  }

  /** Where a scan with the filter named {@code key} resumes. */
  long cursor(String key) {
    Long c = cursors.get(key);
    return c == null ? scanFrom : Math.max(c, scanFrom);
  }

  void cursor(String key, long offset) {
    cursors.put(key, offset);
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

  /**
   * The latest popTime among in-flight messages whose invisibility ended at or before {@code now}
   * (visible again), or Long.MIN_VALUE when none is.
   */
  long latestDuePopTime(long now) {
    long latest = Long.MIN_VALUE;
    for (InFlight f : byDeadline) {
      if (f.deadline > now) {
        break;
      }
      latest = Math.max(latest, f.popTime);
    }
    return latest;
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
    for (Finished d : doneAhead.values()) {
      long p = d.logPos;
      if (p >= 0 && p < min) {
        min = p;
      }
    }
    for (InFlight f : inFlight.values()) {
      long p = f.logPos;
      if (p >= 0 && p < min) {
        min = p;
      }
    }
    return min;
  }
}
