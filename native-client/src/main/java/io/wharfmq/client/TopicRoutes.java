package io.wharfmq.client;

import io.wharfmq.remoting.protocol.body.BrokerData;
import io.wharfmq.remoting.protocol.body.QueueData;
import io.wharfmq.remoting.protocol.body.TopicRouteData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes this client uses, by topic, and the broker addresses they name. Looked up on first
 * use, refreshed by {@link #refreshAll} (every 30 s) and on demand after failures; listeners hear
 * of topics whose route changed. Thread-safe.
 */
final class TopicRoutes {
  private static final Logger log = LoggerFactory.getLogger(TopicRoutes.class);

  /** The template route brokers create unknown topics from (RocketMQ's TBW102). */
  static final String DEFAULT_TOPIC = "TBW102";

  /** Queues a producer uses on a topic created from the template (RocketMQ's default). */
  static final int DEFAULT_TOPIC_QUEUE_NUMS = 4;

  private static final int PERM_READ = 4;
  private static final int PERM_WRITE = 2;

  private final NameServerClient namesrv;
  private final Map<String, TopicRouteData> routes = new ConcurrentHashMap<>();
  private final Map<String, String> masters = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  TopicRoutes(NameServerClient namesrv) {
    this.namesrv = namesrv;
  }

  void onChange(Consumer<String> listener) {
    listeners.add(listener);
  }

  /** The route, looked up if not cached; null when the topic has none. */
  TopicRouteData route(String topic) {
    TopicRouteData r = routes.get(topic);
    return r != null ? r : refresh(topic);
  }

  /** Whether a route of {@code topic} is cached. */
  boolean isKnown(String topic) {
    return routes.containsKey(topic);
  }

  /** Looks the route up now; returns it (null if none) and tells listeners if it changed. */
  TopicRouteData refresh(String topic) {
    TopicRouteData fresh = namesrv.route(topic);
    TopicRouteData old = fresh == null ? routes.remove(topic) : routes.put(topic, fresh);
    if (fresh != null) {
      for (BrokerData b : fresh.brokerDatas()) {
        if (b.masterAddress() != null) {
          masters.put(b.brokerName(), b.masterAddress());
        }
      }
    }
    if (!Objects.equals(normalize(old), normalize(fresh))) {
      log.info("Route of {} changed: {}", topic, fresh);
      for (Consumer<String> l : listeners) {
        l.accept(topic);
      }
    }
    return fresh;
  }

  /** Refreshes every cached topic; failures are logged, the old route is kept. */
  void refreshAll(Collection<String> extraTopics) {
    Set<String> topics = new TreeSet<>(routes.keySet());
    topics.addAll(extraTopics);
    topics.remove(DEFAULT_TOPIC);
    for (String t : topics) {
      try {
        refresh(t);
      } catch (ClientException e) {
        log.warn("Cannot refresh the route of {}: {}", t, e.getMessage());
      }
    }
  }

  /** The master address of a broker group, or null if no route names it. */
  String masterAddress(String brokerName) {
    return masters.get(brokerName);
  }

  /** Every master address in the routes of {@code topics}. */
  Set<String> masterAddresses(Collection<String> topics) {
    Set<String> out = new TreeSet<>();
    for (String t : topics) {
      TopicRouteData r = routes.get(t);
      if (r != null) {
        for (BrokerData b : r.brokerDatas()) {
          if (b.masterAddress() != null) {
            out.add(b.masterAddress());
          }
        }
      }
    }
    return out;
  }

  /** Every master address known from any route. */
  Set<String> allMasterAddresses() {
    return new TreeSet<>(masters.values());
  }

  /**
   * The queues a producer may write to, sorted by broker name and id. For a topic no name server
   * knows, the template's brokers (the first send creates the topic there), as RocketMQ does.
   *
   * @throws ClientException when there is no route at all
   */
  List<MessageQueue> writeQueues(String topic) {
    TopicRouteData r = route(topic);
    int clamp = Integer.MAX_VALUE;
    if (r == null) {
      r = route(DEFAULT_TOPIC);
      clamp = DEFAULT_TOPIC_QUEUE_NUMS;
    }
    if (r == null) {
      throw new ClientException(
          io.wharfmq.remoting.protocol.ResponseCode.TOPIC_NOT_EXIST,
          "No route info of this topic: " + topic);
    }
    List<MessageQueue> out = new ArrayList<>();
    for (QueueData q : sorted(r.queueDatas())) {
      if ((q.perm() & PERM_WRITE) == 0 || !hasMaster(r, q.brokerName())) {
        continue;
      }
      for (int i = 0; i < Math.min(q.writeQueueNums(), clamp); i++) {
        out.add(new MessageQueue(topic, q.brokerName(), i));
      }
    }
    if (out.isEmpty()) {
      throw new ClientException(
          io.wharfmq.remoting.protocol.ResponseCode.TOPIC_NOT_EXIST,
          "No writable queue of topic " + topic);
    }
    return out;
  }

  /** The queues consumers read, sorted; empty if the topic has no route. */
  List<MessageQueue> readQueues(String topic) {
    TopicRouteData r = route(topic);
    List<MessageQueue> out = new ArrayList<>();
    if (r == null) {
      return out;
    }
    for (QueueData q : sorted(r.queueDatas())) {
      if ((q.perm() & PERM_READ) == 0) {
        continue;
      }
      for (int i = 0; i < q.readQueueNums(); i++) {
        out.add(new MessageQueue(topic, q.brokerName(), i));
      }
    }
    return out;
  }

  private static boolean hasMaster(TopicRouteData r, String brokerName) {
    for (BrokerData b : r.brokerDatas()) {
      if (b.brokerName().equals(brokerName) && b.masterAddress() != null) {
        return true;
      }
    }
    return false;
  }

  private static List<QueueData> sorted(List<QueueData> queues) {
    List<QueueData> s = new ArrayList<>(queues == null ? List.of() : queues);
    s.sort(Comparator.comparing(QueueData::brokerName));
    return s;
  }

  /** A route in a form that compares equal regardless of list order. */
  private static Object normalize(TopicRouteData r) {
    if (r == null) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    for (QueueData q : r.queueDatas()) {
      parts.add("q" + q);
    }
    for (BrokerData b : r.brokerDatas()) {
      parts.add("b" + b.brokerName() + new java.util.TreeMap<>(b.brokerAddrs()));
    }
    parts.sort(null);
    return parts;
  }
}
