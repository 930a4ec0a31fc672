package io.wharfmq.client;

import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.protocol.body.BrokerData;
import io.wharfmq.remoting.protocol.body.ClusterInfo;
import io.wharfmq.remoting.protocol.body.HeartbeatData;
import io.wharfmq.remoting.protocol.body.TopicRouteData;
import io.wharfmq.tls.ClientTls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Destinations with the AMQP door's semantics over the native protocol, for a JMS provider: topics
 * (temporary ones too), consumer groups with Wharf's settings subscribed at the tail, deletions,
 * cluster-wide client IDs and queue browsing (docs/protocol.md, "Wharf's own request codes").
 *
 * <p>It holds its own connections (one per name server and broker). What it makes for its own
 * lifetime (temporary topics, non-durable groups, claimed client IDs) ends when those connections
 * close: at {@link #close}, when the process dies, or when a connection breaks (a broker restart or
 * a network failure; the caller learns of it by a later refusal, e.g. a pop answered
 * SUBSCRIPTION_GROUP_NOT_EXIST). Calls block for at most the request timeout per broker; {@link
 * #ensureTopic} also waits for the route, at most {@link #ROUTE_WAIT}. Thread-safe.
 */
public final class DestinationAdmin implements AutoCloseable {
  /** How long {@link #ensureTopic} waits for the name server to route a new topic. */
  public static final Duration ROUTE_WAIT = Duration.ofSeconds(10);

  private static final long ROUTE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /** A broker group's master. */
  record Master(String brokerName, String address) {}

  private final RemotingClient remoting;
  private final NameServerClient namesrv;
  private final DestinationRequests requests;
  private final BrokerProxy brokers;
  private final Map<String, String> clientIdHolders = new ConcurrentHashMap<>();

  /**
   * @param namesrvAddr the name servers, "host:port;host:port"
   * @param requestTimeout how long one request to a broker or name server may take
   */
  public DestinationAdmin(String namesrvAddr, Duration requestTimeout) {
    this(namesrvAddr, requestTimeout, null);
  }

  /**
   * @param credentials signs every request (needed against brokers with aclEnable=true); null: none
   */
  public DestinationAdmin(String namesrvAddr, Duration requestTimeout, Credentials credentials) {
    this(namesrvAddr, requestTimeout, credentials, null);
  }

  /** As above, over {@code tls} (plain text if null). */
  public DestinationAdmin(
      String namesrvAddr, Duration requestTimeout, Credentials credentials, ClientTls tls) {
    NameServerClient.parse(namesrvAddr);
    if (requestTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("requestTimeout must be at least 1 ms");
    }
    this.remoting = new RemotingClient("wharf-destination-admin", tls);
    if (credentials != null) {
      remoting.beforeRequest(credentials::sign);
    }
    this.namesrv = new NameServerClient(namesrvAddr, remoting, requestTimeout.toMillis());
    this.brokers = new BrokerProxy(remoting, requestTimeout.toMillis());
    this.requests = new DestinationRequests(brokers);
  }

  /**
   * Checks that every master of the cluster accepts this admin's requests (a heartbeat that joins
   * no group): fails with NO_PERMISSION (16) when the credentials are missing or wrong.
   */
  public void checkAccess(String clientId) {
    for (Master m : clusterMasters()) {
      brokers.heartbeat(m.address(), new HeartbeatData(clientId, Set.of(), Set.of(), 0, false));
    }
  }

  /**
   * Makes sure the topic exists on every master that serves it or, when none does yet, on every
   * master of the cluster, and waits (at most {@link #ROUTE_WAIT}) until the name server routes it
   * to all of them. A {@code temporary} topic, with its queue group, is deleted when this admin's
   * connections close; it must not exist yet (else TOPIC_EXIST_ALREADY, 18), unless this admin made
   * it.
   *
   * @throws ClientException when a broker refuses (an illegal or reserved name) or the route does
   *     not appear in time
   */
  public void ensureTopic(String topic, boolean temporary) {
    List<Master> masters = mastersOf(topic);
    if (masters.isEmpty()) {
      masters = clusterMasters();
    }
    if (masters.isEmpty()) {
      throw new ClientException(ClientException.NO_RESPONSE, "the name server knows no broker");
    }
    for (Master m : masters) {
      requests.ensureTopic(m.address(), topic, temporary);
    }
    awaitRoute(topic, masters);
  }

  private void awaitRoute(String topic, List<Master> masters) {
    Set<String> wanted = masters.stream().map(Master::brokerName).collect(Collectors.toSet());
    long deadline = System.nanoTime() + ROUTE_WAIT.toNanos();
    while (!routedNames(topic).containsAll(wanted)) {
      if (System.nanoTime() - deadline > 0) {
        throw new ClientException(
            ClientException.NO_RESPONSE,
            "the name server does not route " + topic + " to " + wanted + " after " + ROUTE_WAIT);
      }
      LockSupport.parkNanos(ROUTE_POLL_NANOS); // the brokers register right before answering
    }
  }

  private Set<String> routedNames(String topic) {
    return mastersOf(topic).stream().map(Master::brokerName).collect(Collectors.toSet());
  }

  /**
   * Creates or updates the group with the spec's settings and subscribes it to the topic on every
   * master that serves the topic. A non-durable group ends with this admin's connections.
   *
   * @throws ClientException {@link ClientException#TOPIC_NOT_FOUND} when no broker serves the
   *     topic, {@link ClientException#BAD_SELECTOR} when the broker cannot parse the expression,
   *     MESSAGE_ILLEGAL (13) for an illegal group name
   */
  public void ensureSubscription(SubscriptionSpec spec) {
    List<Master> masters = mastersOf(spec.topic());
    if (masters.isEmpty()) {
      throw new ClientException(
          ClientException.TOPIC_NOT_FOUND, "no broker serves topic " + spec.topic());
    }
    for (Master m : masters) {
      requests.ensureSubscription(m.address(), spec);
    }
  }

  /** Deletes the group, its offsets and its in-flight messages on every master of the cluster. */
  public void deleteGroup(String group) {
    for (Master m : clusterMasters()) {
      requests.deleteGroup(m.address(), group);
    }
  }

  /** Deletes the topic on every master of the cluster and its route on every name server. */
  public void deleteTopic(String topic) {
    for (Master m : clusterMasters()) {
      requests.deleteTopic(m.address(), topic);
    }
    namesrv.deleteTopic(topic);
  }

  /**
   * Claims a client ID for this admin, cluster-wide: the master with the first broker name decides.
   * It stays claimed until {@link #releaseClientId} or until this admin's connection to that broker
   * closes.
   *
   * @return false when another live connection holds it
   */
  public boolean claimClientId(String clientId) {
    List<Master> masters = clusterMasters();
    if (masters.isEmpty()) {
      throw new ClientException(ClientException.NO_RESPONSE, "the name server knows no broker");
    }
    String address = masters.get(0).address();
    if (!requests.claimClientId(address, clientId)) {
      return false;
    }
    clientIdHolders.put(clientId, address);
    return true;
  }

  /** Gives back a client ID this admin claimed; nothing happens for one it does not hold. */
  public void releaseClientId(String clientId) {
    String address = clientIdHolders.remove(clientId);
    if (address != null) {
      requests.releaseClientId(address, clientId);
    }
  }

  /**
   * A walk through what {@code group} has not finished of {@code topic} on every master serving it,
   * without taking anything; only messages matching the SQL92 {@code selector} (null: all), which
   * the brokers evaluate. Use the queue's group ({@code DestinationNames.queueGroup(topic)}) to
   * browse a queue.
   *
   * @throws ClientException {@link ClientException#TOPIC_NOT_FOUND} when no broker serves the topic
   */
  public QueueBrowse browse(String group, String topic, String selector) {
    List<Master> masters = mastersOf(topic);
    if (masters.isEmpty()) {
      throw new ClientException(ClientException.TOPIC_NOT_FOUND, "no broker serves topic " + topic);
    }
    return new QueueBrowse(requests, group, topic, selector, masters);
  }

  /** The masters the name server routes the topic to, by broker name; empty when none. */
  private List<Master> mastersOf(String topic) {
    TopicRouteData route = namesrv.route(topic);
    List<Master> out = new ArrayList<>();
    if (route != null) {
      for (BrokerData b : route.brokerDatas()) {
        if (b.masterAddress() != null) {
          out.add(new Master(b.brokerName(), b.masterAddress()));
        }
      }
    }
    out.sort(Comparator.comparing(Master::brokerName));
    return out;
  }

  /** Every master the name server knows, by broker name. */
  private List<Master> clusterMasters() {
    ClusterInfo info = namesrv.clusterInfo();
    List<Master> out = new ArrayList<>();
    if (info.brokerAddrTable() != null) {
      for (BrokerData b : info.brokerAddrTable().values()) {
        if (b.masterAddress() != null) {
          out.add(new Master(b.brokerName(), b.masterAddress()));
        }
      }
    }
    out.sort(Comparator.comparing(Master::brokerName));
    return out;
  }

  /** Closes the connections: what this admin made for its lifetime ends on the brokers. */
  @Override
  public void close() {
    remoting.shutdown();
  }
}
