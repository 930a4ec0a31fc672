package io.wharfmq.store.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class IndexServiceConcurrencyTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final int READERS = 2;

  /** Each message indexes two keys, so a file of 2 * MESSAGES_PER_FILE + 1 entries holds this. */
  private static final int MESSAGES_PER_FILE = 5;

  @TempDir Path dir;

  /**
   * Readers query all the time while the writer appends and retention deletes files under them.
   * Without retain/release a reader would touch an unmapped file and crash the JVM; with it, every
   * answer is a descending run of offsets that were written.
   */
  @Test
  void queriesRunSafelyWhileFilesAreDeletedAndAdded() throws Exception {
    IndexService s = new IndexService(dir, 4, 2 * MESSAGES_PER_FILE + 1);
    s.load();
    AtomicLong written = new AtomicLong();
    for (int i = 1; i <= 20 * MESSAGES_PER_FILE; i++) {
      put(s, i, written);
    }

    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch allQuerying = new CountDownLatch(READERS);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> wrongAnswers = new ConcurrentLinkedQueue<>();
    AtomicLong queries = new AtomicLong();
    Thread[] readers = new Thread[READERS];
    for (int r = 0; r < READERS; r++) {
      readers[r] =
          new Thread(
              () -> {
                try {
                  while (!stop.get()) {
                    long max = written.get();
                    List<Long> found = s.query("T", "k", 1_000, 0, Long.MAX_VALUE);
                    check(found, max, wrongAnswers);
                    queries.incrementAndGet();
                    allQuerying.countDown();
                  }
                } catch (Throwable t) {
                  failures.add(t);
                  allQuerying.countDown();
                }
              },
              "index-reader-" + r);
      readers[r].start();
    }
    assertThat(allQuerying.await(20, TimeUnit.SECONDS)).as("readers started querying").isTrue();

    // Writer and retention interleave: each round adds a file's worth and deletes the oldest.
    int deleted = 0;
    for (int round = 0; round < 200; round++) {
      for (int j = 0; j < MESSAGES_PER_FILE; j++) {
        put(s, written.get() / 100 + 1, written);
      }
      deleted += s.deleteFilesBelow(100L * ((round + 1) * MESSAGES_PER_FILE + 1));
      s.flush();
    }
    stop.set(true);
    for (Thread t : readers) {
      t.join(TimeUnit.SECONDS.toMillis(20));
      assertThat(t.isAlive()).as("%s stopped", t.getName()).isFalse();
    }
    s.close();

    assertThat(failures).isEmpty();
    assertThat(wrongAnswers).isEmpty();
    assertThat(deleted).isEqualTo(200);
    assertThat(queries.get()).isGreaterThan(READERS);
  }

  private static void put(IndexService s, long i, AtomicLong written) throws Exception {
    s.put("T", "k", 100 * i, T0 + i);
    s.put("T", "noise" + i, 100 * i, T0 + i);
    written.set(100 * i);
  }

  /** Offsets of "k" are 100, 200, ...; an answer is a descending run of them. */
  private static void check(
      List<Long> found, long writtenBefore, ConcurrentLinkedQueue<String> bad) {
    long previous = Long.MAX_VALUE;
    for (long offset : found) {
      if (offset <= 0 || offset % 100 != 0 || offset >= previous) {
        bad.add("unexpected answer " + found);
        return;
      }
      previous = offset;
    }
    if (!found.isEmpty() && found.get(0) < writtenBefore) {
      bad.add("missed the newest offset " + writtenBefore + ": " + found);
    }
  }
}
