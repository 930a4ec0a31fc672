package io.wharfmq.broker.schedule;

import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Builds the copy of a stored message that the broker appends again under a retry or dead-letter
 * topic: same flag, body, sysFlag, born time and born host, the caller's properties, this broker as
 * store host and the given reconsume count. Shared by consumer send-back and POP dead letters.
 * Stateless and thread-safe.
 */
public final class RedeliveryCopy {
  private RedeliveryCopy() {}

  /**
   * Creates {@code target} (read-write, {@code queueNums} queues) when it does not exist yet and
   * tells {@code topicsChanged} about it.
   */
  public static void ensureTopic(
      TopicConfigManager topics, Runnable topicsChanged, String target, int queueNums)
      throws IOException {
    if (topics.get(target) == null) {
      topics.createIfAbsent(target, queueNums, TopicConfig.PERM_READ | TopicConfig.PERM_WRITE);
      topicsChanged.run();
    }
  }

  /**
   * The copy of {@code m} for {@code target}, carrying {@code props} and {@code reconsumeTimes}.
   */
  public static MessageToStore of(
      StoredMessage m,
      String target,
      Map<String, String> props,
      InetSocketAddress storeHost,
      int reconsumeTimes) {
    // A retry or dead letter belongs to one group: it never fans out to a dispatch's targets again.
    props.remove(MessageProperties.DISPATCH);
    props.remove(MessageProperties.REAL_DISPATCH);
    return new MessageToStore(
        target,
        0,
        m.flag(),
        m.body(),
        MessageProperties.encode(props),
        m.sysFlag(),
        m.bornTimestamp(),
        m.bornHost(),
        storeHost,
        reconsumeTimes,
        0L);
  }
}
