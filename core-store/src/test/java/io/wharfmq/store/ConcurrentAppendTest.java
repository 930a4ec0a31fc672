package io.wharfmq.store;

import static io.wharfmq.store.MessageStoreTest.body;
import static io.wharfmq.store.MessageStoreTest.msg;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many threads appending at once without waiting for their answers: with ASYNC flush a caller that
 * finds the commit log free appends on its own thread, one that finds it busy queues for the writer
 * thread, so these tests mix both paths (and SYNC, which always queues).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrentAppendTest {
  @TempDir Path dir;
  final ManualClock clock = new ManualClock(1_700_000_000_000L);

  StoreConfig config(StoreConfig.FlushMode flush) {
    return new StoreConfig(dir)
        .flushDiskType(flush)
        .mappedFileSizeCommitLog(256 * 1024)
        .maxMessageSize(16 * 1024)
        .consumeQueueEntriesPerFile(1000);
  }

  private record Sent(String body, CompletableFuture<AppendResult> future) {}

  @ParameterizedTest
  @EnumSource(StoreConfig.FlushMode.class)
  void eachThreadsAppendsKeepTheirOrderAndEveryOffsetIsTakenOnce(StoreConfig.FlushMode flush)
      throws Exception {
    int threads = 4;
    int perThread = 1500;
    List<List<Sent>> sent = new ArrayList<>();
    try (MessageStore store = MessageStore.open(config(flush), clock)) {
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<Sent> mine = new ArrayList<>();
        sent.add(mine);
        int id = t;
        workers.add(
            new Thread(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    String b = id + "-" + i;
                    mine.add(new Sent(b, store.append(msg("T", 0, b, null, null))));
                  }
                }));
      }
      workers.forEach(Thread::start);
      for (Thread w : workers) {
        w.join();
      }
      Set<Long> taken = new HashSet<>();
      for (List<Sent> mine : sent) {
        long previous = -1;
        for (Sent s : mine) {
          AppendResult r = s.future().get(30, TimeUnit.SECONDS);
          assertThat(r.isOk()).as("%s: %s", s.body(), r).isTrue();
          assertThat(r.queueOffset()).as("order of %s", s.body()).isGreaterThan(previous);
          previous = r.queueOffset();
          assertThat(taken.add(r.queueOffset())).isTrue();
        }
      }
      assertThat(taken).hasSize(threads * perThread);
      // The consume queue is built by the dispatcher after the appends are acknowledged.
      assertThat(store.awaitDispatched(java.time.Duration.ofSeconds(30))).isTrue();
      assertThat(store.maxOffset("T", 0)).isEqualTo(threads * perThread);
    }
    // Everything acknowledged is where its offset says, after a restart too.
    try (MessageStore store = MessageStore.open(config(flush), clock)) {
      for (List<Sent> mine : sent) {
        for (Sent s : mine) {
          assertThat(readAt(store, s.future().join().queueOffset())).isEqualTo(s.body());
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(StoreConfig.FlushMode.class)
  void closingWhileThreadsAppendAnswersEveryAppendAndKeepsWhatItAcknowledged(
      StoreConfig.FlushMode flush) throws Exception {
    ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    MessageStore store = MessageStore.open(config(flush), clock);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int id = t;
      workers.add(
          new Thread(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  String b = id + "-" + i;
                  sent.add(new Sent(b, store.append(msg("T", 0, b, null, null))));
                  if (i % 64 == 63) {
                    Thread.yield();
                  }
                }
              }));
    }
    workers.forEach(Thread::start);
    TimeUnit.MILLISECONDS.sleep(300);
    store.close();
    stop.set(true);
    for (Thread w : workers) {
      w.join();
    }
    int ok = 0;
    List<Sent> acknowledged = new ArrayList<>();
    for (Sent s : sent) {
      AppendResult r = s.future().get(30, TimeUnit.SECONDS);
      if (r.isOk()) {
        ok++;
        acknowledged.add(s);
      } else {
        // Refused, and so not stored: after the close, or (SYNC, four unthrottled threads) while
        // the writer's queue was full.
        assertThat(r.status())
            .as("%s: %s", s.body(), r)
            .isIn(AppendStatus.STORE_CLOSED, AppendStatus.BUSY);
      }
    }
    assertThat(ok).isPositive();
    assertThat(sent.size()).isGreaterThan(ok); // some came after the close
    try (MessageStore reopened = MessageStore.open(config(flush), clock)) {
      assertThat(reopened.maxOffset("T", 0)).isEqualTo(ok);
      for (Sent s : acknowledged) {
        assertThat(readAt(reopened, s.future().join().queueOffset())).isEqualTo(s.body());
      }
    }
  }

  private static String readAt(MessageStore store, long queueOffset) {
    ConsumeQueueEntry e = store.queueEntry("T", 0, queueOffset);
    assertThat(e).as("entry %d", queueOffset).isNotNull();
    try (StoredBytes b = store.readRecord(e.physicalOffset())) {
      return body(b);
    }
  }
}
