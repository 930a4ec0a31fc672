package io.wharfmq.broker.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.service.AckStatus;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.ReceivedMessage;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.service.Subscription;
import io.wharfmq.store.MessageStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention pins through the service layer, as the AMQP door uses it, on a real broker whose
 * retention sees a disk use the test sets: a queue made with {@code
 * ensureGroup(pinsRetention=true)} keeps everything it has not finished past every disk ratio, the
 * publisher gets {@link Status#DISK_FULL}, the consumer pops and acknowledges everything while
 * publishers are refused, and a plain group (same broker, no pin) loses its unconsumed messages as
 * before once nothing pins.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServiceRetentionTest {
  static final int SEGMENT = RetentionTestBrokers.SEGMENT;

  @TempDir Path dir;
  Broker broker;
  MessagingService service;
  MessageStore store;
  final AtomicInteger diskUse = new AtomicInteger(20);

  @BeforeEach
  void start() throws Exception {
    BrokerConfig config =
        RetentionTestBrokers.config(dir, System.currentTimeMillis())
            .autoCreateTopicEnable(false)
            .defaultTopicQueueNums(2);
    broker = Broker.start(config, InstantSource.system());
    service = broker.messagingService();
    store = broker.store();
    store.retention().useDiskUsage(path -> diskUse.get());
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
  }

  private SendResult send(String topic, String body) {
    return RetentionTestBrokers.send(service, topic, body, Map.of(), System.currentTimeMillis());
  }

  private void subscribe(String topic, String group, boolean pins) {
    assertThat(service.ensureTopic(topic).isOk()).isTrue();
    assertThat(service.ensureGroup(new GroupSettings(group, 5, true, pins, true)).isOk()).isTrue();
    assertThat(service.subscribe(new Subscription(group, topic, FilterType.TAG, "*", true)).isOk())
        .isTrue();
  }

  private List<ReceivedMessage> pop(String topic, String group) {
    return service
        .pop(new PopCommand(group, topic, -1, 32, 60_000, 0, FilterType.TAG, "*", false))
        .join()
        .messages();
  }

  private static String name(ReceivedMessage m) {
    String s = new String(m.body(), java.nio.charset.StandardCharsets.UTF_8);
    return s.substring(0, s.indexOf('-'));
  }

  @Test
  void aQueueKeepsWhatItHasNotFinishedAndAFullDiskRefusesPublishersThroughTheService()
      throws Exception {
    subscribe("orders", "orders-queue", true);
    subscribe("metrics", "metrics-reader", false);
    Set<String> sent = new HashSet<>();
    for (int i = 0; i < 150; i++) { // about five segments, both topics interleaved
      assertThat(send("orders", "o" + i).status()).isEqualTo(Status.OK);
      sent.add("o" + i);
      assertThat(send("metrics", "m" + i).status()).isEqualTo(Status.OK);
    }
    assertThat(store.awaitDispatched(Duration.ofSeconds(10))).isTrue();
    long end = store.commitLogMaxOffset();
    org.awaitility.Awaitility.await().until(() -> store.commitLogFlushedOffset() >= end);
    assertThat(end).isGreaterThan(4L * SEGMENT);

    diskUse.set(95);
    assertThat(store.retention().deleteExpired()).isZero();
    assertThat(store.commitLogMinOffset()).isZero();
    assertThat(store.retention().lastHoldingPin().group()).isEqualTo("orders-queue");
    SendResult refused = send("orders", "late");
    assertThat(refused.status()).isEqualTo(Status.DISK_FULL);
    assertThat(refused.detail()).contains("diskSpaceWarningLevelRatio");

    // The consumer takes and acknowledges everything while publishers are refused.
    Set<String> got = new HashSet<>();
    for (List<ReceivedMessage> batch = pop("orders", "orders-queue");
        !batch.isEmpty();
        batch = pop("orders", "orders-queue")) {
      for (ReceivedMessage m : batch) {
        got.add(name(m));
        assertThat(service.ack(m.receipt()).join()).isEqualTo(AckStatus.OK);
      }
    }
    assertThat(got).isEqualTo(sent);

    // Nothing pins now: the plain group's unread messages go as they always did.
    assertThat(store.retention().deleteExpired()).isPositive();
    assertThat(store.commitLogMinOffset()).isPositive();
    assertThat(store.retention().lastHoldingPin()).isNull();
    assertThat(service.minOffset("metrics", 0) + service.minOffset("metrics", 1)).isPositive();
    diskUse.set(50);
    store.retention().runOnce();
    assertThat(send("orders", "again").status()).isEqualTo(Status.OK);
  }
}
