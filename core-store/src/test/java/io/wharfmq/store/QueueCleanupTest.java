package io.wharfmq.store;

import static io.wharfmq.store.MessageStoreTest.msg;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Admin clean-up of whole consume queues: of deleted or unused topics, and of expired queues. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueueCleanupTest {
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

  private static void fill(MessageStore store, String topic, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      store.append(msg(topic, 0, topic + i + "x".repeat(1000), null, null)).get();
    }
  }

  @Test
  void deletingATopicsQueuesRemovesTheirFilesAndLaterRecordsContinueItsOffsets() throws Exception {
    Path goneDir = dir.resolve("consumequeue").resolve("Gone");
    try (MessageStore store = MessageStore.open(config(), clock)) {
      fill(store, "Gone", 30);
      fill(store, "Kept", 5);
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      assertThat(goneDir).isDirectory();
      assertThat(store.queueTopics()).contains("Gone", "Kept");

      assertThat(store.deleteTopicQueues("Gone"::equals).get(5, TimeUnit.SECONDS)).isEqualTo(1);

      assertThat(goneDir).doesNotExist();
      assertThat(store.maxOffset("Gone", 0)).isEqualTo(30);
      assertThat(store.minOffset("Gone", 0)).isEqualTo(30);
      assertThat(store.queueEntry("Gone", 0, 29)).isNull();
      assertThat(store.maxOffset("Kept", 0)).isEqualTo(5);
      assertThat(store.queueEntry("Kept", 0, 4)).isNotNull();

      fill(store, "Gone", 1);
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      assertThat(store.maxOffset("Gone", 0)).isEqualTo(31);
      assertThat(store.queueEntry("Gone", 0, 30)).isNotNull();
    }
    try (MessageStore store = MessageStore.open(config(), clock)) {
      assertThat(store.maxOffset("Gone", 0)).isEqualTo(31);
      assertThat(store.queueEntry("Gone", 0, 30)).isNotNull();
      assertThat(store.maxOffset("Kept", 0)).isEqualTo(5);
    }
  }

  @Test
  void deletesOnlyQueuesWhoseMessagesAllLeftTheCommitLog() throws Exception {
    try (MessageStore store = MessageStore.open(config(), clock)) {
      fill(store, "Old", 300); // ~5 segments
      fill(store, "Mid", 130); // as old, but its last segment stays: the next one is fresh
      clock.advance(72 * HOUR);
      fill(store, "Fresh", 80);
      assertThat(store.awaitDispatched(Duration.ofSeconds(5))).isTrue();
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> store.commitLogFlushedOffset() >= store.commitLogMaxOffset());
      // Before retention nothing has expired.
      assertThat(store.deleteExpiredQueues().get(5, TimeUnit.SECONDS)).isZero();
      assertThat(store.retention().deleteExpired()).isPositive();
      assertThat(dir.resolve("consumequeue").resolve("Old")).isDirectory();

      assertThat(store.deleteExpiredQueues().get(5, TimeUnit.SECONDS)).isEqualTo(1);

      assertThat(dir.resolve("consumequeue").resolve("Old")).doesNotExist();
      assertThat(dir.resolve("consumequeue").resolve("Mid")).isDirectory();
      assertThat(store.queueEntry("Mid", 0, 129)).isNotNull();
      assertThat(Files.isDirectory(dir.resolve("consumequeue").resolve("Fresh"))).isTrue();
      assertThat(store.maxOffset("Fresh", 0)).isEqualTo(80);
      assertThat(store.queueEntry("Fresh", 0, 79)).isNotNull();
      assertThat(store.deleteExpiredQueues().get(5, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  void aClosedStoreRefusesCleanUp() throws Exception {
    MessageStore store = MessageStore.open(config(), clock);
    store.close();
    assertThat(store.deleteExpiredQueues())
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableThat()
        .withMessageContaining("dispatcher has stopped");
  }
}
