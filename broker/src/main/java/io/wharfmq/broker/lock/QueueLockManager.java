package io.wharfmq.broker.lock;

import io.wharfmq.remoting.protocol.body.MessageQueue;
import java.time.InstantSource;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Queue locks for orderly consumers (LOCK_BATCH_MQ / UNLOCK_BATCH_MQ): within a consumer group a
 * queue is locked to one client at a time; a lock not renewed within the expiry (RocketMQ: 60 s) is
 * free for another client. The owner relocking renews it. Thread-safe; changes to one group are
 * serialized on it.
 */
public final class QueueLockManager {
  private record Lock(String clientId, long lastRenewed) {}

  private final InstantSource clock;
  private final long expiryMillis;
  private final Map<String, Map<MessageQueue, Lock>> groups = new ConcurrentHashMap<>();

  public QueueLockManager(InstantSource clock, long expiryMillis) {
    this.clock = clock;
    this.expiryMillis = expiryMillis;
  }

  /** Locks (or renews) what it can for {@code clientId}; returns the queues it now holds. */
  public Set<MessageQueue> lock(String group, String clientId, Set<MessageQueue> queues) {
    Map<MessageQueue, Lock> locks = groups.computeIfAbsent(group, g -> new ConcurrentHashMap<>());
    long now = clock.millis();
    Set<MessageQueue> held = new LinkedHashSet<>();
    synchronized (locks) {
      for (MessageQueue q : queues) {
        Lock current = locks.get(q);
        boolean free = current == null || now - current.lastRenewed() > expiryMillis;
        if (free || current.clientId().equals(clientId)) {
          locks.put(q, new Lock(clientId, now));
          held.add(q);
        }
      }
    }
    return held;
  }

  /** Releases the queues {@code clientId} holds among {@code queues}. */
  public void unlock(String group, String clientId, Set<MessageQueue> queues) {
    Map<MessageQueue, Lock> locks = groups.get(group);
    if (locks == null) {
      return;
    }
    synchronized (locks) {
      for (MessageQueue q : queues) {
        Lock current = locks.get(q);
        if (current != null && current.clientId().equals(clientId)) {
          locks.remove(q);
        }
      }
    }
  }

  /**
   * True if some queue of the group is locked and the lock has not lapsed: the group consumes
   * orderly (RocketMQ sends such a group's retry messages straight to its DLQ).
   */
  public boolean hasLiveLock(String group) {
    Map<MessageQueue, Lock> locks = groups.get(group);
    if (locks == null) {
      return false;
    }
    long now = clock.millis();
    synchronized (locks) {
      for (Lock l : locks.values()) {
        if (now - l.lastRenewed() <= expiryMillis) {
          return true;
        }
      }
    }
    return false;
  }
}
