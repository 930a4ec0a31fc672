package io.wharfmq.store;

import static io.wharfmq.store.MessageStoreTest.msg;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wharfmq.store.retention.RetentionPins;
import io.wharfmq.store.retention.RetentionService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Retention with pins (groups with queue semantics): neither age nor disk pressure deletes a
 * segment holding or following the lowest pin; a full disk refuses new messages instead, while
 * bookkeeping records (acks) still go in; deletion resumes once the pin moves.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetentionPinsTest {
  private static final int SEGMENT = 64 * 1024;
  private static final long HOUR = 3_600_000L;

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);
  final AtomicInteger diskUse = new AtomicInteger(20);
  final AtomicReference<RetentionPins.Pin> pin = new AtomicReference<>();
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  final Logger logger = (Logger) LoggerFactory.getLogger(RetentionService.class);
  private int sequence;

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
  }

  /** At the delete hour when {@code deleteHour}, else an hour later (only disk use counts). */
  private MessageStore open(boolean deleteHour) throws Exception {
    int hour = Instant.ofEpochMilli(clock.millis()).atZone(ZoneId.systemDefault()).getHour();
    StoreConfig config =
        new StoreConfig(dir)
            .mappedFileSizeCommitLog(SEGMENT)
            .flushIntervalCommitLog(20)
            .flushCommitLogThoroughInterval(20)
            .maxMessageSize(16 * 1024)
            .consumeQueueEntriesPerFile(20)
            .maxHashSlotNum(16)
            .maxIndexNum(40)
            .fileReservedTimeHours(72)
            .deleteWhen(deleteHour ? hour : (hour + 1) % 24);
    MessageStore store = MessageStore.open(config, clock);
    store.retention().useDiskUsage(path -> diskUse.get());
    store.retention().pinBy(pin::get);
    return store;
  }

  private List<AppendResult> fill(MessageStore store, int count) throws Exception {
    List<AppendResult> results = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      AppendResult r =
          store.append(msg("Q", 0, "m" + sequence++ + "x".repeat(1000), null, null)).get();
      assertThat(r.isOk()).as("append %s", r).isTrue();
      results.add(r);
    }
    assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
    long end = store.commitLogMaxOffset();
    Awaitility.await("flushed").until(() -> store.commitLogFlushedOffset() >= end);
    return results;
  }

  private static RetentionPins.Pin pinOn(AppendResult r) {
    return new RetentionPins.Pin(r.physicalOffset(), "cg-queue", "Q", 0, r.queueOffset());
  }

  private List<String> warnings() {
    return logs.list.stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains("cg-queue"))
        .toList();
  }

  @Test
  void expiredSegmentsGoOnlyUpToThePinnedOneAndTheRestOnceThePinMoves() throws Exception {
    try (MessageStore store = open(true)) {
      List<AppendResult> old = fill(store, 300); // ~5 segments
      clock.advance(96 * HOUR); // the same hour of day, and all of them expired
      List<AppendResult> fresh = fill(store, 80);
      AppendResult pinned = old.get(150); // in the third segment or so
      long pinnedSegment = pinned.physicalOffset() / SEGMENT;
      pin.set(pinOn(pinned));

      assertThat(store.retention().deleteExpired()).isEqualTo(pinnedSegment);
      assertThat(store.commitLogMinOffset()).isEqualTo(pinnedSegment * SEGMENT);
      assertThat(store.readMessage(pinned.physicalOffset())).isNotNull();
      assertThat(store.retention().lastHoldingPin()).isEqualTo(pinOn(pinned));
      assertThat(warnings())
          .singleElement()
          .satisfies(
              w ->
                  assertThat(w)
                      .contains("consumer group cg-queue")
                      .contains("Q@0:" + pinned.queueOffset())
                      .contains("older than fileReservedTime"));

      pin.set(null); // the group acknowledged everything
      assertThat(store.retention().deleteExpired()).isPositive();
      assertThat(store.readMessage(pinned.physicalOffset())).isNull();
      assertThat(store.retention().lastHoldingPin()).isNull();
      for (AppendResult r : fresh) {
        assertThat(store.readMessage(r.physicalOffset())).isNotNull();
      }
    }
  }

  @Test
  void aFullDiskRefusesNewMessagesInsteadOfDeletingPinnedOnesButTakesBookkeeping()
      throws Exception {
    try (MessageStore store = open(false)) {
      List<AppendResult> all = fill(store, 300);
      pin.set(pinOn(all.get(0)));
      diskUse.set(95); // past every ratio: forced deletion and refusal
      assertThat(store.retention().deleteExpired()).isZero();
      assertThat(store.commitLogMinOffset()).isZero();
      assertThat(store.retention().writesRefused()).isTrue();
      assertThat(store.append(msg("Q", 0, "refused", null, null)).get().status())
          .isEqualTo(AppendStatus.DISK_FULL);
      assertThat(store.appendInternal(msg("POP_LOG", 0, "ack", null, null)).get().isOk())
          .as("an ack goes in while publishers are refused")
          .isTrue();
      assertThat(warnings())
          .singleElement()
          .satisfies(
              w ->
                  assertThat(w)
                      .contains("00000000000000000000")
                      .contains("diskSpaceCleanForciblyRatio")
                      .contains("new messages are refused"));

      // The consumer finishes the first 200: the pin moves, the segments before it go.
      AppendResult next = all.get(200);
      pin.set(pinOn(next));
      // Each deleted segment frees three points; forcing would go on, but the pin stops it.
      store.retention().useDiskUsage(path -> (int) (95 - store.commitLogMinOffset() / SEGMENT * 3));
      assertThat(store.retention().deleteExpired()).isEqualTo(next.physicalOffset() / SEGMENT);
      assertThat(store.readMessage(next.physicalOffset())).isNotNull();
      store.retention().runOnce();
      assertThat(store.retention().writesRefused())
          .as("use %d%%", store.retention().lastUsedPercent())
          .isFalse();
      assertThat(store.append(msg("Q", 0, "accepted again", null, null)).get().isOk()).isTrue();
    }
  }

  @Test
  void thePinWarningIsRateLimitedPerGroupAndSegment() throws Exception {
    try (MessageStore store = open(false)) {
      List<AppendResult> all = fill(store, 300);
      pin.set(pinOn(all.get(0)));
      diskUse.set(88);
      for (int i = 0; i < 5; i++) {
        store.retention().deleteExpired();
      }
      assertThat(warnings()).hasSize(1);
      clock.advance(RetentionService.PIN_WARNING_INTERVAL_MS);
      store.retention().deleteExpired();
      assertThat(warnings()).hasSize(2);
      pin.set(new RetentionPins.Pin(all.get(0).physicalOffset(), "cg-other", "Q", 0, 0));
      store.retention().deleteExpired();
      assertThat(logs.list.stream().map(ILoggingEvent::getFormattedMessage))
          .anySatisfy(m -> assertThat(m).contains("consumer group cg-other"));
      assertThat(store.commitLogMinOffset()).isZero();
    }
  }

  @Test
  void whenThePinsCannotBeComputedNothingIsDeleted() throws Exception {
    try (MessageStore store = open(true)) {
      fill(store, 300);
      clock.advance(96 * HOUR);
      fill(store, 80);
      store
          .retention()
          .pinBy(
              () -> {
                throw new IllegalStateException("offsets unreadable");
              });
      assertThat(store.retention().deleteExpired()).isZero();
      assertThat(store.commitLogMinOffset()).isZero();
      assertThat(logs.list)
          .anySatisfy(
              e -> {
                assertThat(e.getLevel()).isEqualTo(Level.ERROR);
                assertThat(e.getFormattedMessage()).contains("Cannot compute retention pins");
              });
    }
  }

  @Test
  void withoutPinsRetentionIsAsBefore() throws Exception {
    try (MessageStore store = open(false)) {
      fill(store, 300);
      diskUse.set(95);
      assertThat(store.retention().deleteExpired()).isPositive();
      assertThat(warnings()).isEmpty();
    }
  }
}
