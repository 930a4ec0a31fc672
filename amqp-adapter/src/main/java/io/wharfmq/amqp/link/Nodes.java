package io.wharfmq.amqp.link;

import io.wharfmq.service.FilterType;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import io.wharfmq.service.Subscription;
import io.wharfmq.service.TopicInfo;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The listener-wide view of AMQP nodes: which topics and queue groups exist already (so a send does
 * not ask the service every time), the temporary destinations and their owning connection, and how
 * many links share each shared non-durable subscription. Thread-safe: every connection thread uses
 * it.
 */
final class Nodes {
  /** Deliveries before a queue message goes to the dead-letter destination. */
  static final int MAX_DELIVERIES = 17;

  private final Map<String, TopicInfo> ready = new ConcurrentHashMap<>();
  private final Map<String, String> temporaryOwners = new ConcurrentHashMap<>();
  private final Map<String, Integer> sharedVolatile = new ConcurrentHashMap<>();
  private final Map<String, Integer> groupEpochs = new ConcurrentHashMap<>();

  /** How many times the links deleted this group: a change tells a link its group is gone. */
  int epoch(String group) {
    return groupEpochs.getOrDefault(group, 0);
  }

  /** Deletes a group the links made, and moves its epoch on. */
  void deleteGroup(MessagingService service, String group) {
    groupEpochs.merge(group, 1, Integer::sum);
    service.deleteGroup(group);
  }

  /**
   * Makes sure the destination can take messages: its topic exists and, for a queue, the queue's
   * consumer group exists and is subscribed from now on, before the first message is stored (a
   * queue created by its first send must keep that message).
   */
  Result<TopicInfo> prepare(MessagingService service, Destination d) {
    TopicInfo known = ready.get(d.topic());
    if (known != null) {
      return Result.ok(known);
    }
    if (d.kind().temporary() && !temporaryOwners.containsKey(d.topic())) {
      return Result.fail(Status.NOT_FOUND, "no temporary destination " + d.name());
    }
    Result<TopicInfo> topic = service.ensureTopic(d.topic());
    if (!topic.isOk()) {
      return topic;
    }
    if (d.kind().queueLike()) {
      String group = DestinationNames.queueGroup(d.topic());
      boolean durable = d.kind() == Destination.Kind.QUEUE;
      Result<Void> g =
          service.ensureGroup(new GroupSettings(group, MAX_DELIVERIES, true, durable, durable));
      if (!g.isOk()) {
        return Result.fail(g.status(), g.detail());
      }
      Result<Void> s =
          service.subscribe(new Subscription(group, d.topic(), FilterType.TAG, "*", true));
      if (!s.isOk()) {
        return Result.fail(s.status(), s.detail());
      }
    }
    ready.put(d.topic(), topic.value());
    return topic;
  }

  void registerTemporary(String topic, String connectionId) {
    temporaryOwners.put(topic, connectionId);
  }

  /** The connection that created the temporary destination, or null when there is none. */
  String temporaryOwner(String topic) {
    return temporaryOwners.get(topic);
  }

  /** Deletes a temporary destination: its topic and, for a queue, its group. */
  void deleteTemporary(MessagingService service, Destination d) {
    if (temporaryOwners.remove(d.topic()) == null) {
      return;
    }
    ready.remove(d.topic());
    if (d.kind().queueLike()) {
      deleteGroup(service, DestinationNames.queueGroup(d.topic()));
    }
    service.deleteTopic(d.topic());
  }

  /** Counts a link on a shared non-durable subscription; true for the first. */
  boolean joinShared(String group) {
    return sharedVolatile.merge(group, 1, Integer::sum) == 1;
  }

  /** Uncounts a link; true when it was the last (the subscription ends). */
  boolean leaveShared(String group) {
    Integer left = sharedVolatile.computeIfPresent(group, (k, n) -> n <= 1 ? null : n - 1);
    return left == null;
  }

  /** Forgets a topic after it was deleted elsewhere. */
  void forget(String topic) {
    ready.remove(topic);
  }
}
