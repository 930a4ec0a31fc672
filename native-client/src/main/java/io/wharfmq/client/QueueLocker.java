package io.wharfmq.client;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker queue locks of an orderly push consumer in clustering (LOCK_BATCH_MQ and
 * UNLOCK_BATCH_MQ): a queue is locked before it is taken at a rebalance, all held queues are
 * renewed every {@link #RENEW_INTERVAL_MILLIS}, and a queue is unlocked when given up. The broker
 * frees a lock not renewed for 60 s; this member stops consuming a queue whose lock it has not
 * renewed for {@link #MAX_LOCK_AGE_MILLIS}, well before that (RocketMQ's 20 s and 30 s). Calls
 * block for the request timeout; run on the consumer's scheduler thread. Thread-safe.
 */
final class QueueLocker {
  private static final Logger log = LoggerFactory.getLogger(QueueLocker.class);

  static final long RENEW_INTERVAL_MILLIS = 20_000;
  static final long MAX_LOCK_AGE_MILLIS = 30_000;

  private final ClientRuntime runtime;
  private final String group;
  private final ConsumeService consume;

  QueueLocker(ClientRuntime runtime, String group, ConsumeService consume) {
    this.runtime = runtime;
    this.group = group;
    this.consume = consume;
  }

  /** Locks one queue before it is taken; returns whether this member holds it now. */
  boolean lock(MessageQueue mq) {
    String address = runtime.routes.masterAddress(mq.brokerName());
    if (address == null) {
      return false;
    }
    try {
      return runtime.brokers.lockBatch(address, group, runtime.clientId(), Set.of(mq)).contains(mq);
    } catch (ClientException e) {
      log.warn("Cannot lock {} for {}: {}", mq, group, e.getMessage());
      return false;
    }
  }

  /** Renews the locks of every queue in {@code queues}, broker by broker. */
  void renew(Iterable<ProcessQueue> queues) {
    Map<String, Map<MessageQueue, ProcessQueue>> byBroker = new HashMap<>();
    for (ProcessQueue pq : queues) {
      if (!pq.isDropped()) {
        byBroker.computeIfAbsent(pq.queue.brokerName(), b -> new HashMap<>()).put(pq.queue, pq);
      }
    }
    byBroker.forEach(
        (brokerName, mine) -> {
          String address = runtime.routes.masterAddress(brokerName);
          if (address == null) {
            return;
          }
          Set<MessageQueue> held;
          try {
            held = runtime.brokers.lockBatch(address, group, runtime.clientId(), mine.keySet());
          } catch (ClientException e) {
            log.warn("Cannot renew locks on {} for {}: {}", brokerName, group, e.getMessage());
            return; // consumption stops by itself once the locks are too old
          }
          long now = runtime.clock.millis();
          mine.forEach(
              (mq, pq) -> {
                if (held.contains(mq)) {
                  pq.lockGranted(now);
                  consume.lockGranted(pq);
                } else {
                  log.warn("{} of {} lost the lock of {}", runtime.clientId(), group, mq);
                  pq.lockLost();
                }
              });
        });
  }

  /** Unlocks queues this member gave up; failures only delay the next owner (broker expiry). */
  void unlock(Set<MessageQueue> queues) {
    Map<String, Set<MessageQueue>> byBroker = new HashMap<>();
    for (MessageQueue mq : queues) {
      byBroker.computeIfAbsent(mq.brokerName(), b -> new TreeSet<>()).add(mq);
    }
    byBroker.forEach(
        (brokerName, mqs) -> {
          String address = runtime.routes.masterAddress(brokerName);
          if (address == null) {
            return;
          }
          try {
            runtime.brokers.unlockBatch(address, group, runtime.clientId(), mqs);
          } catch (ClientException e) {
            log.warn("Cannot unlock {} for {}: {}", mqs, group, e.getMessage());
          }
        });
  }
}
