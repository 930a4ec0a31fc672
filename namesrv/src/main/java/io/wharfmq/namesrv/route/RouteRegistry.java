package io.wharfmq.namesrv.route;

import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.protocol.body.BrokerData;
import io.wharfmq.remoting.protocol.body.ClusterInfo;
import io.wharfmq.remoting.protocol.body.QueueData;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.remoting.protocol.body.TopicRouteData;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which brokers are alive and which topics they serve: the name server's whole state, in memory
 * only (brokers re-register every 30 s, so a restarted name server fills up again by itself).
 *
 * <p>Brokers are grouped by broker name; within a group each broker id (0 = master) has an address,
 * the time it last registered and the connection it registered on. A group's topics come from its
 * master's registrations and are replaced by each one, so a topic deleted on the broker disappears
 * at the next registration. A group with no address left is removed with its topics.
 *
 * <p>Thread-safe: every method holds the registry's lock, which is fine for the name server's
 * traffic (registrations every 30 s per broker, route lookups every 30 s per client and topic).
 */
public final class RouteRegistry {
  private static final Logger log = LoggerFactory.getLogger(RouteRegistry.class);

  /** One broker process: an address serving one broker id of a group. */
  private record BrokerInstance(
      String address, Instant lastRegistration, RemotingChannel channel) {}

  /** All brokers sharing a broker name (a master and its slaves), and the master's topics. */
  private static final class BrokerGroup {
    String cluster;
    final TreeMap<Long, BrokerInstance> instances = new TreeMap<>();
    Map<String, TopicConfig> topics = Map.of();
  }

  private final InstantSource clock;
  private final Duration brokerExpiry;
  private final TreeMap<String, BrokerGroup> groups = new TreeMap<>();

