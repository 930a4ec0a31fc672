package io.wharfmq.store;

import static io.wharfmq.store.MessageStoreTest.msg;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.store.retention.DiskUsage;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention on a real file system whose reserved share is large: a 64 MiB ext4 image made with
 * {@code mkfs.ext4 -m 40} (40 % of blocks reserved for root) and loop-mounted by the test. Counting
 * reserved blocks as used, as Wharf once did, reads such a disk as far fuller than {@code df} does;
 * the ratio must match df's Use%, and segments younger than fileReservedTime must stay until use
 * passes diskSpaceCleanForciblyRatio. Mounting needs root and loop devices; without them the test
 * is skipped with the reason. The mount is removed in teardown.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RetentionDiskTest {
  private static final int SEGMENT = 1024 * 1024;

  @TempDir Path tmp;
  LoopMountedDisk disk;
  Path mount;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);

  @BeforeEach
  void mountExt4WithALargeReserve() throws Exception {
    disk = LoopMountedDisk.mount(tmp, 64L * 1024 * 1024, 40);
    mount = disk.path();
  }

  @AfterEach
  void unmount() throws Exception {
    if (disk != null) {
      disk.close();
    }
  }

  @Test
  void theRatioIsWhatDfShowsNotCountingReservedBlocksAsUsed() throws Exception {
    disk.fillTo(50);
    int ours = DiskUsage.FILE_SYSTEM.usedPercent(mount);
    assertThat(ours).isCloseTo(disk.dfUsePercent(), org.assertj.core.data.Offset.offset(1));
    FileStore fs = Files.getFileStore(mount);
    long countingReserved = (fs.getTotalSpace() - fs.getUsableSpace()) * 100 / fs.getTotalSpace();
    assertThat(countingReserved)
        .as("the old reading, reserved blocks counted as used, is far higher here")
        .isGreaterThan(ours + 20L);
  }

  @Test
  void youngSegmentsStayAboveDiskMaxUsedSpaceRatioAndGoOnlyPastTheForcedRatio() throws Exception {
    int hour = Instant.ofEpochMilli(clock.millis()).atZone(ZoneId.systemDefault()).getHour();
    StoreConfig config =
        new StoreConfig(mount.resolve("data"))
            .mappedFileSizeCommitLog(SEGMENT)
            .maxMessageSize(64 * 1024)
            .flushIntervalCommitLog(20)
            .flushCommitLogThoroughInterval(20)
            .consumeQueueEntriesPerFile(200)
            .maxHashSlotNum(64)
            .maxIndexNum(4000)
            .deleteWhen((hour + 1) % 24) // not the delete hour: only disk use can trigger
            .fileReservedTimeHours(72);
    assertThat(config.diskMaxUsedSpaceRatio()).isEqualTo(75);
    assertThat(config.diskSpaceCleanForciblyRatio()).isEqualTo(85);
    try (MessageStore store = MessageStore.open(config, clock)) {
      List<AppendResult> acked = new ArrayList<>();
      for (int i = 0; i < 4000; i++) { // ~4 segments, all young
        acked.add(store.append(msg("T", 0, "m" + i + "x".repeat(1000), null, null)).get());
      }
      assertThat(acked).allMatch(AppendResult::isOk);
      assertThat(store.awaitDispatched(Duration.ofSeconds(30))).isTrue();
      long end = store.commitLogMaxOffset();
      Awaitility.await().until(() -> store.commitLogFlushedOffset() >= end);
      store.checkpoints().runOnce();

      // df says 78-82 %: above diskMaxUsedSpaceRatio (75), below the forced ratio (85).
      disk.fillTo(80);
      int use = DiskUsage.FILE_SYSTEM.usedPercent(mount);
      assertThat(use).isBetween(76, 84).isCloseTo(disk.dfUsePercent(), offsetOne());
      assertThat(store.retention().deleteExpired())
          .as("nothing younger than fileReservedTime goes at %d %% (df %d %%)", use, use)
          .isZero();
      assertThat(store.commitLogMinOffset()).isZero();
      assertThat(store.readMessage(acked.get(0).physicalOffset())).isNotNull();
      assertThat(store.retention().writesRefused()).isFalse();

      // Past 85 %: the oldest go, whatever their age, until use is back at or under 85 %.
      disk.fillTo(88);
      int high = DiskUsage.FILE_SYSTEM.usedPercent(mount);
      assertThat(high).isGreaterThan(85).isCloseTo(disk.dfUsePercent(), offsetOne());
      assertThat(store.retention().deleteExpired()).isPositive();
      assertThat(store.commitLogMinOffset()).isPositive();
      assertThat(DiskUsage.FILE_SYSTEM.usedPercent(mount)).isLessThanOrEqualTo(85);
      assertThat(store.readMessage(acked.get(acked.size() - 1).physicalOffset())).isNotNull();
    }
  }

  private static org.assertj.core.data.Offset<Integer> offsetOne() {
    return org.assertj.core.data.Offset.offset(1);
  }
}
