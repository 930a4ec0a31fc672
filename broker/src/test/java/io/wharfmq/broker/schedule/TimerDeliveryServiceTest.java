package io.wharfmq.broker.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.store.AppendResult;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.timer.TimerLogRecord;
import io.wharfmq.store.timer.TimerStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The broker's half of timers over a real store: rewrite, delivery, once-only after a restart. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimerDeliveryServiceTest {
  static final long NOW = 1_700_000_000_000L;

  @TempDir Path dir;
  MessageStore store;
  TimerDeliveryService delivery;

  @BeforeEach
  void open() throws Exception {
    store =
        MessageStore.open(
            new StoreConfig(dir)
                .mappedFileSizeCommitLog(1024 * 1024)
                .maxMessageSize(64 * 1024)
                .maxHashSlotNum(64)
                .maxIndexNum(1000),
            InstantSource.system());
    delivery = new TimerDeliveryService(store);
  }

  @AfterEach
  void close() throws Exception {
    store.close();
  }

  TimerLogRecord storeTimer(String uniqKey, long due) {
    Map<String, String> props = new HashMap<>();
    props.put(MessageProperties.UNIQ_KEY, uniqKey);
    props.put(TimerRewrite.TIMER_DELIVER_MS, Long.toString(due));
    MessageToStore m =
        MessageToStore.of(
            "Orders",
            3,
            "x".getBytes(StandardCharsets.UTF_8),
            MessageProperties.encode(props),
            NOW);
    AppendResult r = store.append(TimerRewrite.toTimer(m, props, due)).join();
    assertThat(r.isOk()).isTrue();
    return new TimerLogRecord(0, 0, -1, r.physicalOffset(), 0, due, due, r.queueOffset());
  }

  long storedInOrders() {
    assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
    return store.maxOffset("Orders", 3);
  }

  @Test
  void aDueTimerGoesBackToItsTopicWithoutTheTimerBookkeeping() {
    TimerLogRecord r = storeTimer("U1", NOW + 5_000);
    StoredMessage waiting = store.readMessage(r.commitLogOffset());
    assertThat(waiting.topic()).isEqualTo(TimerStore.TIMER_TOPIC);
    assertThat(waiting.propertyMap()).containsEntry(TimerStore.TIMER_OUT_MS, "1700000005000");

    assertThat(delivery.deliver(r, false).join()).isTrue();
    assertThat(storedInOrders()).isEqualTo(1);
    StoredMessage copy = store.readMessage(store.queueEntry("Orders", 3, 0).physicalOffset());
    assertThat(copy.propertyMap())
        .doesNotContainKeys("REAL_TOPIC", "REAL_QID", TimerStore.TIMER_OUT_MS)
        .containsEntry(TimerRewrite.TIMER_DELIVER_MS, "1700000005000")
        .containsEntry(TimerRewrite.TIMER_SOURCE, Long.toString(r.commitLogOffset()))
        .containsEntry(MessageProperties.UNIQ_KEY, "U1");
  }

  @Test
  void aTimerMarkedPossiblyDeliveredIsStoredOnlyIfItWasNot() throws Exception {
    TimerLogRecord delivered = storeTimer("U1", NOW);
    TimerLogRecord notYet = storeTimer("U2", NOW);
    assertThat(delivery.deliver(delivered, false).join()).isTrue();
    assertThat(storedInOrders()).isEqualTo(1);
    // After a restart both are handed over again, marked: only the second is stored.
    store.close();
    open();
    assertThat(delivery.deliver(delivered, true).join()).isTrue();
    assertThat(delivery.deliver(notYet, true).join()).isTrue();
    assertThat(storedInOrders()).isEqualTo(2);
  }

  @Test
  void aRetriedTimerIsNotStoredAgainWhileTheIndexLagsItsFirstCopy() throws Exception {
    TimerLogRecord r = storeTimer("U1", NOW);
    assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
    // Hold the dispatcher (it runs this predicate for each consume queue) so that the index lags
    // the copy stored next, as it may for a moment on a busy machine.
    CountDownLatch dispatcherHeld = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Integer> held =
        store.deleteTopicQueues(
            topic -> {
              dispatcherHeld.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return false;
            });
    assertThat(dispatcherHeld.await(10, TimeUnit.SECONDS)).isTrue();
    try {
      assertThat(delivery.deliver(r, false).join()).isTrue();
      // The batch is retried (another append of it failed): the copy is not in the index yet.
      assertThat(delivery.deliver(r, true).join()).as("not known yet: retry later").isFalse();
    } finally {
      release.countDown();
    }
    held.join();
    assertThat(storedInOrders()).isEqualTo(1);
    assertThat(delivery.deliver(r, true).join()).isTrue();
    assertThat(storedInOrders()).isEqualTo(1);
  }

  @Test
  void dueTimesFollowRocketMqPrecedenceAndLimits() throws Exception {
    long max = 3_600_000;
    assertThat(TimerRewrite.deliverMs(Map.of("TIMER_DELAY_SEC", "2"), NOW, max))
        .isEqualTo(NOW + 2000);
    assertThat(TimerRewrite.deliverMs(Map.of("TIMER_DELAY_MS", "250"), NOW, max))
        .isEqualTo(NOW + 250);
    assertThat(
            TimerRewrite.deliverMs(
                Map.of("TIMER_DELAY_MS", "250", "TIMER_DELIVER_MS", "5"), NOW, max))
        .isEqualTo(NOW + 250);
    assertThat(TimerRewrite.deliverMs(Map.of("TIMER_DELIVER_MS", "5"), NOW, max)).isEqualTo(5);
    assertThatThrownBy(() -> TimerRewrite.deliverMs(Map.of("TIMER_DELAY_SEC", "1h"), NOW, max))
        .isInstanceOf(TimerRewrite.InvalidTimerException.class)
        .hasMessageContaining("TIMER_DELAY_SEC must be a number");
    assertThatThrownBy(() -> TimerRewrite.deliverMs(Map.of("TIMER_DELAY_MS", "3600001"), NOW, max))
        .hasMessageContaining("max delay 3600000ms");
    assertThatThrownBy(
            () ->
                TimerRewrite.deliverMs(
                    Map.of("TIMER_DELAY_SEC", Long.toString(Long.MAX_VALUE / 10)), NOW, max))
        .isInstanceOf(TimerRewrite.InvalidTimerException.class);
  }
}
