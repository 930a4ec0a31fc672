package io.wharfmq.broker.pop;

import io.wharfmq.broker.schedule.RedeliveryCopy;
import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
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

  private final MessageStore store;
  private final TopicConfigManager topics;
  private final Runnable topicsChanged;
  private final InetSocketAddress storeHost;

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

  /** Appends the dead letter (asynchronously; a failure is logged). */
  void send(String group, long physicalOffset, int deliveries) {
    StoredMessage m = store.readMessage(physicalOffset);
    if (m == null) {
      return;
    }
    String target = ScheduleRewrite.DLQ_PREFIX + group;
    try {
      RedeliveryCopy.ensureTopic(topics, topicsChanged, target, 1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> props = m.propertyMap();
    String id = props.getOrDefault(MessageProperties.UNIQ_KEY, "");
    props.putIfAbsent(ScheduleRewrite.RETRY_TOPIC, m.topic());
    props.putIfAbsent(ScheduleRewrite.ORIGIN_MESSAGE_ID, id);
    props.put(DLQ_ORIGIN_TOPIC, m.topic());
    props.put(DLQ_ORIGIN_MESSAGE_ID, id);
    MessageToStore copy = RedeliveryCopy.of(m, target, props, storeHost, deliveries);
    log.info(
        "Popped message {} of group {} not acknowledged after {} deliveries: to {}",
        id,
        group,
        deliveries,
        target);
    // Past diskSpaceWarningLevelRatio too: the message leaves its queue, it is not new data.
    store
        .appendInternal(copy)
        .thenAccept(
            r -> {
              if (!r.isOk()) {
                log.error("Cannot store dead letter {} in {}: {}", id, target, r.status());
              }
            });
  }
}
