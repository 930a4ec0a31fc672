package io.wharfmq.store;

import static io.wharfmq.store.MessageStoreTest.msg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: the store runs on a small tmpfs (mounting needs root, which CI has), filled up
 * by the store itself until allocation fails.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FullDiskTest {
  @TempDir Path tmp;
  Path mount;
  boolean mounted;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);

  @BeforeEach
  void mountSmallFilesystem() throws Exception {
    mount = tmp.resolve("small-disk");
    Files.createDirectories(mount);
    Process p =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", mount.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    mounted = p.waitFor() == 0;
    assumeThat(mounted).as("mounting a 12 MiB tmpfs needs root: %s", out).isTrue();
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  void appendsFailFastWhenFullKeepWhatWasStoredAndResumeWhenSpaceReturns() throws Exception {
    Path filler = mount.resolve("filler");
    try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
      byte[] chunk = new byte[1 << 20];
      for (int i = 0; i < 6; i++) {
        f.write(chunk);
      }
    }
    StoreConfig config =
        new StoreConfig(mount.resolve("data"))
            .mappedFileSizeCommitLog(1024 * 1024)
            .maxMessageSize(64 * 1024)
            .consumeQueueEntriesPerFile(1000)
            .maxHashSlotNum(64)
            .maxIndexNum(200);
    List<AppendResult> acked = new ArrayList<>();
    AppendResult failed = null;
    try (MessageStore store = MessageStore.open(config, clock)) {
      for (int i = 0; i < 20_000 && failed == null; i++) {
        AppendResult r = store.append(msg("T", 0, "m" + i + "x".repeat(1000), null, null)).get();
        if (r.isOk()) {
          acked.add(r);
        } else {
          failed = r;
        }
      }
      assertThat(failed).as("the disk filled up").isNotNull();
      assertThat(failed.status()).isEqualTo(AppendStatus.DISK_FULL);
      assertThat(failed.detail()).contains("no space");
      assertThat(acked).hasSizeGreaterThan(1000);
      // Still full: the next append of that size fails at once, too, and nothing stored was
      // damaged. (A smaller one may still fit in the active segment, which is right.)
      assertThat(store.append(msg("T", 0, "again" + "x".repeat(1100), null, null)).get().status())
          .isEqualTo(AppendStatus.DISK_FULL);
      for (AppendResult r : acked) {
        assertThat(store.readMessage(r.physicalOffset())).isNotNull();
      }

      Files.delete(filler);
      // Enough to need new segments again.
      for (int i = 0; i < 2000; i++) {
        AppendResult resumed =
            store.append(msg("T", 0, "r" + i + "x".repeat(1000), null, null)).get();
        assertThat(resumed.status()).isEqualTo(AppendStatus.OK);
        assertThat(resumed.queueOffset()).isEqualTo(acked.size());
        acked.add(resumed);
      }
      assertThat(store.awaitDispatched(Duration.ofSeconds(30))).isTrue();
      assertThat(store.maxOffset("T", 0)).isEqualTo(acked.size());
    }
    try (MessageStore store = MessageStore.open(config, clock)) {
      assertThat(store.maxOffset("T", 0)).isEqualTo(acked.size());
      for (AppendResult r : acked) {
        String body =
            new String(store.readMessage(r.physicalOffset()).body(), StandardCharsets.UTF_8);
        assertThat(body).matches("[mr][0-9]+x+");
      }
    } catch (IOException e) {
      throw new AssertionError("reopen after a full disk failed", e);
    }
  }
}
