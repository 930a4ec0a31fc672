package io.wharfmq.store.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharfmq.store.AppendResult;
import io.wharfmq.store.ManualClock;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.format.MessageToStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consume queues rebuilt from a log whose start went with retention begin in the middle of a
 * consume-queue file; they must keep their offsets across later restarts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueueRebuildRecoveryTest {
  private static final long HOUR = 3_600_000L;

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);

  StoreConfig config() {
    return new StoreConfig(dir)
        .mappedFileSizeCommitLog(64 * 1024)
        .maxMessageSize(8 * 1024)
        .flushIntervalCommitLog(5)
        .flushCommitLogThoroughInterval(5)
        .consumeQueueEntriesPerFile(200)
        .maxHashSlotNum(64)
        .maxIndexNum(256)
        .fileReservedTimeHours(1)
        .cleanResourceInterval(Integer.MAX_VALUE);
  }

  @Test
  void rebuiltQueueStartingMidFileKeepsItsOffsetsAfterReopen() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
      // About three segments of one queue, then an hour later one more message.
      for (int i = 0; i < 150; i++) {
        append(store, i);
      }
      clock.advance(2 * HOUR);
      append(store, 150);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  store.commitLogFlushedOffset() >= store.commitLogMaxOffset()
                      && store.dispatchedOffset() >= store.commitLogMaxOffset());
      store.config().deleteWhen(localHour());
      assertThat(store.retention().deleteExpired()).isPositive();
    }
    try (Stream<Path> files = Files.walk(dir.resolve("consumequeue"))) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    long min;
    try (MessageStore store = MessageStore.open(config(), clock)) {
      min = store.minOffset("T", 0);
      // Far enough into its file that a bisection for the end lands in the zeros before it.
      assertThat(min % 200).as("rebuilt queue starts mid-file, at %d", min).isGreaterThan(100);
      assertThat(store.maxOffset("T", 0)).isEqualTo(151);
    }
    try (MessageStore store = MessageStore.open(config(), clock)) {
      assertThat(store.minOffset("T", 0)).isEqualTo(min);
      assertThat(store.maxOffset("T", 0)).isEqualTo(151);
      assertThat(append(store, 151).queueOffset()).isEqualTo(151);
      assertThat(store.queueEntry("T", 0, min).physicalOffset())
          .isEqualTo(store.commitLogMinOffset());
    }
  }

  private AppendResult append(MessageStore store, int i) throws Exception {
    AppendResult r =
        store
            .append(MessageToStore.of("T", 0, new byte[1000 + i], "", 0L))
            .get(10, TimeUnit.SECONDS);
    assertThat(r.isOk()).isTrue();
    return r;
  }

  private int localHour() {
    return Instant.ofEpochMilli(clock.millis()).atZone(ZoneId.systemDefault()).getHour();
  }
}
