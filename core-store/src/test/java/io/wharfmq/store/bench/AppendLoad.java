package io.wharfmq.store.bench;

import io.wharfmq.store.AppendResult;
import io.wharfmq.store.MessageStore;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Recorder;

/**
 * Appends to a {@link MessageStore} from {@code threads} threads, each keeping up to {@code window}
 * appends in flight (1 = synchronous appends one at a time), until a time or byte budget is spent.
 * Latency runs from just before {@code append} (so it includes encoding) to the completion of its
 * future. Thread {@code i} appends to queue {@code i} of one topic. One run at a time; the caller's
 * thread drives it.
 */
final class AppendLoad {
  private final MessageStore store;
  private final byte[] body;
  private final int recordSize;
  private final int threads;
  private final int window;
  private final InstantSource clock;
  private final AtomicLong submittedBytes = new AtomicLong();
  private int runs;

  AppendLoad(
      MessageStore store,
      byte[] body,
      int recordSize,
      int threads,
      int window,
      InstantSource clock) {
    this.store = store;
    this.body = body;
    this.recordSize = recordSize;
    this.threads = threads;
    this.window = window;
    this.clock = clock;
  }

  /**
   * Runs until {@code durationNanos} passed or {@code byteBudget} more record bytes were submitted,
   * then waits for every append in flight.
   */
  Sample run(long durationNanos, long byteBudget) throws InterruptedException {
    long byteLimit = submittedBytes.get() + byteBudget;
    Recorder latency = new Recorder(1, TimeUnit.MINUTES.toNanos(1), 3);
    AtomicLong completed = new AtomicLong();
    AtomicReference<String> failure = new AtomicReference<>();
    CountDownLatch startGate = new CountDownLatch(1);
    long[] startedAt = new long[1];
    List<Thread> workers = new ArrayList<>();
    runs++;
    for (int i = 0; i < threads; i++) {
      BenchMessages messages = new BenchMessages(i, body, ((long) runs << 32) | i, clock.millis());
      Thread t =
          new Thread(
              () -> {
                try {
                  startGate.await();
                  appendUntil(
                      messages,
                      startedAt[0] + durationNanos,
                      byteLimit,
                      latency,
                      completed,
                      failure);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "bench-append-" + i);
      t.start();
      workers.add(t);
    }
    startedAt[0] = System.nanoTime();
    startGate.countDown();
    for (Thread t : workers) {
      t.join();
    }
    long elapsed = System.nanoTime() - startedAt[0];
    if (failure.get() != null) {
      throw new IllegalStateException("append failed during the benchmark: " + failure.get());
    }
    long n = completed.get();
    return new Sample(n, n * recordSize, elapsed, latency.getIntervalHistogram());
  }

  private void appendUntil(
      BenchMessages messages,
      long deadline,
      long byteLimit,
      Recorder latency,
      AtomicLong completed,
      AtomicReference<String> failure)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(window);
    while (System.nanoTime() < deadline
        && submittedBytes.addAndGet(recordSize) <= byteLimit
        && failure.get() == null) {
      inFlight.acquire();
      var message = messages.next();
      long start = System.nanoTime();
      store
          .append(message)
          .whenComplete(
              (AppendResult r, Throwable e) -> {
                latency.recordValue(System.nanoTime() - start);
                if (e != null || !r.isOk()) {
                  failure.compareAndSet(
                      null, e != null ? e.toString() : r.status() + " " + r.detail());
                } else {
                  completed.incrementAndGet();
                }
                inFlight.release();
              });
    }
    inFlight.acquire(window);
  }
}
