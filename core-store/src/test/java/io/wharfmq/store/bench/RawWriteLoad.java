package io.wharfmq.store.bench;

import io.wharfmq.store.mapped.MappedFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * The raw baseline: {@code threads} threads write the same record bytes the store would write,
 * sequentially into one pre-allocated file (zero-filled exactly as the store allocates its
 * segments), each at a position reserved with one atomic add. With {@code fsync} every thread
 * forces its own write to disk before the next one (the SYNC baseline at the same concurrency);
 * without, writes stay in the page cache (the ASYNC baseline). Latency is one write (plus its
 * force). Not thread-safe: one run at a time, then {@link #close}.
 */
final class RawWriteLoad implements AutoCloseable {
  /** How bytes reach the file. */
  enum Method {
    /** Copy into a MappedByteBuffer, force with msync: what the store does. */
    MMAP,
    /** pwrite from a direct buffer with FileChannel.write, force with fdatasync. */
    CHANNEL
  }

  private final Method method;
  private final byte[] record;
  private final int threads;
  private final boolean fsync;
  private final MappedFile mapped;
  private final FileChannel channel;
  private final AtomicLong nextPosition = new AtomicLong();

  /** Pre-allocates {@code fileSize} bytes at {@code file}. */
  RawWriteLoad(Method method, Path file, int fileSize, byte[] record, int threads, boolean fsync)
      throws IOException {
    this.method = method;
    this.record = record;
    this.threads = threads;
    this.fsync = fsync;
    MappedFile allocated = MappedFile.create(file, 0, fileSize);
    if (method == Method.MMAP) {
      mapped = allocated;
      channel = null;
    } else {
      allocated.close();
      mapped = null;
      channel = FileChannel.open(file, StandardOpenOption.WRITE);
    }
  }

  /** Writes until {@code durationNanos} passed or {@code byteBudget} more bytes were written. */
  Sample run(long durationNanos, long byteBudget) throws InterruptedException {
    long limit = Math.min(nextPosition.get() + byteBudget, fileSize());
    Histogram[] latencies = new Histogram[threads];
    long[] written = new long[threads];
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch startGate = new CountDownLatch(1);
    long[] startedAt = new long[1];
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int id = i;
      latencies[i] = new Histogram(1, TimeUnit.MINUTES.toNanos(1), 3);
      Thread t =
          new Thread(
              () -> {
                try {
                  startGate.await();
                  written[id] = writeUntil(startedAt[0] + durationNanos, limit, latencies[id]);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (IOException | RuntimeException e) {
                  failure.compareAndSet(null, e);
                }
              },
              "bench-raw-" + i);
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
      throw new IllegalStateException("raw write failed", failure.get());
    }
    Histogram all = new Histogram(1, TimeUnit.MINUTES.toNanos(1), 3);
    long n = 0;
    for (int i = 0; i < threads; i++) {
      all.add(latencies[i]);
      n += written[i];
    }
    return new Sample(n, n * record.length, elapsed, all);
  }

  private long writeUntil(long deadline, long limit, Histogram latency) throws IOException {
    ByteBuffer source;
    ByteBuffer target = null;
    if (method == Method.MMAP) {
      source = null;
      target = mapped.buffer().duplicate();
    } else {
      source = ByteBuffer.allocateDirect(record.length);
      source.put(record).flip();
    }
    long count = 0;
    while (true) {
      long start = System.nanoTime();
      if (start >= deadline) {
        return count;
      }
      long pos = nextPosition.getAndAdd(record.length);
      if (pos + record.length > limit) {
        return count;
      }
      if (method == Method.MMAP) {
        target.put((int) pos, record);
        if (fsync) {
          mapped.force((int) pos, (int) pos + record.length);
        }
      } else {
        source.clear();
        while (source.hasRemaining()) {
          channel.write(source, pos + source.position());
        }
        if (fsync) {
          channel.force(false);
        }
      }
      latency.recordValue(System.nanoTime() - start);
      count++;
    }
  }

  private long fileSize() {
    try {
      return method == Method.MMAP ? mapped.size() : channel.size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    if (mapped != null) {
      mapped.close();
    }
    if (channel != null) {
      channel.close();
    }
  }
}
