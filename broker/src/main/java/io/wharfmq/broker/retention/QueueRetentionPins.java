package io.wharfmq.broker.retention;

import io.wharfmq.broker.subscription.SubscriptionGroupManager;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.retention.ConsumerProgress;
import io.wharfmq.store.retention.RetentionPins;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The retention pins of consumer groups with queue semantics (docs/storage.md, "Retention and
 * queues"): a group whose subscription-group attribute {@value #ATTRIBUTE} is {@code true} pins, on
 * every queue it has an offset in, the oldest message it has not finished: its committed offset or,
 * for POP, its oldest delivered and unacknowledged message, whichever is lower. Queues the group
 * has no offset in yet, of a topic it has offsets in or subscribed to through the service layer
 * ({@value #SUBSCRIPTION_ATTRIBUTE_PREFIX}{@code <topic>} attributes), are pinned from their first
 * message (the group would start there). Non-durable groups (in the service layer's memory only)
 * pin through {@link #countTransientGroups}. The store is told the lowest pin as a commit-log
 * offset; plain groups pin nothing.
 *
 * <p>Computed afresh on each call (the retention thread, once a round); thread-safe as long as the
 * sources are, which the broker's are.
 */
public final class QueueRetentionPins implements RetentionPins {
  /**
   * The subscription-group attribute that marks a group with queue semantics. Set by the service
   * layer for AMQP and JMS queues and durable subscriptions; RocketMQ's admin tools may set it too
   * ({@code updateSubGroup --attributes +wharf.pinsRetention=true}: the "+" is accepted).
   */
  public static final String ATTRIBUTE = "wharf.pinsRetention";

  /**
   * Attribute prefix of a subscription made through the service layer (its GroupRegistry): {@code
   * wharf.sub.<topic>}.
   */
  public static final String SUBSCRIPTION_ATTRIBUTE_PREFIX = "wharf.sub.";

  /** The oldest unfinished POP offset of a group's queue, or -1 when the group has no POP state. */
  @FunctionalInterface
  public interface UnfinishedPops {
    UnfinishedPops NONE = (group, topic, queueId) -> -1;

    long oldestUnfinished(String group, String topic, int queueId);
  }

  private final SubscriptionGroupManager groups;
  private final Supplier<List<ConsumerProgress.Committed>> offsets;
  private final MessageStore store;
  private volatile UnfinishedPops pops = UnfinishedPops.NONE;
  private volatile Predicate<String> transientPins = group -> false;

  /**
   * @param groups the durable groups and their attributes
   * @param offsets every committed offset now
   * @param store where queue offsets become commit-log offsets
   */
  public QueueRetentionPins(
      SubscriptionGroupManager groups,
      Supplier<List<ConsumerProgress.Committed>> offsets,
      MessageStore store) {
    this.groups = groups;
    this.offsets = offsets;
    this.store = store;
  }

  /** Counts POP deliveries not acknowledged yet (the POP service starts after the store). */
  public void countPops(UnfinishedPops source) {
    pops = source;
  }

  /**
   * Tells which non-durable groups (not in subscriptionGroup.json) have queue semantics; they pin
   * on the queues they have offsets in.
   */
  public void countTransientGroups(Predicate<String> pinsRetention) {
    transientPins = pinsRetention;
  }

  /** Whether a group's config marks it as pinning retention. */
  public static boolean pinsRetention(SubscriptionGroupConfig config) {
    if (config == null) {
      return false;
    }
    Map<String, String> a = config.attributes();
    String v = a.get(ATTRIBUTE);
    if (v == null) {
      v = a.get("+" + ATTRIBUTE);
    }
    return v != null && v.trim().equalsIgnoreCase("true");
  }

  @Override
  public Pin lowest() {
    Map<String, Boolean> pinning = new HashMap<>();
    Map<List<String>, Set<Integer>> queuesWithOffsets = new HashMap<>();
    Pin lowest = null;
    Predicate<String> transients = transientPins;
    for (ConsumerProgress.Committed c : offsets.get()) {
      if (!pinning.computeIfAbsent(
          c.group(), g -> pinsRetention(groups.get(g)) || transients.test(g))) {
        continue;
      }
      queuesWithOffsets
          .computeIfAbsent(List.of(c.group(), c.topic()), k -> new HashSet<>())
          .add(c.queueId());
      lowest = RetentionPins.lower(lowest, pinAt(c.group(), c.topic(), c.queueId(), c.offset()));
    }
    // Topics pinning groups subscribed to, whether or not they have offsets there yet.
    for (SubscriptionGroupConfig c : groups.snapshot().subscriptionGroupTable().values()) {
      if (!pinsRetention(c)) {
        continue;
      }
      for (String key : c.attributes().keySet()) {
        if (key.startsWith(SUBSCRIPTION_ATTRIBUTE_PREFIX)) {
          String topic = key.substring(SUBSCRIPTION_ATTRIBUTE_PREFIX.length());
          queuesWithOffsets.computeIfAbsent(List.of(c.groupName(), topic), k -> new HashSet<>());
        }
      }
    }
    for (Map.Entry<List<String>, Set<Integer>> e : queuesWithOffsets.entrySet()) {
      String group = e.getKey().get(0);
      String topic = e.getKey().get(1);
      for (int queueId : store.queueIds(topic)) {
        if (!e.getValue().contains(queueId)) {
          lowest =
              RetentionPins.lower(
                  lowest, pinAt(group, topic, queueId, store.minOffset(topic, queueId)));
        }
      }
    }
    return lowest;
  }

  /** The pin of one group on one queue whose committed offset is {@code committed}, or null. */
  private Pin pinAt(String group, String topic, int queueId, long committed) {
    long unfinished = committed;
    long popped = pops.oldestUnfinished(group, topic, queueId);
    if (popped >= 0) {
      unfinished = Math.min(unfinished, popped);
    }
    return RetentionPins.atQueueOffset(store, group, topic, queueId, unfinished);
  }
}
