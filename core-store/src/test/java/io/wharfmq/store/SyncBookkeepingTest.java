package io.wharfmq.store;

import static io.wharfmq.store.MessageStoreTest.msg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With SYNC flush, bookkeeping appends (the pop log) neither wait for an fsync nor cause one: the
 * next group commit covers them, or the idle writer once they have waited long enough.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SyncBookkeepingTest {
  @TempDir Path dir;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);

  @Test
  void bookkeepingAloneIsNotSyncedUntilAGroupCommitOrItsDelay() throws Exception {
    StoreConfig config =
        new StoreConfig(dir)
            .flushDiskType(StoreConfig.FlushMode.SYNC)
            .mappedFileSizeCommitLog(256 * 1024)
            .maxMessageSize(16 * 1024);
    try (MessageStore store = MessageStore.open(config, clock)) {
      AppendResult first =
          store.append(msg("T", 0, "durable", null, null)).get(10, TimeUnit.SECONDS);
      assertThat(first.isOk()).isTrue();
      long synced = store.commitLogFlushedOffset();
      assertThat(synced).isEqualTo(store.commitLogMaxOffset());

      for (int i = 0; i < 20; i++) {
        assertThat(
                store
                    .appendBookkeeping(msg("B", 0, "pop-" + i, null, null))
                    .get(10, TimeUnit.SECONDS)
                    .isOk())
            .isTrue();
      }
      // Nothing waited for an fsync, and none was made for bookkeeping alone (the clock stands).
      assertThat(store.commitLogMaxOffset()).isGreaterThan(synced);
      assertThat(store.commitLogFlushedOffset()).isEqualTo(synced);

      // A durable append's group commit covers everything written before it.
      assertThat(store.append(msg("T", 0, "again", null, null)).get(10, TimeUnit.SECONDS).isOk())
          .isTrue();
      assertThat(store.commitLogFlushedOffset()).isEqualTo(store.commitLogMaxOffset());

      // Bookkeeping left alone is synced by the idle writer once its delay has passed.
      assertThat(
              store
                  .appendBookkeeping(msg("B", 0, "late", null, null))
                  .get(10, TimeUnit.SECONDS)
                  .isOk())
          .isTrue();
      long end = store.commitLogMaxOffset();
      assertThat(store.commitLogFlushedOffset()).isLessThan(end);
      clock.advance(1_000);
      await().atMost(Duration.ofSeconds(5)).until(() -> store.commitLogFlushedOffset() == end);
    }
  }
}
