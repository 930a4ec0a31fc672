package io.wharfmq.broker.queue;

import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.Routing;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.service.message.DeathHistory;
import io.wharfmq.service.message.ReservedProperties;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageSysFlag;
import io.wharfmq.store.format.StoredMessage;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Republishes a message a queue dead-letters through the queue's {@code x-dead-letter-exchange}, as
 * RabbitMQ 4 does (docs/rabbitmq.md, "Queue arguments and dead-lettering"): routing key {@code
 * x-dead-letter-routing-key} or else the message's own keys (CC included), the death recorded in
 * {@link ReservedProperties#DEATHS} and the first/last death properties, the message's TTL removed
 * (kept in the death entry). A new record is stored; the caller finishes the old delivery once it
 * is. Stateless apart from its collaborators; thread-safe.
 */
public final class DeadLettering {
  private static final Logger log = LoggerFactory.getLogger(DeadLettering.class);

  /** Properties that must not travel with a dead letter: expiry, timers, the old fan-out. */
  private static final List<String> DROPPED =
      List.of(
          ReservedProperties.EXPIRES_AT,
          ReservedProperties.TTL,
          ReservedProperties.ABSOLUTE_EXPIRY_TIME,
          ReservedProperties.DELIVER_AT,
          ReservedProperties.ROUTING_CC,
          MessageProperties.DISPATCH,
          MessageProperties.REAL_DISPATCH,
          "DELAY",
          "TIMER_DELAY_SEC",
          "TIMER_DELAY_MS",
          "TIMER_DELIVER_MS",
          "TIMER_OUT_MS",
          "TIMER_ENQUEUE_MS",
          "TIMER_DEQUEUE_MS",
          "TIMER_ROLL_TIMES",
          "REAL_TOPIC",
          "REAL_QID");

  /** The queues a routing reaches (for cycle detection), given the message's properties. */
  public interface Targets {
    List<String> of(Routing routing, Map<String, String> properties);
  }

  private final Function<SendCommand, CompletableFuture<SendResult>> send;
  private volatile Targets targets;
  private final InstantSource clock;
  private final InetSocketAddress host;

  /**
   * @param send the broker's send path (routes a command with {@link Routing})
   * @param host the born host of republished messages (this broker)
   */
  public DeadLettering(
      Function<SendCommand, CompletableFuture<SendResult>> send,
      InstantSource clock,
      InetSocketAddress host) {
    this.send = send;
    this.clock = clock;
    this.host = host;
  }

  /** Lets dead-lettering see where a republish would go, to drop automatic cycles. */
  public void targets(Targets t) {
    this.targets = t;
  }

  /**
   * Whether delivering to {@code target} closes a cycle with no consumer rejection in it (RabbitMQ
   * drops the message then): {@code target} is in the history and no entry from the most recent one
   * up to its entry is a rejection.
   */
  static boolean isAutomaticCycle(String target, List<DeathHistory.Death> history) {
    for (DeathHistory.Death d : history) {
      if (d.reason().equals(DeathHistory.REJECTED)) {
        return false;
      }
      if (d.queue().equals(target)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Republishes {@code m}, dead-lettered by {@code queue} for {@code reason} (a {@link
   * DeathHistory} reason), through the queue's dead-letter exchange. Completes true when the
   * message is done with: stored, or dropped because the exchange is gone or routes nowhere (as
   * RabbitMQ drops it); false when it could not be stored now (the caller keeps the message).
   */
  public CompletableFuture<Boolean> republish(QueueRef queue, StoredMessage m, String reason) {
    QueueArguments args = queue.arguments();
    Map<String, String> props = m.propertyMap();
    List<String> ownKeys = routingKeys(queue, m, props);
    List<String> keys =
        args.deadLetterRoutingKey() != null ? List.of(args.deadLetterRoutingKey()) : ownKeys;
    String exchange = publishedTo(queue, m);
    Long ttl = number(props.get(ReservedProperties.TTL));
    List<DeathHistory.Death> history;
    try {
      history = DeathHistory.decode(props.get(ReservedProperties.DEATHS));
    } catch (IllegalArgumentException damaged) {
      log.warn("Dead letter of queue {}: damaged death history dropped: {}", queue.name(), damaged);
      history = List.of();
    }
    long now = clock.millis();
    history = DeathHistory.record(history, queue.name(), reason, exchange, ownKeys, ttl, now);
    DeathHistory.Event event = new DeathHistory.Event(queue.name(), reason, exchange);
    for (String name : DROPPED) {
      props.remove(name);
    }
    props.put(ReservedProperties.DEATHS, DeathHistory.encode(history));
    props.putIfAbsent(ReservedProperties.FIRST_DEATH, DeathHistory.encodeEvent(event));
    props.put(ReservedProperties.LAST_DEATH, DeathHistory.encodeEvent(event));
    props.put(ReservedProperties.TAGS, keys.get(0));
    if (keys.size() > 1) {
      props.put(
          ReservedProperties.ROUTING_CC, DeathHistory.encodeList(keys.subList(1, keys.size())));
    }
    String dlx = args.deadLetterExchange();
    Targets t = targets;
    if (t != null) {
      List<String> reached = t.of(new Routing(queue.vhost(), dlx, keys), props);
      List<DeathHistory.Death> h = history;
      if (!reached.isEmpty() && reached.stream().allMatch(q -> isAutomaticCycle(q, h))) {
        log.info(
            "Message of queue {} dead-lettered ({}) and dropped: it would cycle back to {} with no"
                + " rejection in between",
            queue.name(),
            reason,
            reached);
        return CompletableFuture.completedFuture(true);
      }
    }
    String topic = DestinationNames.topic(queue.vhost(), dlx.isEmpty() ? keys.get(0) : dlx);
    SendCommand command =
        new SendCommand(
            topic,
            -1,
            List.of(
                new OutgoingMessage(
                    m.body(), m.flag(), MessageProperties.encode(props), m.bornTimestamp(), 0)),
            false,
            m.sysFlag() & (MessageSysFlag.COMPRESSED | MessageSysFlag.MULTI_TAGS),
            host,
            false,
            -1,
            new Routing(queue.vhost(), dlx, keys));
    return send.apply(command)
        .handle(
            (r, error) -> {
              if (error != null) {
                log.error(
                    "Dead letter of queue {} to exchange '{}' failed", queue.name(), dlx, error);
                return false;
              }
              return outcome(queue, dlx, reason, r);
            });
  }

  private static boolean outcome(QueueRef queue, String dlx, String reason, SendResult r) {
    switch (r.status()) {
      case OK -> {
        log.debug(
            "Message of queue {} dead-lettered ({}) to exchange '{}'", queue.name(), reason, dlx);
        return true;
      }
      case UNROUTABLE, NOT_FOUND, QUEUE_FULL, FORBIDDEN, ILLEGAL -> {
        // RabbitMQ drops a dead letter its exchange cannot take (at-most-once dead-lettering).
        log.info(
            "Message of queue {} dead-lettered ({}) and dropped: exchange '{}' in vhost '{}': {} {}",
            queue.name(),
            reason,
            dlx,
            queue.vhost(),
            r.status(),
            r.detail());
        return true;
      }
      default -> {
        log.warn(
            "Dead letter of queue {} to exchange '{}' not stored now: {} {}",
            queue.name(),
            dlx,
            r.status(),
            r.detail());
        return r.status() == Status.OK;
      }
    }
  }

  /**
   * The routing keys the message was published with: its tag and its CC keys; a message sent
   * straight to the queue (its record is in the queue's own topic) went through the default
   * exchange with the queue's name as key.
   */
  static List<String> routingKeys(QueueRef queue, StoredMessage m, Map<String, String> props) {
    if (m.topic().equals(queue.topic()) && !props.containsKey(ReservedProperties.DEATHS)) {
      return List.of(queue.name());
    }
    List<String> keys = new ArrayList<>();
    keys.add(props.getOrDefault(ReservedProperties.TAGS, ""));
    String cc = props.get(ReservedProperties.ROUTING_CC);
    if (cc != null) {
      try {
        keys.addAll(DeathHistory.decodeList(cc));
      } catch (IllegalArgumentException damaged) {
        log.debug("Ignoring damaged CC keys of a dead letter of queue {}", queue.name());
      }
    }
    return keys;
  }

  /** The exchange the message was published to: its record's topic, "" for the queue's own. */
  static String publishedTo(QueueRef queue, StoredMessage m) {
    if (m.topic().equals(queue.topic())) {
      return "";
    }
    String name = DestinationNames.destination(queue.vhost(), m.topic());
    return name == null ? m.topic() : name;
  }

  private static Long number(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Long.valueOf(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
