package io.wharfmq.broker.service;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.exchange.ExchangeRouter;
import io.wharfmq.broker.exchange.Topology;
import io.wharfmq.broker.exchange.TopologyRegistry;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.Routing;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.service.message.DeathHistory;
import io.wharfmq.service.message.ReservedProperties;
import io.wharfmq.service.message.TypedProperties;
import io.wharfmq.store.format.DispatchTargets;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.format.MessageToStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a publish to an exchange into the records to store (docs/rabbitmq.md, "Routing"): routes
 * each message through the exchange's bindings and makes ONE record in the exchange's topic, with
 * the routing key as its tag and {@link MessageProperties#DISPATCH} listing the queues reached
 * ({@link DispatchTargets}); a fan-out too wide for one record's properties becomes several
 * records. A message that reaches no queue makes no record (counted as unroutable). The default
 * exchange stores a message for a single queue as a plain message of that queue. Thread-safe
 * (stateless apart from its collaborators).
 */
final class RoutedSends {
  private static final Logger log = LoggerFactory.getLogger(RoutedSends.class);

  /**
   * Room left in a record's properties for what the broker adds after routing: the properties of a
   * delayed, timer or transactional message (real topic and queue, delivery times) and the name
   * under which a parked message keeps its targets.
   */
  static final int PROPERTIES_RESERVE = 512;

  /**
   * What to store, or why nothing. {@code full} is the answer for the publisher when a queue with
   * {@code x-overflow reject-publish} refused the message (the other queues still get it), or null.
   */
  record Plan(
      Status status,
      String detail,
      String topic,
      int queueId,
      List<MessageToStore> records,
      SendResult full) {
    static Plan fail(Status status, String detail, String topic) {
      return new Plan(status, detail, topic, -1, List.of(), null);
    }
  }

  /** The queues' length limits (reject-publish refuses a target), or null. */
  private volatile QueueRules rules;

  void enforce(QueueRules r) {
    this.rules = r;
  }

  private final BrokerContext ctx;
  private final TopologyRegistry registry;
  private final BiPredicate<String, String> queueExists;

  RoutedSends(
      BrokerContext ctx, TopologyRegistry registry, BiPredicate<String, String> queueExists) {
    this.ctx = ctx;
    this.registry = registry;
    this.queueExists = queueExists;
  }

  /**
   * The routing of a send: the command's own, or for a RocketMQ producer's send to a topic that is
   * an exchange of vhost {@code /}, that exchange with each message's tag as its key ({@code
   * routingKeys} empty). Null for a plain send.
   */
  Routing routingOf(SendCommand c, boolean fromRocketMq) {
    if (c.routing() != null) {
      return c.routing();
    }
    if (!fromRocketMq) {
      return null; // an AMQP plain address names a queue or topic, even one an exchange shares
    }
    Topology.Key x = c.topic() == null ? null : registry.current().exchangeOfTopic(c.topic());
    if (x == null || !x.vhost().equals(Topology.DEFAULT_VHOST)) {
      return null;
    }
    return new Routing(Topology.DEFAULT_VHOST, x.name(), List.of());
  }

  /**
   * The records for a routed send.
   *
   * @param properties each message's properties with the broker's own added
   */
  Plan plan(SendCommand c, Routing routing, List<String> properties) throws IOException {
    Topology topology = registry.current();
    String vhost = routing.vhost() == null ? Topology.DEFAULT_VHOST : routing.vhost();
    String exchange = routing.exchange() == null ? "" : routing.exchange();
    boolean defaultExchange = exchange.equals(Topology.DEFAULT_EXCHANGE);
    String home = defaultExchange ? null : DestinationNames.topic(vhost, exchange);
    // Without a queue id, the publisher's connection address picks one: its publishes keep their
    // order into each queue (RabbitMQ keeps per-publisher order), connections spread over ids.
    int pick =
        c.queueId() >= 0
            ? c.queueId()
            : c.bornHost() != null
                ? Math.floorMod(c.bornHost().hashCode(), 1 << 16)
                : ThreadLocalRandom.current().nextInt(1 << 16);
    List<MessageToStore> records = new ArrayList<>();
    int unroutable = 0;
    SendResult full = null;
    String firstTopic = null;
    int firstQueue = -1;
    for (int i = 0; i < c.messages().size(); i++) {
      OutgoingMessage m = c.messages().get(i);
      String props = properties.get(i);
      List<String> keys = routing.routingKeys();
      if (keys == null || keys.isEmpty()) {
        String tag = MessageProperties.find(props, MessageProperties.TAGS);
        keys = List.of(tag == null ? "" : tag);
      }
      ExchangeRouter.Route route =
          ExchangeRouter.route(
              topology,
              vhost,
              exchange,
              keys,
              () -> TypedProperties.read(MessageProperties.decode(props)),
              q -> queueExists.test(vhost, q));
      if (route.status() != Status.OK) {
        return Plan.fail(route.status(), route.detail(), home == null ? c.topic() : home);
      }
      List<DispatchTargets.Queue> targets = new ArrayList<>(route.queues().size());
      QueueRules limits = rules;
      for (String q : route.queues()) {
        String topic = topology.queueTopic(vhost, q);
        TopicConfig tc = ctx.topics().get(topic);
        SendResult refused = limits == null ? null : limits.admit(topic, m.body().length);
        if (refused != null) {
          full = refused; // reject-publish: this queue does not get it, the others do
          continue;
        }
        if (tc != null) {
          targets.add(new DispatchTargets.Queue(topic, pick % Math.max(1, tc.writeQueueNums())));
        }
      }
      if (targets.isEmpty()) {
        if (full == null) {
          unroutable++;
        }
        continue;
      }
      List<MessageToStore> made;
      if (defaultExchange && targets.size() == 1) {
        DispatchTargets.Queue t = targets.get(0);
        made = List.of(record(c, m, t.topic(), t.queueId(), props));
      } else {
        String recordTopic = home != null ? home : targets.get(0).topic();
        int recordQueue = pick % Math.max(1, homeQueues(recordTopic));
        made = fanOut(c, m, recordTopic, recordQueue, withTag(props, keys.get(0), keys), targets);
        if (made.isEmpty()) {
          return Plan.fail(
              Status.TOO_LARGE,
              "a queue name is too long for the message's properties",
              recordTopic);
        }
      }
      if (firstTopic == null) {
        firstTopic = made.get(0).topic();
        firstQueue = made.get(0).queueId();
      }
      records.addAll(made);
    }
    if (unroutable > 0) {
      ctx.stats().unroutable(unroutable);
      log.debug(
          "{} of {} messages published to exchange '{}' of vhost '{}' reached no queue",
          unroutable,
          c.messages().size(),
          exchange,
          vhost);
    }
    if (records.isEmpty() && full != null) {
      return Plan.fail(full.status(), full.detail(), full.topic());
    }
    if (records.isEmpty()) {
      return Plan.fail(
          Status.UNROUTABLE,
          "no queue bound to exchange '" + exchange + "' in vhost '" + vhost + "' matched",
          home == null ? c.topic() : home);
    }
    return new Plan(Status.OK, null, firstTopic, firstQueue, records, full);
  }

  /** Of a parked fan-out's targets, those whose queue still exists; null when none is left. */
  static String stillReachable(String parked, Predicate<String> queueTopicExists) {
    List<DispatchTargets.Target> all;
    try {
      all = DispatchTargets.parse(parked);
    } catch (IllegalArgumentException e) {
      log.warn(
          "A parked fan-out's target list does not parse ({}); kept as it was", e.getMessage());
      return parked;
    }
    List<DispatchTargets.Queue> kept = new ArrayList<>(all.size());
    for (DispatchTargets.Target t : all) {
      if (queueTopicExists.test(t.topic())) {
        kept.add(new DispatchTargets.Queue(t.topic(), t.queueId()));
      }
    }
    if (kept.size() == all.size()) {
      return parked;
    }
    log.info(
        "A parked fan-out reaches {} of its {} queues: the others were deleted meanwhile",
        kept.size(),
        all.size());
    return kept.isEmpty() ? null : DispatchTargets.encode(kept);
  }

  /** Queues of the topic a fan-out record is stored in; a pre-declared exchange's made now. */
  private int homeQueues(String topic) throws IOException {
    TopicConfig tc = ctx.topics().get(topic);
    if (tc == null) {
      tc =
          ctx.topics()
              .createIfAbsent(
                  topic,
                  ctx.config().defaultTopicQueueNums(),
                  TopicConfig.PERM_READ | TopicConfig.PERM_WRITE);
      log.info("Topic {} of an exchange created on its first publish", topic);
      ctx.topicsChanged().run();
    }
    return tc.writeQueueNums();
  }

  private List<MessageToStore> fanOut(
      SendCommand c,
      OutgoingMessage m,
      String topic,
      int queueId,
      String props,
      List<DispatchTargets.Queue> targets) {
    int used =
        props.getBytes(StandardCharsets.UTF_8).length + MessageProperties.DISPATCH.length() + 2;
    int room =
        Math.min(
            DispatchTargets.MAX_VALUE_LENGTH,
            MessageRecordLayout.MAX_PROPERTIES_LENGTH - used - PROPERTIES_RESERVE);
    List<MessageToStore> out = new ArrayList<>();
    for (List<DispatchTargets.Queue> part : split(targets, room)) {
      String withDispatch =
          new StringBuilder(props.length() + room)
              .append(props)
              .append(MessageProperties.DISPATCH)
              .append(MessageProperties.NAME_VALUE_SEPARATOR)
              .append(DispatchTargets.encode(part))
              .append(MessageProperties.PROPERTY_SEPARATOR)
              .toString();
      out.add(record(c, m, topic, queueId, withDispatch));
    }
    return out;
  }

  /**
   * The targets in groups whose encoded list is at most {@code maxChars} long each, in order: one
   * record per group when a fan-out is too wide for one record. Empty when one target alone does
   * not fit.
   */
  static List<List<DispatchTargets.Queue>> split(
      List<DispatchTargets.Queue> targets, int maxChars) {
    List<List<DispatchTargets.Queue>> out = new ArrayList<>();
    List<DispatchTargets.Queue> current = new ArrayList<>();
    int length = 0;
    for (DispatchTargets.Queue t : targets) {
      int one = DispatchTargets.encodedLength(t.topic(), t.queueId());
      if (one > maxChars) {
        return List.of();
      }
      if (!current.isEmpty() && length + 1 + one > maxChars) {
        out.add(current);
        current = new ArrayList<>();
        length = 0;
      }
      length += (current.isEmpty() ? 0 : 1) + one;
      current.add(t);
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  private MessageToStore record(
      SendCommand c, OutgoingMessage m, String topic, int queueId, String props) {
    return new MessageToStore(
        topic,
        queueId,
        m.flag(),
        m.body(),
        props,
        c.sysFlag(),
        m.bornTimestamp(),
        c.bornHost(),
        ctx.storeHost(),
        m.reconsumeTimes(),
        0L);
  }

  /**
   * The properties with the routing key as the tag (none for the empty key) and without any
   * dispatch list a producer may have sent; they end with the separator.
   */
  private static String withTag(String props, String key, List<String> keys) {
    Map<String, String> map = MessageProperties.decode(props);
    map.remove(MessageProperties.DISPATCH);
    if (keys.size() > 1) {
      // The CC keys, for dead-lettering by the message's own keys (docs/mapping.md).
      map.put(ReservedProperties.ROUTING_CC, DeathHistory.encodeList(keys.subList(1, keys.size())));
    } else {
      map.remove(ReservedProperties.ROUTING_CC);
    }
    if (key == null || key.isEmpty()) {
      map.remove(MessageProperties.TAGS);
    } else {
      map.put(MessageProperties.TAGS, key);
    }
    String s = MessageProperties.encode(map);
    return s.isEmpty() || s.charAt(s.length() - 1) == MessageProperties.PROPERTY_SEPARATOR
        ? s
        : s + MessageProperties.PROPERTY_SEPARATOR;
  }

  /** The queue topics a planned record reaches: its dispatch targets, or its own topic. */
  static List<String> targetTopics(MessageToStore m) {
    String value = MessageProperties.find(m.properties(), MessageProperties.DISPATCH);
    if (value == null) {
      value = MessageProperties.find(m.properties(), MessageProperties.REAL_DISPATCH);
    }
    if (value == null) {
      return List.of(m.topic());
    }
    List<String> out = new ArrayList<>();
    for (DispatchTargets.Target t : DispatchTargets.parse(value)) {
      out.add(t.topic());
    }
    return out;
  }
}
