package io.wharfmq.broker.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.offset.ConsumerOffsetManager;
import io.wharfmq.broker.pop.PopDeadLetters;
import io.wharfmq.broker.pop.PopLog;
import io.wharfmq.broker.pop.PopService;
import io.wharfmq.broker.subscription.SubscriptionGroupManager;
import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import io.wharfmq.store.AppendStatus;
import io.wharfmq.store.MessageFilter;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.retention.RetentionPins.Pin;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pin computation on a real store, offsets, groups and POP state: which groups pin, at which
 * queue offset, and the commit-log offset the store is told.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueueRetentionPinsTest {
  static final String TOPIC = "Q";

  @TempDir Path dir;

  static final class TestClock implements InstantSource {
    long millis = 1_700_000_000_000L;

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }
  }

  final TestClock clock = new TestClock();
  MessageStore store;
  ConsumerOffsetManager offsets;
  SubscriptionGroupManager groups;
  PopService pops;
  QueueRetentionPins pins;

  @BeforeEach
  void open() throws Exception {
    BrokerConfig config = new BrokerConfig(dir);
    config.store().mappedFileSizeCommitLog(1024 * 1024).maxMessageSize(64 * 1024);
    config.store().maxHashSlotNum(100).maxIndexNum(400);
    store = MessageStore.open(config.store(), clock);
    Path configDir = dir.resolve("config");
    offsets = new ConsumerOffsetManager(configDir);
    offsets.load();
    groups = new SubscriptionGroupManager(configDir, clock, true, 16);
    groups.load();
    TopicConfigManager topics = new TopicConfigManager(configDir, clock);
    topics.load(true, 4);
    InetSocketAddress host = new InetSocketAddress("127.0.0.1", 10911);
    pops =
        new PopService(
            config,
            g -> g.equals("cg-dlq") ? 0 : 16,
            store,
            offsets,
            clock,
            new PopLog(store, offsets, clock, host),
            new PopDeadLetters(store, topics, () -> {}, host));
    pops.load();
    pins = new QueueRetentionPins(groups, offsets::committedOffsets, store);
    pins.countPops(pops::oldestUnfinished);
    // Ten messages on each of two queues, interleaved in the log.
    for (int i = 0; i < 10; i++) {
      for (int q = 0; q < 2; q++) {
        assertThat(
                store
                    .append(MessageToStore.of(TOPIC, q, new byte[] {(byte) i}, "", clock.millis()))
                    .join()
                    .isOk())
            .isTrue();
      }
    }
    assertThat(store.awaitDispatched(Duration.ofSeconds(10))).isTrue();
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  private void group(String name, Map<String, String> attributes) throws Exception {
    SubscriptionGroupConfig defaults = SubscriptionGroupConfig.defaults(name, 16);
    assertThat(
            groups.put(
                SubscriptionGroupConfig.of(
                    name,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    defaults.subscriptionDataSet(),
                    attributes)))
        .isNull();
  }

  private Pin expected(String group, int queueId, long offset) {
    return new Pin(
        store.queueEntry(TOPIC, queueId, offset).physicalOffset(), group, TOPIC, queueId, offset);
  }

  @Test
  void plainGroupsPinNothingHoweverFarBehind() throws Exception {
    group("cg-plain", Map.of());
    group("cg-off", Map.of(QueueRetentionPins.ATTRIBUTE, "false"));
    offsets.commit("cg-plain", TOPIC, 0, 0);
    offsets.commit("cg-off", TOPIC, 0, 0);
    offsets.commit("cg-unknown", TOPIC, 0, 0); // no subscription group at all
    assertThat(pins.lowest()).isNull();
  }

  @Test
  void aQueueGroupPinsItsLowestCommittedOffsetAcrossQueues() throws Exception {
    group("cg-queue", Map.of(QueueRetentionPins.ATTRIBUTE, "true"));
    offsets.commit("cg-queue", TOPIC, 0, 6);
    offsets.commit("cg-queue", TOPIC, 1, 3);
    assertThat(pins.lowest()).isEqualTo(expected("cg-queue", 1, 3));
    offsets.commit("cg-queue", TOPIC, 1, 8);
    assertThat(pins.lowest()).isEqualTo(expected("cg-queue", 0, 6));
    offsets.commit("cg-queue", TOPIC, 0, 10);
    offsets.commit("cg-queue", TOPIC, 1, 10);
    assertThat(pins.lowest()).as("finished everything stored").isNull();
  }

  @Test
  void theLowestPinOfSeveralGroupsWinsAndTheAdminToolsPlusPrefixCounts() throws Exception {
    group("cg-a", Map.of(QueueRetentionPins.ATTRIBUTE, "true"));
    group("cg-b", Map.of("+" + QueueRetentionPins.ATTRIBUTE, "TRUE"));
    offsets.commit("cg-a", TOPIC, 0, 5);
    offsets.commit("cg-a", TOPIC, 1, 5);
    offsets.commit("cg-b", TOPIC, 0, 2);
    offsets.commit("cg-b", TOPIC, 1, 9);
    assertThat(pins.lowest()).isEqualTo(expected("cg-b", 0, 2));
  }

  @Test
  void queuesOfAPinnedTopicWithoutAnOffsetArePinnedFromTheirStart() throws Exception {
    group("cg-queue", Map.of(QueueRetentionPins.ATTRIBUTE, "true"));
    offsets.commit("cg-queue", TOPIC, 1, 10); // done with queue 1, never read queue 0
    assertThat(pins.lowest()).isEqualTo(expected("cg-queue", 0, 0));
  }

  @Test
  void aTopicSubscribedThroughTheServiceIsPinnedBeforeTheGroupHasOffsetsThere() throws Exception {
    group(
        "cg-sub",
        Map.of(
            QueueRetentionPins.ATTRIBUTE,
            "true",
            QueueRetentionPins.SUBSCRIPTION_ATTRIBUTE_PREFIX + TOPIC,
            "TAG:*"));
    assertThat(pins.lowest()).isEqualTo(expected("cg-sub", 0, 0));
    group("cg-sub", Map.of(QueueRetentionPins.SUBSCRIPTION_ATTRIBUTE_PREFIX + TOPIC, "TAG:*"));
    assertThat(pins.lowest()).as("attribute cleared").isNull();
  }

  @Test
  void nonDurableGroupsPinThroughTheServicesView() throws Exception {
    offsets.commit("cg-temp", TOPIC, 0, 4);
    offsets.commit("cg-temp", TOPIC, 1, 10);
    assertThat(pins.lowest()).isNull();
    pins.countTransientGroups("cg-temp"::equals);
    assertThat(pins.lowest()).isEqualTo(expected("cg-temp", 0, 4));
  }

  @Test
  void aPopDeliveryNotAcknowledgedPinsEvenPastAHigherCommittedOffset() throws Exception {
    group("cg-pop", Map.of(QueueRetentionPins.ATTRIBUTE, "true"));
    PopService.PopResult popped =
        pops.pop(
                "cg-pop",
                TOPIC,
                new int[] {0},
                5,
                60_000,
                MessageFilter.ALL,
                PopService.INIT_MODE_MIN)
            .join();
    assertThat(popped.messages()).hasSize(5);
    offsets.commit("cg-pop", TOPIC, 1, 10);
    for (PopService.Delivered d : popped.messages().subList(1, 5)) {
      assertThat(pops.ack("cg-pop", TOPIC, 0, d.offset(), popped.popTime()).join())
          .isEqualTo(PopService.Outcome.OK);
    }
    assertThat(pins.lowest()).isEqualTo(expected("cg-pop", 0, 0));
    // A RocketMQ client committing past it (UPDATE_CONSUMER_OFFSET) does not release it.
    offsets.commit("cg-pop", TOPIC, 0, 7);
    assertThat(pins.lowest()).isEqualTo(expected("cg-pop", 0, 0));
    assertThat(pops.ack("cg-pop", TOPIC, 0, 0, popped.popTime()).join())
        .isEqualTo(PopService.Outcome.OK);
    assertThat(pins.lowest()).as("next unfinished: the first never popped").isNotNull();
    assertThat(pins.lowest().queueOffset()).isEqualTo(5);
  }

  @Test
  void whilePublishersAreRefusedAcksAndDeadLettersStillGoIn() throws Exception {
    group("cg-dlq", Map.of(QueueRetentionPins.ATTRIBUTE, "true"));
    PopService.PopResult popped =
        pops.pop("cg-dlq", TOPIC, new int[] {0}, 2, 1_000, MessageFilter.ALL, 0).join();
    assertThat(popped.messages()).hasSize(2);
    store.retention().pinBy(pins);
    store.retention().useDiskUsage(path -> 99);
    store.retention().runOnce();
    assertThat(store.retention().writesRefused()).isTrue();
    assertThat(store.append(MessageToStore.of(TOPIC, 0, new byte[] {1}, "", clock.millis())).join())
        .satisfies(r -> assertThat(r.status()).isEqualTo(AppendStatus.DISK_FULL));

    // An ack (pop log) goes in.
    long first = popped.messages().get(0).offset();
    assertThat(pops.ack("cg-dlq", TOPIC, 0, first, popped.popTime()).join())
        .isEqualTo(PopService.Outcome.OK);
    // The other, past its single allowed delivery, moves to the dead-letter queue.
    clock.millis += 2_000;
    pops.revive();
    Awaitility.await("dead letter stored")
        .atMost(Duration.ofSeconds(10))
        .until(() -> store.maxOffset("%DLQ%cg-dlq", 0) == 1);
    offsets.commit("cg-dlq", TOPIC, 1, 10); // done with queue 1
    assertThat(pins.lowest())
        .as("both finished: the next one pins")
        .isEqualTo(expected("cg-dlq", 0, 2));
  }
}
