package io.wharfmq.amqp.link;

import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import io.wharfmq.service.Subscription;
import io.wharfmq.service.TopicInfo;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The listener-wide view of AMQP nodes: which topics and queue groups exist already (so a send does
 * not ask the service every time), the temporary destinations and their owning connection, and how
 * many links share each shared non-durable subscription. Thread-safe: every connection thread uses
 * it. Its maps hold only what exists now (destinations, live groups, live shared subscriptions), so
 * they do not grow with the churn of subscribers and temporary destinations.
 *
 * <p>The methods that take a {@link MessagingService} call its blocking methods: connection threads
 * run them only through {@link ConnectionLinks#administer}.
 */
final class Nodes {
  /** Deliveries before a queue message goes to the dead-letter destination. */
  static final int MAX_DELIVERIES = 17;

  /** A destination is ready for one kind: a topic made ready does not make a queue's group. */
  private record Ready(String topic, Destination.Kind kind) {}

  /** The links of one shared non-durable subscription; its monitor orders joins and the end. */
  private static final class Shared {
    int links;
    boolean ended;
  }

  private final Map<Ready, TopicInfo> ready = new ConcurrentHashMap<>();
  private final Map<String, String> temporaryOwners = new ConcurrentHashMap<>();
  private final Map<String, Shared> sharedVolatile = new ConcurrentHashMap<>();
  private final Map<String, Integer> generations = new ConcurrentHashMap<>();
  private final AtomicInteger lastGeneration = new AtomicInteger();

  private final Map<String, Integer> queueConsumers = new ConcurrentHashMap<>();

  /** A consumer link of the queue group opened. */
  void consumerJoined(String group) {
    queueConsumers.merge(group, 1, Integer::sum);
  }

  /**
   * A consumer link of the queue group ended.
   *
   * @return true when it was the last one on this listener
   */
  boolean consumerLeft(String group) {
    return queueConsumers.computeIfPresent(group, (g, n) -> n > 1 ? n - 1 : null) == null;
  }

  /** The open consumer links of the queue group on this listener. */
  int consumers(String group) {
    return queueConsumers.getOrDefault(group, 0);
  }

  /** Unroutable pre-settled messages dropped (RabbitMQ's messages_unroutable_dropped). */
  final AtomicLong unroutableDropped = new AtomicLong();

  /**
   * Marks a group as in use by links from now on (before {@link ConsumerLink#watch}): it gets a
   * generation, which its deletion removes, so a link can tell that its group is gone.
   */
  void track(String group) {
    generations.computeIfAbsent(group, g -> lastGeneration.incrementAndGet());
  }

  /**
   * The group's generation: 0 when no link tracks it (deleted, or never tracked). It changes when
   * the group is deleted, and again if it is made anew under the same name.
   */
  int epoch(String group) {
    return generations.getOrDefault(group, 0);
  }

  /** How many groups have a generation (tests: it must not grow with churn). */
  int trackedGroups() {
    return generations.size();
  }

  /** Deletes a group the links made, and ends its generation. */
  void deleteGroup(MessagingService service, String group) {
    generations.remove(group);
    service.deleteGroup(group);
  }

  /** The destination's topic when {@link #prepare} made it ready already, else null. */
  TopicInfo readyNow(Destination d) {
    return ready.get(new Ready(d.topic(), d.kind()));
  }

  /**
   * Makes sure the destination can take messages: its topic exists and, for a queue, the queue's
   * consumer group exists and is subscribed from now on, before the first message is stored (a
   * queue created by its first send must keep that message).
   */
  Result<TopicInfo> prepare(MessagingService service, Destination d) {
    Ready key = new Ready(d.topic(), d.kind());
    TopicInfo known = ready.get(key);
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
      if (durable) {
        // links held them in a process that is gone: nobody can settle them (docs/amqp.md)
        service.returnDeliveriesFromBeforeStart(group);
      }
    }
    ready.put(key, topic.value());
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
    forget(d.topic());
    if (d.kind().queueLike()) {
      deleteGroup(service, DestinationNames.queueGroup(d.topic()));
    }
    service.deleteTopic(d.topic());
  }

  /**
   * Counts a link on a shared non-durable subscription. The first link makes the subscription with
   * {@code create}; a link of another connection that joins meanwhile waits for it, and one that
   * joins while the last link's {@link #leaveShared} deletes it waits and then makes it anew.
   *
   * @return the result of {@code create} for the first link (failed: the link is not counted), ok
   *     for the others
   */
  Result<Void> joinShared(String group, Supplier<Result<Void>> create) {
    while (true) {
      Shared s = sharedVolatile.computeIfAbsent(group, g -> new Shared());
      synchronized (s) {
        if (s.ended) {
          continue; // its last link deleted it; a new one is (or will be) in the map
        }
        if (s.links > 0) {
          s.links++;
          return Result.ok(null);
        }
        Result<Void> made = create.get();
        if (made.isOk()) {
          s.links = 1;
        } else {
          s.ended = true;
          sharedVolatile.remove(group, s);
        }
        return made;
      }
    }
  }

  /**
   * Uncounts a link; the last one deletes the subscription's group before another link can join.
   *
   * @return true when it was the last (the subscription ended)
   */
  boolean leaveShared(MessagingService service, String group) {
    Shared s = sharedVolatile.get(group);
    if (s == null) {
      return false;
    }
    synchronized (s) {
      if (s.ended || --s.links > 0) {
        return false;
      }
      s.ended = true;
      try {
        deleteGroup(service, group);
      } finally {
        sharedVolatile.remove(group, s);
      }
      return true;
    }
  }

  /** Forgets a topic after it was deleted elsewhere. */
  void forget(String topic) {
    ready.keySet().removeIf(r -> r.topic().equals(topic));
  }
}
