package io.wharfmq.broker.service;

import io.wharfmq.broker.retention.QueueRetentionPins;
import io.wharfmq.broker.subscription.SubscriptionGroupManager;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import io.wharfmq.service.Subscription;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Consumer groups as the service sees them. Durable groups live in the {@link
 * SubscriptionGroupManager} (subscriptionGroup.json, shared with RocketMQ's admin tools), with
 * Wharf's settings and the subscriptions made through the service in the group's attributes ({@link
 * #PINS_RETENTION}, {@link #START_AT_TAIL}, {@link #SUBSCRIPTION_PREFIX}{@code <topic>}).
 * Non-durable groups (non-durable subscriptions, temporary queues) live in memory only and are gone
 * after a restart. Thread-safe: durable changes are serialized by the manager, transient ones by
 * the map.
 */
final class GroupRegistry {
  /**
   * Group attribute: the group has queue semantics, retention keeps what it has not finished
   * (defined where retention reads it).
   */
  static final String PINS_RETENTION = QueueRetentionPins.ATTRIBUTE;

  /** Group attribute: the group's new subscriptions start at the end of each queue. */
  static final String START_AT_TAIL = "wharf.startAtTail";

  /** Group attribute prefix: a subscription made through the service, "TYPE:expression". */
  static final String SUBSCRIPTION_PREFIX = QueueRetentionPins.SUBSCRIPTION_ATTRIBUTE_PREFIX;

  private record Transient(GroupSettings settings, Map<String, Subscription> subscriptions) {}

  private final SubscriptionGroupManager durable;
  private final Map<String, Transient> transients = new ConcurrentHashMap<>();

  GroupRegistry(SubscriptionGroupManager durable) {
    this.durable = durable;
  }

  /** Deliveries after which a message of the group goes to its DLQ, less one (retryMaxTimes). */
  int maxReconsumeTimes(String group) {
    Transient t = transients.get(group);
    return t != null ? retryMaxTimes(t.settings(), -1) : durable.maxReconsumeTimes(group);
  }

  boolean isTransient(String group) {
    return transients.containsKey(group);
  }

  /** The names of the non-durable groups (they live in memory only). */
  List<String> transientNames() {
    return List.copyOf(transients.keySet());
  }

  /** Whether the group exists, durable or not (no auto-creation). */
  boolean exists(String group) {
    return transients.containsKey(group) || durable.get(group) != null;
  }

  /**
   * Whether the group may consume now: a transient group always, a durable one when it exists (or
   * is auto-created, if the broker allows) and has consumption enabled.
   */
  Result<Void> mayConsume(String group) throws IOException {
    if (transients.containsKey(group)) {
      return Result.ok(null);
    }
    SubscriptionGroupConfig c = durable.findOrCreate(group);
    if (c == null) {
      return Result.fail(Status.NOT_FOUND, "subscription group [" + group + "] does not exist");
    }
    return c.consumeEnable()
        ? Result.ok(null)
        : Result.fail(Status.FORBIDDEN, "subscription group no permission, " + group);
  }

  /** Creates or updates a group. */
  Result<Void> ensure(GroupSettings s) throws IOException {
    if (s.name() == null || s.name().isEmpty()) {
      return Result.fail(Status.ILLEGAL, "group name is empty");
    }
    if (!s.durable()) {
      if (durable.get(s.name()) != null) {
        return Result.fail(Status.ILLEGAL, "a durable group named " + s.name() + " exists");
      }
      transients.compute(
          s.name(),
          (k, old) ->
              new Transient(s, old == null ? new ConcurrentHashMap<>() : old.subscriptions()));
      return Result.ok(null);
    }
    if (transients.containsKey(s.name())) {
      return Result.fail(Status.ILLEGAL, "a non-durable group named " + s.name() + " exists");
    }
    synchronized (durable) {
      SubscriptionGroupConfig old = durable.get(s.name());
      Map<String, String> attributes = new HashMap<>(old == null ? Map.of() : old.attributes());
      flag(attributes, PINS_RETENTION, s.pinsRetention());
      flag(attributes, START_AT_TAIL, s.startAtTail());
      int defaultRetry = old == null ? durable.maxReconsumeTimes(s.name()) : old.retryMaxTimes();
      String problem =
          durable.put(withSettings(old, s.name(), retryMaxTimes(s, defaultRetry), attributes));
      return problem == null ? Result.ok(null) : Result.fail(Status.ILLEGAL, problem);
    }
  }

  /** The group's settings, or null when it does not exist. */
  GroupSettings settings(String group) {
    Transient t = transients.get(group);
    if (t != null) {
      return t.settings();
    }
    SubscriptionGroupConfig c = durable.get(group);
    if (c == null) {
      return null;
    }
    return new GroupSettings(
        group,
        c.retryMaxTimes() + 1,
        "true".equals(c.attributes().get(START_AT_TAIL)),
        "true".equals(c.attributes().get(PINS_RETENTION)),
        true);
  }

  /** Deletes the group; true if it existed. */
  boolean delete(String group) throws IOException {
    if (transients.remove(group) != null) {
      return true;
    }
    return durable.delete(group);
  }

  /** The group's subscription to the topic made through the service, or null. */
  Subscription subscription(String group, String topic) {
    Transient t = transients.get(group);
    if (t != null) {
      return t.subscriptions().get(topic);
    }
    SubscriptionGroupConfig c = durable.get(group);
    String v = c == null ? null : c.attributes().get(SUBSCRIPTION_PREFIX + topic);
    if (v == null) {
      return null;
    }
    int colon = v.indexOf(':');
    return new Subscription(
        group, topic, FilterType.valueOf(v.substring(0, colon)), v.substring(colon + 1), false);
  }

  /** Stores the subscription; the value tells whether it is new (the group had none to it). */
  Result<Boolean> subscribe(Subscription s) throws IOException {
    Transient t = transients.get(s.group());
    if (t != null) {
      return Result.ok(t.subscriptions().put(s.topic(), s) == null);
    }
    synchronized (durable) {
      SubscriptionGroupConfig c = durable.get(s.group());
      if (c == null) {
        return Result.fail(Status.NOT_FOUND, "group " + s.group() + " does not exist");
      }
      Map<String, String> attributes = new HashMap<>(c.attributes());
      String value = s.type().name() + ":" + s.expression();
      String old = attributes.put(SUBSCRIPTION_PREFIX + s.topic(), value);
      if (value.equals(old)) {
        return Result.ok(false); // unchanged: nothing to write (every attach of a link asks)
      }
      String problem = durable.put(withSettings(c, c.groupName(), c.retryMaxTimes(), attributes));
      return problem == null ? Result.ok(old == null) : Result.fail(Status.ILLEGAL, problem);
    }
  }

  /** Removes the subscription; true if there was one. */
  boolean unsubscribe(String group, String topic) throws IOException {
    Transient t = transients.get(group);
    if (t != null) {
      return t.subscriptions().remove(topic) != null;
    }
    synchronized (durable) {
      SubscriptionGroupConfig c = durable.get(group);
      if (c == null || !c.attributes().containsKey(SUBSCRIPTION_PREFIX + topic)) {
        return false;
      }
      Map<String, String> attributes = new HashMap<>(c.attributes());
      attributes.remove(SUBSCRIPTION_PREFIX + topic);
      durable.put(withSettings(c, group, c.retryMaxTimes(), attributes));
      return true;
    }
  }

  /** Topics the group subscribed to through the service. */
  List<String> subscribedTopics(String group) {
    Transient t = transients.get(group);
    if (t != null) {
      return new ArrayList<>(t.subscriptions().keySet());
    }
    List<String> out = new ArrayList<>();
    SubscriptionGroupConfig c = durable.get(group);
    if (c != null) {
      for (String k : c.attributes().keySet()) {
        if (k.startsWith(SUBSCRIPTION_PREFIX)) {
          out.add(k.substring(SUBSCRIPTION_PREFIX.length()));
        }
      }
    }
    return out;
  }

  /** maxDeliveries counts every delivery, retryMaxTimes only the redeliveries. */
  private static int retryMaxTimes(GroupSettings s, int defaultRetryMaxTimes) {
    return s.maxDeliveries() > 0 ? s.maxDeliveries() - 1 : defaultRetryMaxTimes;
  }

  private static void flag(Map<String, String> attributes, String key, boolean on) {
    if (on) {
      attributes.put(key, "true");
    } else {
      attributes.remove(key);
    }
  }

  private static SubscriptionGroupConfig withSettings(
      SubscriptionGroupConfig old, String name, int retryMaxTimes, Map<String, String> attrs) {
    SubscriptionGroupConfig base =
        old != null ? old : SubscriptionGroupConfig.defaults(name, retryMaxTimes);
    return base.withRetryMaxTimesAndAttributes(retryMaxTimes, attrs);
  }
}