  /**
   * @param brokerExpiryMillis a broker silent for longer than this is removed by {@link #expire}
   */
  public RouteRegistry(InstantSource clock, long brokerExpiryMillis) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.brokerExpiry = Duration.ofMillis(brokerExpiryMillis);
  }

  /**
   * Records a registration (first or periodic). {@code topicConfigs} replaces the group's topics
   * when {@code brokerId} is 0 (the master) and is ignored otherwise, as RocketMQ does.
   *
   * @param channel the connection it came on, removed with it by {@link #channelClosed}; may be
   *     null (never closed)
   */
  public synchronized void register(
      String clusterName,
      String brokerName,
      String brokerAddr,
      long brokerId,
      Map<String, TopicConfig> topicConfigs,
      RemotingChannel channel) {
    BrokerGroup group = groups.computeIfAbsent(brokerName, n -> new BrokerGroup());
    if (group.cluster != null && !group.cluster.equals(clusterName)) {
      log.info("broker {} moved from cluster {} to {}", brokerName, group.cluster, clusterName);
    }
    group.cluster = clusterName;
    // An address that switched id (slave promoted, say) must not stay under its old id too.
    group.instances.values().removeIf(i -> i.address().equals(brokerAddr));
    BrokerInstance previous =
        group.instances.put(brokerId, new BrokerInstance(brokerAddr, clock.instant(), channel));
    if (previous == null) {
      log.info(
          "broker {} id {} at {} in cluster {} registered ({} topics)",
          brokerName,
          brokerId,
          brokerAddr,
          clusterName,
          topicConfigs.size());
    } else if (!previous.address().equals(brokerAddr)) {
      log.info(
          "broker {} id {} moved from {} to {}",
          brokerName,
          brokerId,
          previous.address(),
          brokerAddr);
    }
    if (brokerId == 0) {
      group.topics = Map.copyOf(topicConfigs);
    }
  }

  /** Removes one broker on its own request; unknown brokers are ignored. */
  public synchronized void unregister(
      String clusterName, String brokerName, String brokerAddr, long brokerId) {
    BrokerGroup group = groups.get(brokerName);
    if (group == null) {
      return;
    }
    BrokerInstance instance = group.instances.get(brokerId);
    if (instance != null && instance.address().equals(brokerAddr)) {
      group.instances.remove(brokerId);
      log.info(
          "broker {} id {} at {} in cluster {} unregistered",
          brokerName,
          brokerId,
          brokerAddr,
          clusterName);
      removeIfEmpty(brokerName, group);
    }
  }

  /**
   * Removes every broker whose last registration is more than the expiry before {@code now} and
   * closes its connection unless another live broker shares it. Returns how many were removed.
   */
  public synchronized int expire(Instant now) {
    int removed = 0;
    Set<RemotingChannel> expiredChannels = new HashSet<>();
    Set<RemotingChannel> liveChannels = new HashSet<>();
    for (Iterator<Map.Entry<String, BrokerGroup>> g = groups.entrySet().iterator(); g.hasNext(); ) {
      Map.Entry<String, BrokerGroup> e = g.next();
      BrokerGroup group = e.getValue();
      for (Iterator<Map.Entry<Long, BrokerInstance>> i = group.instances.entrySet().iterator();
          i.hasNext(); ) {
        Map.Entry<Long, BrokerInstance> ie = i.next();
        BrokerInstance instance = ie.getValue();
        Duration silent = Duration.between(instance.lastRegistration(), now);
        if (silent.compareTo(brokerExpiry) > 0) {
          i.remove();
          removed++;
          log.warn(
              "broker {} id {} at {} in cluster {} expired: no registration for {} ms (limit {}"
                  + " ms)",
              e.getKey(),
              ie.getKey(),
              instance.address(),
              group.cluster,
              silent.toMillis(),
              brokerExpiry.toMillis());
          if (instance.channel() != null) {
            expiredChannels.add(instance.channel());
          }
        } else if (instance.channel() != null) {
          liveChannels.add(instance.channel());
        }
      }
      if (group.instances.isEmpty()) {
        g.remove();
        log.info("broker {} removed with its {} topics", e.getKey(), group.topics.size());
      }
    }
    expiredChannels.removeAll(liveChannels);
    expiredChannels.forEach(RemotingChannel::close);
    return removed;
  }

  /** Removes at once every broker that registered on {@code channel}; returns how many. */
  public synchronized int channelClosed(RemotingChannel channel) {
    int removed = 0;
    for (Iterator<Map.Entry<String, BrokerGroup>> g = groups.entrySet().iterator(); g.hasNext(); ) {
      Map.Entry<String, BrokerGroup> e = g.next();
      BrokerGroup group = e.getValue();
      for (Iterator<Map.Entry<Long, BrokerInstance>> i = group.instances.entrySet().iterator();
          i.hasNext(); ) {
        Map.Entry<Long, BrokerInstance> ie = i.next();
        if (ie.getValue().channel() == channel) {
          i.remove();
          removed++;
          log.info(
              "broker {} id {} at {} in cluster {} removed: its connection {} closed",
              e.getKey(),
              ie.getKey(),
              ie.getValue().address(),
              group.cluster,
              channel);
        }
      }
      if (group.instances.isEmpty()) {
        g.remove();
        log.info("broker {} removed with its {} topics", e.getKey(), group.topics.size());
      }
    }
    return removed;
  }

  /**
   * The route of {@code topic}: queue data from every live group whose master registered it, and
   * those groups' addresses. Null when no live broker serves it.
   */
  public synchronized TopicRouteData routeFor(String topic) {
    List<QueueData> queueDatas = new ArrayList<>();
    List<BrokerData> brokerDatas = new ArrayList<>();
    for (Map.Entry<String, BrokerGroup> e : groups.entrySet()) {
      TopicConfig tc = e.getValue().topics.get(topic);
      if (tc != null) {
        queueDatas.add(
            new QueueData(
                e.getKey(), tc.readQueueNums(), tc.writeQueueNums(), tc.perm(), tc.topicSysFlag()));
        brokerDatas.add(brokerData(e.getKey(), e.getValue()));
      }
    }
    if (queueDatas.isEmpty() && topic.startsWith(RETRY_PREFIX)) {
      return provisionalRetryRoute();
    }
    if (queueDatas.isEmpty()) {
      return null;
    }
    return new TopicRouteData(queueDatas, brokerDatas, Map.of());
  }

  static final String RETRY_PREFIX = "%RETRY%";

  /**
   * A route for a retry topic no broker has yet: every live master, one queue, read and write. The
   * RocketMQ client looks its group's retry topic up once at start, before its first heartbeat
   * makes the brokers create it, and then only every 30 s; with RocketMQ that delays the first
   * redelivery by up to a minute. Every broker the group heartbeats to creates the topic with
   * exactly this shape, so the provisional route is the one it converges to.
   */
  private TopicRouteData provisionalRetryRoute() {
    List<QueueData> queueDatas = new ArrayList<>();
    List<BrokerData> brokerDatas = new ArrayList<>();
    for (Map.Entry<String, BrokerGroup> e : groups.entrySet()) {
      BrokerData data = brokerData(e.getKey(), e.getValue());
      if (data.masterAddress() != null) {
        queueDatas.add(
            new QueueData(e.getKey(), 1, 1, TopicConfig.PERM_READ | TopicConfig.PERM_WRITE, 0));
        brokerDatas.add(data);
      }
    }
    return queueDatas.isEmpty() ? null : new TopicRouteData(queueDatas, brokerDatas, Map.of());
  }

  /** Every live group by broker name, and every cluster's broker names. */
  public synchronized ClusterInfo clusterInfo() {
    Map<String, BrokerData> brokerAddrTable = new LinkedHashMap<>();
    Map<String, Set<String>> clusterAddrTable = new TreeMap<>();
    for (Map.Entry<String, BrokerGroup> e : groups.entrySet()) {
      brokerAddrTable.put(e.getKey(), brokerData(e.getKey(), e.getValue()));
      clusterAddrTable.computeIfAbsent(e.getValue().cluster, c -> new TreeSet<>()).add(e.getKey());
    }
    return new ClusterInfo(brokerAddrTable, clusterAddrTable);
  }

  /** Every topic some live broker group serves. */
  public synchronized Set<String> allTopics() {
    Set<String> topics = new TreeSet<>();
    for (BrokerGroup group : groups.values()) {
      topics.addAll(group.topics.keySet());
    }
    return topics;
  }

  /** Every topic served by a broker group of the cluster (empty for an unknown cluster). */
  public synchronized Set<String> topicsOfCluster(String cluster) {
    Set<String> topics = new TreeSet<>();
    for (BrokerGroup group : groups.values()) {
      if (cluster.equals(group.cluster)) {
        topics.addAll(group.topics.keySet());
      }
    }
    return topics;
  }

  /**
   * Forgets {@code topic} in the groups of {@code cluster}, or in every group when {@code cluster}
   * is null or empty (DELETE_TOPIC_IN_NAMESRV). A broker that still has the topic registers it
   * again with its next registration, as in RocketMQ: delete it on the brokers first. Returns how
   * many groups had it.
   */
  public synchronized int deleteTopic(String topic, String cluster) {
    int removed = 0;
    for (Map.Entry<String, BrokerGroup> e : groups.entrySet()) {
      BrokerGroup group = e.getValue();
      if ((cluster == null || cluster.isEmpty() || cluster.equals(group.cluster))
          && group.topics.containsKey(topic)) {
        Map<String, TopicConfig> rest = new LinkedHashMap<>(group.topics);
        rest.remove(topic);
        group.topics = Map.copyOf(rest);
        removed++;
      }
    }
    log.info(
        "topic {} deleted from {} broker groups{}",
        topic,
        removed,
        cluster == null || cluster.isEmpty() ? "" : " of cluster " + cluster);
    return removed;
  }

  /**
   * RocketMQ's system topics as the name server sees them (GET_SYSTEM_TOPIC_LIST_FROM_NS): every
   * cluster name and every broker name, and the address of one master (null when none).
   */
  public synchronized Map.Entry<Set<String>, String> systemTopics() {
    Set<String> topics = new TreeSet<>();
    String someAddress = null;
    for (Map.Entry<String, BrokerGroup> e : groups.entrySet()) {
      topics.add(e.getKey());
      topics.add(e.getValue().cluster);
      BrokerInstance master = e.getValue().instances.get(0L);
      if (someAddress == null && master != null) {
        someAddress = master.address();
      }
    }
    return new java.util.AbstractMap.SimpleImmutableEntry<>(topics, someAddress);
  }

  /** The master's address of {@code brokerName}, or null (none registered). */
  public synchronized String masterAddress(String brokerName) {
    BrokerGroup group = groups.get(brokerName);
    BrokerInstance master = group == null ? null : group.instances.get(0L);
    return master == null ? null : master.address();
  }

  private static BrokerData brokerData(String brokerName, BrokerGroup group) {
    Map<String, String> addrs = new LinkedHashMap<>();
    group.instances.forEach((id, instance) -> addrs.put(Long.toString(id), instance.address()));
    return new BrokerData(group.cluster, brokerName, addrs, false);
  }

  private void removeIfEmpty(String brokerName, BrokerGroup group) {
    if (group.instances.isEmpty()) {
      groups.remove(brokerName);
      log.info("broker {} removed with its {} topics", brokerName, group.topics.size());
    }
  }
}
