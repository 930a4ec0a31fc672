package io.wharfmq.broker.client;

import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.protocol.body.ConsumerData;
import io.wharfmq.remoting.protocol.body.SubscriptionData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is connected: consumer groups (members, their channels and subscriptions, learned from
 * heartbeats) and producer groups (channels, for broker-to-producer calls). Members not heard from
 * within the channel expiry are dropped. Thread-safe; changes to one group are serialized on it.
 */
public final class ClientRegistry {

  /**
   * One consumer client of a group.
   *
   * @param language and {@code version}: what its heartbeat frame said (for connection listings)
   */
  public record ConsumerClient(
      String clientId,
      RemotingChannel channel,
      long lastHeartbeat,
      ConsumerData data,
      String language,
      int version) {}

  /** One producer client of a group, with what its heartbeat frame said of it. */
  public record ProducerClient(
      String clientId, RemotingChannel channel, long lastHeartbeat, String language, int version) {}

  private final Map<String, Map<String, ConsumerClient>> consumers = new ConcurrentHashMap<>();
  private final Map<String, Map<String, ProducerClient>> producers = new ConcurrentHashMap<>();
  private final DoorConsumers doors = new DoorConsumers();

  /** Consumers of the other doors (AMQP links), listed by admin answers only. */
  public DoorConsumers doors() {
    return doors;
  }

  /** Records a consumer heartbeat; true if the group's membership changed. */
  public boolean registerConsumer(
      ConsumerData data,
      String clientId,
      RemotingChannel channel,
      long now,
      String language,
      int version) {
    Map<String, ConsumerClient> group =
        consumers.computeIfAbsent(data.groupName(), g -> new ConcurrentHashMap<>());
    synchronized (group) {
      ConsumerClient previous =
          group.put(clientId, new ConsumerClient(clientId, channel, now, data, language, version));
      return previous == null || previous.channel() != channel;
    }
  }

  public void registerProducer(
      String group,
      String clientId,
      RemotingChannel channel,
      long now,
      String language,
      int version) {
    producers
        .computeIfAbsent(group, g -> new ConcurrentHashMap<>())
        .put(clientId, new ProducerClient(clientId, channel, now, language, version));
  }

  /** The live producers of a group, by client id; null when the group has never had one. */
  public List<ProducerClient> producers(String group) {
    Map<String, ProducerClient> g = producers.get(group);
    if (g == null) {
      return null;
    }
    List<ProducerClient> out = new ArrayList<>();
    for (ProducerClient p : g.values()) {
      if (p.channel().isActive()) {
        out.add(p);
      }
    }
    out.sort(java.util.Comparator.comparing(ProducerClient::clientId));
    return out;
  }

  /** Removes a consumer; true if it was a member. */
  public boolean unregisterConsumer(String group, String clientId) {
    Map<String, ConsumerClient> g = consumers.get(group);
    if (g == null) {
      return false;
    }
    synchronized (g) {
      return g.remove(clientId) != null;
    }
  }

  public void unregisterProducer(String group, String clientId) {
    Map<String, ProducerClient> g = producers.get(group);
    if (g != null) {
      g.remove(clientId);
    }
  }

  /** Removes every registration made over a channel; returns consumer groups that changed. */
  public Set<String> channelClosed(RemotingChannel channel) {
    Set<String> changed = new TreeSet<>();
    consumers.forEach(
        (name, g) -> {
          synchronized (g) {
            if (g.values().removeIf(c -> c.channel() == channel)) {
              changed.add(name);
            }
          }
        });
    producers.values().forEach(g -> g.values().removeIf(p -> p.channel() == channel));
    return changed;
  }

  /** Drops members silent since before {@code now - timeoutMillis}; returns changed groups. */
  public Set<String> expire(long now, long timeoutMillis) {
    Set<String> changed = new TreeSet<>();
    long cutoff = now - timeoutMillis;
    consumers.forEach(
        (name, g) -> {
          synchronized (g) {
            if (g.values().removeIf(c -> c.lastHeartbeat() < cutoff)) {
              changed.add(name);
            }
          }
        });
    producers.values().forEach(g -> g.values().removeIf(p -> p.lastHeartbeat() < cutoff));
    return changed;
  }

  /** Client ids of a consumer group, sorted. */
  public List<String> consumerIds(String group) {
    Map<String, ConsumerClient> g = consumers.get(group);
    if (g == null) {
      return List.of();
    }
    List<String> ids = new ArrayList<>(g.keySet());
    Collections.sort(ids);
    return ids;
  }

  /** The members of a consumer group, by client id. */
  public List<ConsumerClient> consumers(String group) {
    Map<String, ConsumerClient> g = consumers.get(group);
    if (g == null) {
      return List.of();
    }
    List<ConsumerClient> out = new ArrayList<>(g.values());
    out.sort(java.util.Comparator.comparing(ConsumerClient::clientId));
    return out;
  }

  /** Online groups with a member subscribed to the topic. */
  public Set<String> groupsSubscribing(String topic) {
    Set<String> out = new TreeSet<>();
    consumers.forEach(
        (name, g) -> {
          for (ConsumerClient c : g.values()) {
            if (c.data().subscriptionDataSet() != null
                && c.data().subscriptionDataSet().stream().anyMatch(s -> topic.equals(s.topic()))) {
              out.add(name);
              return;
            }
          }
        });
    return out;
  }

  /** Channels of a consumer group's members. */
  public List<RemotingChannel> consumerChannels(String group) {
    Map<String, ConsumerClient> g = consumers.get(group);
    if (g == null) {
      return List.of();
    }
    List<RemotingChannel> out = new ArrayList<>();
    for (ConsumerClient c : g.values()) {
      out.add(c.channel());
    }
    return out;
  }

  /**
   * The group's subscription to a topic from the newest heartbeat that has one (highest
   * subVersion), or null.
   */
  public SubscriptionData subscription(String group, String topic) {
    Map<String, ConsumerClient> g = consumers.get(group);
    if (g == null) {
      return null;
    }
    SubscriptionData best = null;
    for (ConsumerClient c : g.values()) {
      if (c.data().subscriptionDataSet() == null) {
        continue;
      }
      for (SubscriptionData s : c.data().subscriptionDataSet()) {
        if (topic.equals(s.topic()) && (best == null || s.subVersion() > best.subVersion())) {
          best = s;
        }
      }
    }
    return best;
  }

  /** The group's consumer data as its newest member reports it, or null. */
  public ConsumerData consumerData(String group) {
    Map<String, ConsumerClient> g = consumers.get(group);
    if (g == null) {
      return null;
    }
    ConsumerClient newest = null;
    for (ConsumerClient c : g.values()) {
      if (newest == null || c.lastHeartbeat() > newest.lastHeartbeat()) {
        newest = c;
      }
    }
    return newest == null ? null : newest.data();
  }

  /** A live channel of a producer group, or null. */
  public RemotingChannel producerChannel(String group) {
    Map<String, ProducerClient> g = producers.get(group);
    if (g == null) {
      return null;
    }
    for (ProducerClient p : g.values()) {
      if (p.channel().isActive()) {
        return p.channel();
      }
    }
    return null;
  }
}
