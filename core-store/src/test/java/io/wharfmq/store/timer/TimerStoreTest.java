package io.wharfmq.store.timer;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.store.ManualClock;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.retention.RetentionPins;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timer log, wheel and checkpoint over a real message store, with a clock moved by hand and the
 * agent driven round by round. The delivery records what it was handed (the broker's part is tested
 * with real clients in the broker and interop modules).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimerStoreTest {
  static final long T0 = 1_700_000_000_000L;
  static final long PRECISION = 100;
  static final long STEP = 10;

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(T0);
  final Recorder delivered = new Recorder();
  MessageStore store;
  TimerStore timers;

  /** Records deliveries by body; skips (and counts) a re-handed one it has already seen. */
  final class Recorder implements TimerDelivery {
    final Map<String, Long> at = new HashMap<>();
    final List<String> order = new ArrayList<>();
    final List<String> rechecked = new ArrayList<>();
    int failNext;

    @Override
    public CompletableFuture<Boolean> deliver(TimerLogRecord r, boolean mayBeDeliveredAlready) {
      if (failNext > 0) {
        failNext--;
        return CompletableFuture.completedFuture(false);
      }
      StoredMessage m = store.readMessage(r.commitLogOffset());
      String body = new String(m.body(), StandardCharsets.UTF_8);
      if (mayBeDeliveredAlready) {
        rechecked.add(body);
        if (at.containsKey(body)) {
          return CompletableFuture.completedFuture(true);
        }
      }
      assertThat(at).as("delivered twice: " + body).doesNotContainKey(body);
      at.put(body, clock.millis());
      order.add(body);
      return CompletableFuture.completedFuture(true);
    }
  }

  TimerSettings settings(int windowSlots, int segmentRecords) {
    return settings(PRECISION, windowSlots, segmentRecords);
  }

  TimerSettings settings(long precision, int windowSlots, int segmentRecords) {
    return new TimerSettings(
        dir.resolve("timer"),
        precision,
        windowSlots,
        segmentRecords * TimerLogLayout.RECORD_SIZE,
        1000);
  }

  void open(TimerSettings s) throws Exception {
    store =
        MessageStore.open(
            new StoreConfig(dir.resolve("store"))
                .mappedFileSizeCommitLog(1024 * 1024)
                .maxMessageSize(64 * 1024)
                .maxHashSlotNum(64)
                .maxIndexNum(1000),
            clock);
    timers = TimerStore.open(store, s, clock, delivered);
  }

  @AfterEach
  void close() throws Exception {
    if (timers != null) {
      timers.close();
    }
    if (store != null) {
      store.close();
    }
  }

  void timer(String body, long deliverMs) {
    Map<String, String> props = Map.of(TimerStore.TIMER_OUT_MS, Long.toString(deliverMs));
    var r =
        store
            .append(
                MessageToStore.of(
                    TimerStore.TIMER_TOPIC,
                    0,
                    body.getBytes(StandardCharsets.UTF_8),
                    MessageProperties.encode(props),
                    clock.millis()))
            .join();
    assertThat(r.isOk()).isTrue();
    assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
  }

  /** Moves the clock to {@code untilMs} in steps, one agent round per step. */
  void runUntil(long untilMs) throws Exception {
    while (clock.millis() < untilMs) {
      clock.advance(STEP);
      timers.runOnce();
    }
  }

  @Test
  void deliversEachTimerInItsSlotNeverEarly() throws Exception {
    open(settings(100, 1000));
    timer("a", T0 + 250);
    timer("b", T0 + 1000);
    timer("c", T0 + 101);
    timer("past", T0 - 5000);
    timers.runOnce();
    assertThat(timers.pending()).isEqualTo(4);
    runUntil(T0 + 2000);
    assertThat(delivered.order).containsExactly("past", "c", "a", "b");
    assertThat(delivered.at.get("a")).isBetween(T0 + 250, T0 + 300 + STEP);
    assertThat(delivered.at.get("b")).isBetween(T0 + 1000, T0 + 1000 + STEP);
    assertThat(delivered.at.get("c")).isBetween(T0 + 101, T0 + 200 + STEP);
    assertThat(timers.pending()).isZero();
  }

  @Test
  void retentionIsPinnedAtTheSegmentOfTheOldestPendingTimerAcrossARestart() throws Exception {
    open(settings(50, 1000)); // 1 MiB commit-log segments
    timer("early", T0 + 1_000);
    for (int i = 0; i < 40; i++) { // past the first segment
      assertThat(
              store
                  .append(
                      MessageToStore.of(
                          "Plain", 0, new byte[30 * 1024], MessageProperties.encode(Map.of()), T0))
                  .join()
                  .isOk())
          .isTrue();
    }
    timer("late", T0 + 5_000);
    timers.runOnce();
    timers.checkpoint(); // the timer topic is read and that is durable: only pending timers pin
    assertThat(timers.pending()).isEqualTo(2);
    RetentionPins.Pin pin = timers.retentionPin();
    assertThat(pin.group()).isEqualTo("pending:timer messages");
    assertThat(pin.topic()).isEqualTo(TimerStore.TIMER_TOPIC);
    assertThat(pin.physicalOffset()).isZero();
    assertThat(pin.queueOffset()).isEqualTo(-1);

    runUntil(T0 + 1_100);
    assertThat(delivered.order).containsExactly("early");
    assertThat(timers.retentionPin().physicalOffset()).isEqualTo(1024 * 1024);

    timers.close();
    store.close();
    open(settings(50, 1000));
    assertThat(timers.retentionPin().physicalOffset())
        .as("counted again from the timer log's live records")
        .isEqualTo(1024 * 1024);
    runUntil(T0 + 5_100);
    assertThat(delivered.order).containsExactly("early", "late");
    timers.checkpoint();
    assertThat(timers.retentionPin()).isNull();
  }

  @Test
  void aTimerMessageNotReadYetPinsItsQueueEntry() throws Exception {
    open(settings(50, 1000));
    timer("unread", T0 + 1_000);
    RetentionPins.Pin pin = timers.retentionPin();
    assertThat(pin.physicalOffset()).isZero();
    assertThat(pin.queueOffset()).isZero();
  }

  @Test
  void timerBeyondTheWindowIsRolledAndDeliveredOnce() throws Exception {
    open(settings(10, 1000)); // a 1 s window
    timer("far", T0 + 5_555);
    timer("near", T0 + 500);
    runUntil(T0 + 5_000);
    assertThat(delivered.order).containsExactly("near");
    assertThat(timers.pending()).isEqualTo(1);
    runUntil(T0 + 8_000);
    assertThat(delivered.order).containsExactly("near", "far");
    assertThat(delivered.at.get("far")).isBetween(T0 + 5_555, T0 + 5_600 + STEP);
  }

  @Test
  void pendingTimersSurviveACleanRestart() throws Exception {
    open(settings(50, 1000));
    for (int i = 0; i < 20; i++) {
      timer("t" + i, T0 + 300 + i * 200L);
    }
    runUntil(T0 + 1_000); // t0..t3 delivered
    assertThat(delivered.order).containsExactly("t0", "t1", "t2", "t3");
    timers.close();
    store.close();
    clock.advance(10_000); // down for ten seconds: everything else is overdue
    open(settings(50, 1000));
    assertThat(timers.pending()).isEqualTo(16);
    runUntil(clock.millis() + 200);
    assertThat(delivered.order).hasSize(20).doesNotHaveDuplicates();
    assertThat(delivered.rechecked).doesNotContain("t0", "t1", "t2", "t3");
  }

  @Test
  void aCrashRehandsWhatWasDeliveredAfterTheCheckpointMarkedForChecking() throws Exception {
    open(settings(50, 1000));
    timers.runOnce(); // checkpoints (the first round always does) before any timer is stored
    for (int i = 0; i < 10; i++) {
      timer("t" + i, T0 + 100 + i * 100L);
    }
    runUntil(T0 + 600); // t0..t5 delivered, interval not over: no newer checkpoint
    assertThat(delivered.order).hasSize(6);
    timers.closeWithoutCheckpoint(); // as a kill -9 after the deliveries
    timers = null;
    store.close();
    open(settings(50, 1000));
    clock.advance(300); // the broker starts serving a while after the timer store opened
    runUntil(T0 + 2_000);
    assertThat(delivered.order).hasSize(10).doesNotHaveDuplicates();
    assertThat(delivered.rechecked).contains("t0", "t5");
  }

  @Test
  void aFailedDeliveryIsRetriedAndNothingIsLost() throws Exception {
    open(settings(50, 1000));
    timer("x", T0 + 100);
    timer("y", T0 + 100);
    delivered.failNext = 1; // x fails; y, handed over with it, is delivered
    runUntil(T0 + 90);
    clock.set(T0 + 100);
    timers.runOnce(); // fails x, then (same round) hands both over again, marked for checking
    assertThat(delivered.order).containsExactly("y", "x");
    assertThat(timers.dequeueMs()).isEqualTo(T0 + 200);
    assertThat(delivered.rechecked).containsExactly("x", "y");
    assertThat(timers.pending()).isZero();
  }

  @Test
  void aDamagedLogIsRebuiltFromTheTimerTopic() throws Exception {
    open(settings(50, 1000));
    timer("a", T0 + 3_000);
    timer("b", T0 + 4_000);
    timers.runOnce();
    timers.close();
    store.close();
    Path segment;
    try (Stream<Path> s = Files.list(dir.resolve("timer").resolve("timerlog"))) {
      segment = s.findFirst().orElseThrow();
    }
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), TimerLogLayout.RECORD_SIZE + 20);
    }
    open(settings(50, 1000));
    runUntil(T0 + 5_000);
    assertThat(delivered.order).containsExactly("a", "b");
  }

  @Test
  void segmentsOfDeliveredSlotsAreDeleted() throws Exception {
    open(settings(50, 4)); // four records per segment
    for (int i = 0; i < 20; i++) {
      timer("t" + i, T0 + 100 + i * 10L);
    }
    timers.runOnce();
    assertThat(timers.logSegments()).isEqualTo(5);
    runUntil(T0 + 500);
    timers.checkpoint();
    assertThat(delivered.order).hasSize(20);
    assertThat(timers.logSegments()).isLessThanOrEqualTo(1);
  }

  @Test
  void aChangedPrecisionOrWindowRebuildsTheTimersFromTheQueue() throws Exception {
    open(settings(100, 1000));
    timer("a", T0 + 1_010);
    timer("b", T0 + 9_990);
    runUntil(T0 + 500);
    timers.close();
    store.close();
    open(settings(30, 20, 1000)); // 30 ms slots, a 600 ms window
    runUntil(T0 + 12_000);
    assertThat(delivered.order).containsExactly("a", "b");
    assertThat(delivered.at.get("a")).isBetween(T0 + 1_010, T0 + 1_040 + STEP);
    assertThat(delivered.at.get("b")).isBetween(T0 + 9_990, T0 + 10_020 + STEP);
  }
}
