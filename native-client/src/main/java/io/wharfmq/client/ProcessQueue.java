package io.wharfmq.client;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One assigned queue of a push consumer: the offset of the next pull and the messages pulled but
 * not yet consumed, by offset. The lowest of those (or the next pull offset when none are left) is
 * what may be committed. Dropped when the queue is taken away. Orderly consumers in clustering also
 * track the broker lock on the queue here. Thread-safe (monitor).
 */
final class ProcessQueue {
  final MessageQueue queue;
  private final TreeMap<Long, MessageView> cached = new TreeMap<>();
  private long cachedBytes;
  private long nextOffset;
  private volatile boolean dropped;

  /** Orderly consumption: whether a consume task owns this queue now. */
  final AtomicBoolean consuming = new AtomicBoolean();

  /**
   * Orderly consumption: held while the listener runs, so that giving the queue up (commit, then
   * broker unlock) waits for the batch in hand.
   */
  final ReentrantLock consumeLock = new ReentrantLock();

  /** Orderly clustering: whether the broker lock is held, and when it was last granted (ms). */
  private volatile boolean locked;

  private volatile long lockedAtMillis;

  ProcessQueue(MessageQueue queue, long startOffset) {
    this.queue = queue;
    this.nextOffset = startOffset;
  }

  boolean isDropped() {
    return dropped;
  }

  void drop() {
    dropped = true;
  }

  void lockGranted(long nowMillis) {
    lockedAtMillis = nowMillis;
    locked = true;
  }

  void lockLost() {
    locked = false;
  }

  /**
   * Whether the broker lock is held and was renewed within {@code maxAgeMillis}: an owner that
   * could not renew stops before the broker's expiry hands the queue to someone else.
   */
  boolean holdsLock(long nowMillis, long maxAgeMillis) {
    return locked && nowMillis - lockedAtMillis <= maxAgeMillis;
  }

  synchronized long nextOffset() {
    return nextOffset;
  }

  /** Adds pulled messages and moves the pull position, atomically for {@link #commitOffset}. */
  synchronized void add(List<MessageView> messages, long next) {
    for (MessageView m : messages) {
      if (cached.put(m.queueOffset(), m) == null) {
        cachedBytes += m.body().length;
      }
    }
    nextOffset = next;
  }

  synchronized void remove(List<MessageView> messages) {
    for (MessageView m : messages) {
      if (cached.remove(m.queueOffset()) != null) {
        cachedBytes -= m.body().length;
      }
    }
  }

  /** Replaces cached messages with their re-delivered copies (orderly retry). */
  synchronized List<MessageView> redeliver(List<MessageView> messages) {
    List<MessageView> out = new ArrayList<>(messages.size());
    for (MessageView m : messages) {
      MessageView again = m.redelivered();
      if (cached.replace(m.queueOffset(), again) != null) {
        out.add(again);
      }
    }
    return out;
  }

  /** The lowest unconsumed offset. */
  synchronized long commitOffset() {
    return cached.isEmpty() ? nextOffset : cached.firstKey();
  }

  /** The first {@code max} cached messages in offset order (orderly consumption). */
  synchronized List<MessageView> head(int max) {
    List<MessageView> out = new ArrayList<>(Math.min(max, cached.size()));
    for (MessageView m : cached.values()) {
      if (out.size() == max) {
        break;
      }
      out.add(m);
    }
    return out;
  }

  synchronized int cachedCount() {
    return cached.size();
  }

  synchronized long cachedBytes() {
    return cachedBytes;
  }

  synchronized long offsetSpan() {
    return cached.isEmpty() ? 0 : cached.lastKey() - cached.firstKey();
  }
}
