package io.wharfmq.store;

import static io.wharfmq.store.MessageStoreTest.msg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.wharfmq.store.commitlog.StoredBytes;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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

  private long segmentFiles() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("commitlog"))) {
      return s.count();
    }
  }

  @Test
  void deletesExpiredSegmentsAtTheConfiguredHourButNotTheActiveOne() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
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
    try (MessageStore store = MessageStore.open(config(), clock)) {
      assertThat(store.commitLogMinOffset()).isPositive();
      assertThat(store.maxOffset("T", 0)).isEqualTo(380);
    }
  }

  @Test
  void doesNothingOutsideTheDeleteHour() throws Exception {
    StoreConfig cfg = config();
    cfg.deleteWhen((cfg.deleteWhen() + 1) % 24);
    try (MessageStore store = MessageStore.open(cfg, clock)) {
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
    try (MessageStore store = MessageStore.open(config(), clock)) {
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

  @Test
  void deletesOldestSegmentsAtOnceWhenDiskUseIsAboveTheHighWaterMark() throws Exception {
    FileStore fs = Files.getFileStore(dir);
    int used = (int) ((fs.getTotalSpace() - fs.getUsableSpace()) * 100 / fs.getTotalSpace());
    assumeThat(used)
        .as("needs a disk at least 10%% full to exercise the high-water path; it is %d%%", used)
        .isGreaterThanOrEqualTo(10);
    StoreConfig cfg = config();
    cfg.deleteWhen((cfg.deleteWhen() + 1) % 24).diskMaxUsedSpaceRatio(10);
    try (MessageStore store = MessageStore.open(cfg, clock)) {
      List<AppendResult> all = fill(store, 300); // nothing expired: only disk use triggers
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      awaitFlushed(store);
      long before = segmentFiles();
      assertThat(store.retention().deleteExpired()).isPositive();
      assertThat(segmentFiles()).isLessThan(before);
      // The active segment stays, with the newest message.
      assertThat(store.readMessage(all.get(all.size() - 1).physicalOffset())).isNotNull();
      assertThat(store.append(msg("T", 0, "still writable", null, null)).get().isOk()).isTrue();
    }
  }

  private static void awaitFlushed(MessageStore store) {
    long target = store.commitLogMaxOffset();
    org.awaitility.Awaitility.await("log flushed")
        .atMost(Duration.ofSeconds(10))
        .until(() -> store.commitLogFlushedOffset() >= target);
  }
}
