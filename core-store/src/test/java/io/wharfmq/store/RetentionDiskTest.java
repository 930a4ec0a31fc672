package io.wharfmq.store;

import static io.wharfmq.store.MessageStoreTest.msg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.wharfmq.store.retention.DiskUsage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
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
  Path mount;
  boolean mounted;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);

  @BeforeEach
  void mountExt4WithALargeReserve() throws Exception {
    Path image = tmp.resolve("disk.img");
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(64L * 1024 * 1024);
    }
    mount = Files.createDirectories(tmp.resolve("mnt"));
    String mkfs = run("mkfs.ext4", "-q", "-F", "-m", "40", image.toString());
    assumeThat(mkfs).as("mkfs.ext4 -m 40 on a file: %s", mkfs).isEmpty();
    String out = run("mount", "-o", "loop", image.toString(), mount.toString());
    mounted = out.isEmpty();
    assumeThat(mounted)
        .as("loop-mounting an ext4 image needs root and loop devices: %s", out)
        .isTrue();
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      if (!run("umount", mount.toString()).isEmpty()) {
        run("umount", "-l", mount.toString());
      }
    }
  }

  @Test
  void theRatioIsWhatDfShowsNotCountingReservedBlocksAsUsed() throws Exception {
    fillTo(50);
    int ours = DiskUsage.FILE_SYSTEM.usedPercent(mount);
    assertThat(ours).isCloseTo(dfUsePercent(), org.assertj.core.data.Offset.offset(1));
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
      fillTo(80);
      int use = DiskUsage.FILE_SYSTEM.usedPercent(mount);
      assertThat(use).isBetween(76, 84).isCloseTo(dfUsePercent(), offsetOne());
      assertThat(store.retention().deleteExpired())
          .as("nothing younger than fileReservedTime goes at %d %% (df %d %%)", use, use)
          .isZero();
      assertThat(store.commitLogMinOffset()).isZero();
      assertThat(store.readMessage(acked.get(0).physicalOffset())).isNotNull();
      assertThat(store.retention().writesRefused()).isFalse();

      // Past 85 %: the oldest go, whatever their age, until use is back at or under 85 %.
      fillTo(88);
      int high = DiskUsage.FILE_SYSTEM.usedPercent(mount);
      assertThat(high).isGreaterThan(85).isCloseTo(dfUsePercent(), offsetOne());
      assertThat(store.retention().deleteExpired()).isPositive();
      assertThat(store.commitLogMinOffset()).isPositive();
      assertThat(DiskUsage.FILE_SYSTEM.usedPercent(mount)).isLessThanOrEqualTo(85);
      assertThat(store.readMessage(acked.get(acked.size() - 1).physicalOffset())).isNotNull();
    }
  }

  private static org.assertj.core.data.Offset<Integer> offsetOne() {
    return org.assertj.core.data.Offset.offset(1);
  }

  /** Grows a filler file until df's ratio (used / (used + available)) reaches about {@code pct}. */
  private void fillTo(int pct) throws IOException {
    FileStore fs = Files.getFileStore(mount);
    long used = fs.getTotalSpace() - fs.getUnallocatedSpace();
    long entire = used + fs.getUsableSpace();
    long more = entire * pct / 100 - used;
    if (more <= 0) {
      return;
    }
    Path filler = mount.resolve("filler-" + pct);
    try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
      byte[] chunk = new byte[64 * 1024];
      for (long done = 0; done < more; done += chunk.length) {
        f.write(chunk, 0, (int) Math.min(chunk.length, more - done));
      }
      f.getFD().sync();
    }
  }

  private int dfUsePercent() throws Exception {
    String out = run("df", "--output=pcent", mount.toString());
    String[] lines = out.trim().split("\n");
    return Integer.parseInt(lines[lines.length - 1].trim().replace("%", ""));
  }

  /** Runs a command; returns its output if it failed, else "" (or the output of df). */
  private static String run(String... cmd) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      return e.getMessage();
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();
    if (cmd[0].equals("df")) {
      return out;
    }
    return code == 0 ? "" : "exit " + code + ": " + out.trim();
  }
}
