package io.wharfmq.broker.pop;

import io.wharfmq.broker.schedule.RedeliveryCopy;
import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.store.AppendResult;
import io.wharfmq.store.AppendStatus;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a popped message that was delivered too often into {@code %DLQ%<group>}, keeping body, keys
 * and properties and adding what RocketMQ's POP dead letters carry (DLQ_ORIGIN_TOPIC,
 * DLQ_ORIGIN_MESSAGE_ID, RETRY_TOPIC, ORIGIN_MESSAGE_ID). Thread-safe.
 */
public final class PopDeadLetters {
  private static final Logger log = LoggerFactory.getLogger(PopDeadLetters.class);
  static final String DLQ_ORIGIN_TOPIC = "DLQ_ORIGIN_TOPIC";
  static final String DLQ_ORIGIN_MESSAGE_ID = "DLQ_ORIGIN_MESSAGE_ID";

  /** Why a consumer dead-lettered the message (AMQP rejected's error description), if it said. */
  public static final String REASON = "WHARF_DLQ_REASON";

  private final MessageStore store;
  private final TopicConfigManager topics;
  private final Runnable topicsChanged;
  private final InetSocketAddress storeHost;
  private volatile DeadLetterRoute route;

  public PopDeadLetters(
      MessageStore store,
      TopicConfigManager topics,
      Runnable topicsChanged,
      InetSocketAddress storeHost) {
    this.store = store;
    this.topics = topics;
    this.topicsChanged = topicsChanged;
    this.storeHost = storeHost;
  }

  /**
   * Lets {@code r} take dead letters first (a declared queue's dead-letter exchange,
   * docs/rabbitmq.md); what it does not take goes to the group's DLQ.
   */
  public void routeThrough(DeadLetterRoute r) {
    this.route = r;
  }

  /**
   * Appends the dead letter of a too often delivered message (asynchronously; logged on failure).
   */
  void send(String group, String topic, long physicalOffset, int deliveries) {
    send(group, topic, physicalOffset, deliveries, null, DeadLetterRoute.DELIVERY_LIMIT);
  }

  /**
   * Appends the dead letter of a message a consumer rejected, with {@code reason} (when not null)
   * in {@link #REASON}; the future tells whether it was stored (null when the message is gone from
   * the store). A failure is logged. {@code topic} is the queue's topic the group popped it from,
   * which for a message dispatched there from an exchange is not the stored record's.
   */
  CompletableFuture<AppendResult> send(
      String group, String topic, long physicalOffset, int deliveries, String reason) {
    return send(group, topic, physicalOffset, deliveries, reason, DeadLetterRoute.REJECTED);
  }

  private CompletableFuture<AppendResult> send(
      String group, String topic, long physicalOffset, int deliveries, String reason, String why) {
    StoredMessage m = store.readMessage(physicalOffset);
    if (m == null) {
      return CompletableFuture.completedFuture(null);
    }
    DeadLetterRoute via = route;
    CompletableFuture<Boolean> routed = via == null ? null : via.route(group, m, why);
    if (routed != null) {
      return routed.thenApply(
          done ->
              done
                  ? null
                  : AppendResult.failed(
                      AppendStatus.IO_ERROR, "dead letter not stored through its exchange"));
    }
    String target = ScheduleRewrite.DLQ_PREFIX + group;
    try {
      RedeliveryCopy.ensureTopic(topics, topicsChanged, target, 1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> props = m.propertyMap();
    String id = props.getOrDefault(MessageProperties.UNIQ_KEY, "");
    props.putIfAbsent(ScheduleRewrite.RETRY_TOPIC, topic);
    props.putIfAbsent(ScheduleRewrite.ORIGIN_MESSAGE_ID, id);
    props.put(DLQ_ORIGIN_TOPIC, topic);
    props.put(DLQ_ORIGIN_MESSAGE_ID, id);
    if (reason != null) {
      props.put(REASON, reason.replace('\u0001', ' ').replace('\u0002', ' '));
    }
    MessageToStore copy = RedeliveryCopy.of(m, target, props, storeHost, deliveries);
    log.info(
        "Popped message {} of group {} not acknowledged after {} deliveries: to {}",
        id,
        group,
        deliveries,
        target);
    // Past diskSpaceWarningLevelRatio too: the message leaves its queue, it is not new data.
    return store
        .appendInternal(copy)
        .thenApply(
            r -> {
              if (!r.isOk()) {
                log.error("Cannot store dead letter {} in {}: {}", id, target, r.status());
              }
              return r;
            });
  }
}
