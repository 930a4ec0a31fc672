package io.wharfmq.broker.exchange;

import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.ExchangeType;
import io.wharfmq.service.QueueSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One immutable version of the topology: vhosts, declared exchanges and queues, bindings. The
 * {@link TopologyRegistry} publishes a new one on every change; readers (routing on the send path,
 * queue-argument lookups) use the version they hold without locks. Each version compiles the routes
 * of an exchange once, on first use. Thread-safe.
 */
public final class Topology {
  /** The vhost that always exists. */
  public static final String DEFAULT_VHOST = "/";

  /** The name of the default exchange (routes to the queue the key names). */
  public static final String DEFAULT_EXCHANGE = "";

  /** The exchanges every vhost has, by name. */
  static final Map<String, ExchangeType> PREDECLARED =
      Map.of(
          DEFAULT_EXCHANGE,
          ExchangeType.DIRECT,
          "amq.direct",
          ExchangeType.DIRECT,
          "amq.fanout",
          ExchangeType.FANOUT,
          "amq.topic",
          ExchangeType.TOPIC,
          "amq.headers",
          ExchangeType.HEADERS,
          "amq.match",
          ExchangeType.HEADERS);

  /** A name in a vhost. */
  public record Key(String vhost, String name) {}

  final Set<String> vhosts;
  final Map<Key, ExchangeSpec> exchanges;
  final Map<Key, QueueSpec> queues;
  final Set<BindingSpec> bindings;
  private final Map<String, Key> queuesByTopic;
  private final Map<String, Key> exchangesByTopic;
  private final Map<Key, List<BindingSpec>> bindingsBySource;
  private final Map<Key, ExchangeRoutes> compiled = new ConcurrentHashMap<>();

  /** Most routes and queue topic names one version remembers (a bound on its memory). */
  static final int CACHE_MAX = 10_000;

  /** A publish's routing question: its answer is fixed for a version (no headers, no default). */
  record RouteKey(String vhost, String exchange, List<String> routingKeys) {}

  private final Map<RouteKey, ExchangeRouter.Route> routeCache = new ConcurrentHashMap<>();
  private final Map<Key, String> queueTopics = new ConcurrentHashMap<>();

  Topology(
      Set<String> vhosts,
      Map<Key, ExchangeSpec> exchanges,
      Map<Key, QueueSpec> queues,
      Set<BindingSpec> bindings) {
    this.vhosts = Collections.unmodifiableSet(new LinkedHashSet<>(vhosts));
    this.exchanges = Collections.unmodifiableMap(new LinkedHashMap<>(exchanges));
    this.queues = Collections.unmodifiableMap(new LinkedHashMap<>(queues));
    this.bindings = Collections.unmodifiableSet(new LinkedHashSet<>(bindings));
    Map<String, Key> qt = new ConcurrentHashMap<>();
    queues.keySet().forEach(k -> qt.put(DestinationNames.topic(k.vhost(), k.name()), k));
    this.queuesByTopic = qt;
    Map<String, Key> et = new ConcurrentHashMap<>();
    for (String v : this.vhosts) {
      for (String p : PREDECLARED.keySet()) {
        if (!p.isEmpty()) {
          et.put(DestinationNames.topic(v, p), new Key(v, p));
        }
      }
    }
    exchanges.keySet().forEach(k -> et.put(DestinationNames.topic(k.vhost(), k.name()), k));
    this.exchangesByTopic = et;
    Map<Key, List<BindingSpec>> bySource = new LinkedHashMap<>();
    for (BindingSpec b : bindings) {
      bySource.computeIfAbsent(new Key(b.vhost(), b.source()), k -> new ArrayList<>()).add(b);
    }
    this.bindingsBySource = bySource;
  }

  static Topology empty() {
    return new Topology(Set.of(DEFAULT_VHOST), Map.of(), Map.of(), Set.of());
  }

  public boolean hasVhost(String vhost) {
    return vhosts.contains(vhost);
  }

  /** The vhosts, {@code /} first. */
  public List<String> vhosts() {
    return new ArrayList<>(vhosts);
  }

  /** Whether every vhost has an exchange of this name (the default exchange and {@code amq.*}). */
  public static boolean isPredeclared(String exchange) {
    return PREDECLARED.containsKey(exchange);
  }

  /** The exchange, pre-declared ones included, or null (also for an unknown vhost). */
  public ExchangeSpec exchange(String vhost, String name) {
    if (!vhosts.contains(vhost)) {
      return null;
    }
    ExchangeType pre = PREDECLARED.get(name);
    if (pre != null) {
      return new ExchangeSpec(vhost, name, pre, true, false, false, Map.of());
    }
    return exchanges.get(new Key(vhost, name));
  }

  /** The declared exchanges of the vhost (the pre-declared ones not included). */
  public List<ExchangeSpec> exchanges(String vhost) {
    return exchanges.values().stream().filter(e -> e.vhost().equals(vhost)).toList();
  }

  /** The exchange a topic stores, or null when the topic is no exchange's. */
  public Key exchangeOfTopic(String topic) {
    return exchangesByTopic.get(topic);
  }

  /** The declared queue, or null (a queue made implicitly by an AMQP address is not here). */
  public QueueSpec queue(String vhost, String name) {
    return queues.get(new Key(vhost, name));
  }

  /** The declared queues of the vhost. */
  public List<QueueSpec> queues(String vhost) {
    return queues.values().stream().filter(q -> q.vhost().equals(vhost)).toList();
  }

  /** The declared queue that topic stores, or null. */
  public QueueSpec queueOfTopic(String topic) {
    Key k = queuesByTopic.get(topic);
    return k == null ? null : queues.get(k);
  }

  /** The bindings whose source is the exchange, in the order they were made. */
  public List<BindingSpec> bindingsFrom(String vhost, String exchange) {
    return bindingsBySource.getOrDefault(new Key(vhost, exchange), List.of());
  }

  /** Every binding, in the order they were made. */
  public Set<BindingSpec> bindings() {
    return bindings;
  }

  ExchangeRouter.Route cachedRoute(RouteKey key) {
    return routeCache.get(key);
  }

  void cacheRoute(RouteKey key, ExchangeRouter.Route route) {
    if (routeCache.size() < CACHE_MAX) {
      routeCache.putIfAbsent(key, route);
    }
  }

  /**
   * The topic of queue {@code name} of the vhost ({@link DestinationNames#topic}), remembered by
   * this version so the send path does not escape and hash a name per message and target.
   */
  public String queueTopic(String vhost, String name) {
    Key k = new Key(vhost, name);
    String t = queueTopics.get(k);
    if (t == null) {
      t = DestinationNames.topic(vhost, name);
      if (queueTopics.size() < CACHE_MAX) {
        queueTopics.putIfAbsent(k, t);
      }
    }
    return t;
  }

  /** The compiled routes of an exchange of this version (computed once). */
  ExchangeRoutes routes(ExchangeSpec exchange) {
    return compiled.computeIfAbsent(
        new Key(exchange.vhost(), exchange.name()),
        k -> ExchangeRoutes.compile(exchange, bindingsFrom(k.vhost(), k.name())));
  }
}
