package io.wharfmq.store;

import static io.wharfmq.store.MessageStoreTest.msg;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.retention.ConsumerProgress;
import io.wharfmq.store.retention.DiskUsage;
import io.wharfmq.store.retention.RetentionService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetentionTest {
  private static final int SEGMENT = 64 * 1024;
  private static final long HOUR = 3_600_000L;

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);

  StoreConfig config() {
    int hour = Instant.ofEpochMilli(clock.millis()).atZone(ZoneId.systemDefault()).getHour();
    return new StoreConfig(dir)
        .mappedFileSizeCommitLog(SEGMENT)
        .flushIntervalCommitLog(20)
        .flushCommitLogThoroughInterval(20)
        .maxMessageSize(16 * 1024)
        .consumeQueueEntriesPerFile(20)
        .maxHashSlotNum(16)
        .maxIndexNum(40)
        .fileReservedTimeHours(72)
        .deleteWhen(hour)
        .diskMaxUsedSpaceRatio(95);
  }

  private int sequence;

  private List<AppendResult> fill(MessageStore store, int count) throws Exception {
    List<AppendResult> results = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = sequence++;
      results.add(store.append(msg("T", 0, "m" + n + "x".repeat(1000), null, "k" + n)).get());
    }
    return results;
  }

  private long segmentFiles() throws java.io.IOException {
    try (Stream<Path> s = Files.list(dir.resolve("commitlog"))) {
      return s.count();
    }
  }

  @Test
  void deletesExpiredSegmentsAtTheConfiguredHourButNotTheActiveOne() throws Exception {
    try (MessageStore store = open(config())) {
      List<AppendResult> old = fill(store, 300); // ~5 segments at time T
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      store.checkpoints().runOnce();

      // Not yet expired: nothing goes.
      assertThat(store.retention().deleteExpired()).isZero();

      // 73 h later (same hour of day, +1 day + 1 h: keep the hour equal to deleteWhen).
      clock.advance(72 * HOUR);
      List<AppendResult> fresh = fill(store, 80);
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      store.checkpoints().runOnce();
      awaitFlushed(store);

      long oldSegmentOfLastOld = old.get(old.size() - 1).physicalOffset() / SEGMENT;
      long deleted = store.retention().deleteExpired();
      assertThat(deleted).isGreaterThanOrEqualTo(oldSegmentOfLastOld);
      long min = store.commitLogMinOffset();
      assertThat(min).isGreaterThan(0);
      assertThat(min % SEGMENT).isZero();
      // Fresh messages and the active segment are untouched.
      for (AppendResult r : fresh) {
        assertThat(store.readMessage(r.physicalOffset())).isNotNull();
      }
      // Derived data moved with the log.
      long queueMin = store.minOffset("T", 0);
      assertThat(queueMin).isPositive();
      assertThat(store.queueEntry("T", 0, queueMin).physicalOffset()).isGreaterThanOrEqualTo(min);
      try (GetMessageResult got = store.getMessages("T", 0, 0, 10, MessageFilter.ALL)) {
        assertThat(got.status()).isEqualTo(GetMessageResult.Status.OFFSET_TOO_SMALL);
        assertThat(got.nextBeginOffset()).isEqualTo(queueMin);
      }
      assertThat(store.queryByKey("T", "k0", 10, 0, Long.MAX_VALUE)).isEmpty();
      assertThat(store.queryByKey("T", "k379", 10, 0, Long.MAX_VALUE)).hasSize(1);
    }
    // Survives a restart.
    try (MessageStore store = open(config())) {
      assertThat(store.commitLogMinOffset()).isPositive();
      assertThat(store.maxOffset("T", 0)).isEqualTo(380);
    }
  }

  @Test
  void doesNothingOutsideTheDeleteHour() throws Exception {
    StoreConfig cfg = config();
    cfg.deleteWhen((cfg.deleteWhen() + 1) % 24);
    try (MessageStore store = open(cfg)) {
      fill(store, 300);
      clock.advance(100 * HOUR); // hour of day moves by 4: still not the delete hour
      fill(store, 80);
      awaitFlushed(store);
      assertThat(store.retention().deleteExpired()).isZero();
      assertThat(store.commitLogMinOffset()).isZero();
    }
  }

  @Test
  void aReaderKeepsADeletedSegmentAliveUntilItLetsGo() throws Exception {
    try (MessageStore store = open(config())) {
      List<AppendResult> old = fill(store, 300);
      clock.advance(72 * HOUR);
      fill(store, 80);
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      awaitFlushed(store);
      Path firstSegment = dir.resolve("commitlog").resolve("00000000000000000000");
      try (StoredBytes held = store.readRecord(old.get(0).physicalOffset())) {
        assertThat(store.retention().deleteExpired()).isPositive();
        // The store no longer serves it, but the held view still reads valid bytes.
        assertThat(store.readMessage(old.get(0).physicalOffset())).isNull();
        assertThat(Files.exists(firstSegment)).isTrue();
        assertThat(held.buffer().getInt(0)).isEqualTo(old.get(0).sizes()[0]);
      }
      assertThat(Files.exists(firstSegment)).isFalse();
    }
  }

  /** Disk use as the test says it is. */
  final AtomicInteger diskUse = new AtomicInteger(20);

  private MessageStore openAtOtherHour() throws Exception {
    StoreConfig cfg = config();
    cfg.deleteWhen((cfg.deleteWhen() + 1) % 24).diskMaxUsedSpaceRatio(75);
    return open(cfg);
  }

  /** Opens a store whose retention sees {@link #diskUse}, not this machine's disk. */
  private MessageStore open(StoreConfig cfg) throws Exception {
    MessageStore store = MessageStore.open(cfg, clock);
    store.retention().useDiskUsage(path -> diskUse.get());
    return store;
  }

  @Test
  void aboveDiskMaxUsedSpaceRatioOnlySegmentsOlderThanFileReservedTimeGoAtAnyHour()
      throws Exception {
    try (MessageStore store = openAtOtherHour()) {
      List<AppendResult> old = fill(store, 300); // ~5 segments, young
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      awaitFlushed(store);
      diskUse.set(80); // above diskMaxUsedSpaceRatio 75, below diskSpaceCleanForciblyRatio 85
      long before = segmentFiles();
      assertThat(store.retention().deleteExpired()).isZero();
      assertThat(segmentFiles()).isEqualTo(before);
      assertThat(store.readMessage(old.get(0).physicalOffset())).isNotNull();

      clock.advance(73 * HOUR); // now they are older than fileReservedTime (72 h)
      fill(store, 80);
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      awaitFlushed(store);
      assertThat(store.retention().deleteExpired()).isPositive();
      assertThat(store.readMessage(old.get(0).physicalOffset())).isNull();
    }
  }

  @Test
  void pastTheForcedRatioTheOldestGoWhateverTheirAgeButOnlyWhileUseStaysPastIt() throws Exception {
    try (MessageStore store = openAtOtherHour()) {
      List<AppendResult> all = fill(store, 300);
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      awaitFlushed(store);
      long start = segmentFiles();
      // 87 % now; each deleted segment frees one point.
      store.retention().useDiskUsage(path -> (int) (87 - (start - segmentFiles())));
      assertThat(store.retention().deleteExpired())
          .as("87 -> 86 -> 85: at 85 %% (not above diskSpaceCleanForciblyRatio) forcing stops")
          .isEqualTo(2);
      assertThat(store.commitLogMinOffset()).isEqualTo(2L * SEGMENT);
      assertThat(store.readMessage(all.get(all.size() - 1).physicalOffset())).isNotNull();
    }
  }

  @Test
  void withoutCleanFileForciblyEnableYoungSegmentsStayEvenPastTheForcedRatio() throws Exception {
    StoreConfig cfg = config();
    cfg.deleteWhen((cfg.deleteWhen() + 1) % 24).cleanFileForciblyEnable(false);
    diskUse.set(89);
    try (MessageStore store = open(cfg)) {
      fill(store, 300);
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      awaitFlushed(store);
      assertThat(store.retention().deleteExpired()).isZero();
      assertThat(store.commitLogMinOffset()).isZero();
    }
  }

  @Test
  void pastTheWarningLevelAppendsAreRefusedUntilUseFallsAgain() throws Exception {
    try (MessageStore store = openAtOtherHour()) {
      fill(store, 10);
      diskUse.set(91);
      store.retention().runOnce();
      assertThat(store.retention().writesRefused()).isTrue();
      AppendResult refused = store.append(msg("T", 0, "no room", null, null)).get();
      assertThat(refused.status()).isEqualTo(AppendStatus.DISK_FULL);
      assertThat(refused.detail()).contains("91%").contains("diskSpaceWarningLevelRatio 90%");
      diskUse.set(60);
      store.retention().runOnce();
      assertThat(store.append(msg("T", 0, "room again", null, null)).get().isOk()).isTrue();
    }
  }

  @Test
  void deletingMessagesAGroupHasNotConsumedIsAWarningNamingGroupTopicAndCount() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(RetentionService.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try (MessageStore store = openAtOtherHour()) {
      fill(store, 300);
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      awaitFlushed(store);
      store
          .retention()
          .watchConsumers(
              () ->
                  List.of(
                      new ConsumerProgress.Committed("cg-behind", "T", 0, 5),
                      new ConsumerProgress.Committed("cg-done", "T", 0, 300)));
      diskUse.set(95);
      assertThat(store.retention().deleteExpired()).isPositive();
      long newStart = store.minOffset("T", 0);
      List<String> warnings =
          appender.list.stream()
              .filter(e -> e.getLevel() == Level.WARN)
              .map(ILoggingEvent::getFormattedMessage)
              .toList();
      assertThat(warnings)
          .anySatisfy(
              w ->
                  assertThat(w)
                      .contains("group cg-behind on T: " + (newStart - 5))
                      .contains("not consumed")
                      .doesNotContain("cg-done"));
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void diskUseIsWhatDfShowsReservedBlocksCountNeitherAsUsedNorAsAvailable() {
    // 100 GB file system, 50 GB free of which 45 GB available (5 GB reserved for root):
    // df Use% = 50 / (50 + 45) = 52.6 -> 53; (total - available) / total would be 55.
    long g = 1_000_000_000L;
    assertThat(DiskUsage.percent(100 * g, 50 * g, 45 * g)).isEqualTo(53);
    // The host: half used by df, though a quarter is reserved.
    assertThat(DiskUsage.percent(100 * g, 75 * g, 50 * g)).isEqualTo(34);
    assertThat(DiskUsage.percent(100 * g, 50 * g, 50 * g)).isEqualTo(50);
    assertThat(DiskUsage.percent(0, 0, 0)).isZero();
  }

  private static void awaitFlushed(MessageStore store) {
    long target = store.commitLogMaxOffset();
    org.awaitility.Awaitility.await("log flushed")
        .atMost(Duration.ofSeconds(10))
        .until(() -> store.commitLogFlushedOffset() >= target);
  }
}
