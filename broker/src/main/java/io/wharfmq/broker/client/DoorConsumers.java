package io.wharfmq.broker.client;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Consumers that reach the broker through another door than the RocketMQ protocol (AMQP receiver
 * links), per consumer group, as the door reports them ({@code MessagingService#consumerAttached}).
 * Admin answers (GET_CONSUMER_CONNECTION_LIST) list them beside the group's RocketMQ clients;
 * RocketMQ rebalancing (GET_CONSUMER_LIST_BY_GROUP, NOTIFY_CONSUMER_IDS_CHANGED) never sees them,
 * since their door takes messages by POP and has no queues to be assigned. Held in memory only: a
 * restart ends every link. Thread-safe.
 */
public final class DoorConsumers {

  /**
   * One consumer of another door.
   *
   * @param clientId what admin tools show as its client id ({@code amqp:CONTAINER/LINK})
   * @param address the peer's address
   * @param since when it attached (epoch ms), which orders a group's listing
   */
  public record DoorConsumer(String clientId, String address, long since) {}

  /** Each group's consumers, by the token their registration returned. */
  private final Map<String, Map<Object, DoorConsumer>> byGroup = new ConcurrentHashMap<>();

  /** Records a consumer of {@code group}; running the answer once removes it again. */
  public Runnable attach(String group, DoorConsumer consumer) {
    Object token = new Object();
    byGroup.compute(
        group,
        (g, m) -> {
          Map<Object, DoorConsumer> members = m == null ? new ConcurrentHashMap<>() : m;
          members.put(token, consumer);
          return members;
        });
    return () ->
        byGroup.computeIfPresent(
            group,
            (g, m) -> {
              m.remove(token);
              return m.isEmpty() ? null : m;
            });
  }

  /** The group's consumers now, oldest first. */
  public List<DoorConsumer> of(String group) {
    Map<Object, DoorConsumer> members = byGroup.get(group);
    if (members == null) {
      return List.of();
    }
    List<DoorConsumer> out = new ArrayList<>(members.values());
    out.sort(Comparator.comparingLong(DoorConsumer::since).thenComparing(DoorConsumer::clientId));
    return out;
  }

  /** How many consumers of other doors the group has. */
  public int count(String group) {
    Map<Object, DoorConsumer> members = byGroup.get(group);
    return members == null ? 0 : members.size();
  }
}
