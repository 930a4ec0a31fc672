package io.wharfmq.store.mapped;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes zeros into a reserved-only file ({@link MappedFile#reserve}) a little ahead of the one
 * thread that appends to it sequentially (the commit-log writer into a segment, the dispatcher into
 * an index file's entries), on a daemon thread. The file already reads as zeros and owns its disk
 * blocks; this is for speed only. A first write through a mapping into a block fallocate reserved
 * but nobody wrote makes the file system convert the block inside the page fault and journal it,
 * which measured up to thirty times slower appends and, through the shared journal, stalls in
 * writers of other files; blocks written once (here, with zeros) take mapped writes at full speed.
 * Writing the zeros just ahead of the appender, instead of for the whole file at creation, is what
 * makes a fresh store's first start cheap: a trial that stores a few messages writes a few MiB of
 * zeros, not gigabytes.
 *
 * <p>Safety: zeros are written only at and above {@link #zeroedTo()}, under a lock, and the writer
 * never writes data at or above it without first calling {@link #ensure} (which takes the same lock
 * and moves the mark past the data). So zeros never land on data. A failed zero write only costs
 * speed: the segment still reads as zeros, so the mark jumps to the end and zeroing stops.
 *
 * <p>Thread-safe; {@link #ensure} is called by the holder of the commit log's append lock.
 */
public final class ZeroAhead {
  private static final Logger log = LoggerFactory.getLogger(ZeroAhead.class);
  public static final int CHUNK = 4 << 20;
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final MappedFile segment;
  private final LongSupplier writtenPosition;
  private final long ahead;
  private final ReentrantLock lock = new ReentrantLock();
  private final Thread thread;
  private volatile int zeroedTo;
  private volatile boolean stopped;

  /**
   * @param from where zeroing starts: the appender's position in the file (nothing below it is ever
   *     touched)
   * @param writtenPosition the position in the file up to which the appender has written
   * @param ahead how far ahead of that to zero (at least one {@link #CHUNK})
   * @param threadName name of the zeroing thread
   */
  public ZeroAhead(
      MappedFile file, int from, LongSupplier writtenPosition, long ahead, String threadName) {
    this.segment = file;
    this.ahead = Math.max(ahead, CHUNK);
    this.writtenPosition = writtenPosition;
    this.zeroedTo = from;
    this.thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Bytes of the file below this are written (zeros or data). */
  public int zeroedTo() {
    return zeroedTo;
  }

  /**
   * Makes sure bytes up to {@code end} are written, zeroing what is missing on the caller's thread
   * (rarely: only when the writer outruns the thread). Returns the new mark, at least {@code end}.
   */
  public int ensure(int end) {
    if (zeroedTo >= end) {
      return zeroedTo;
    }
    lock.lock();
    try {
      while (zeroedTo < end) {
        // Not synced: the appender is about to write there, and an fsync on its path would
        // stall every send behind it for longer than the slower mapped writes cost.
        zeroChunk(false);
      }
    } finally {
      lock.unlock();
    }
    LockSupport.unpark(thread);
    return zeroedTo;
  }

  /** Stops the thread (the file is full, or the store closes) and waits for it. */
  public void stop() {
    stopped = true;
    LockSupport.unpark(thread);
    if (thread.isAlive() && thread != Thread.currentThread()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    while (!stopped && zeroedTo < segment.size()) {
      long writerAt = writtenPosition.getAsLong();
      if (zeroedTo - writerAt >= ahead) {
        LockSupport.parkNanos(this, IDLE_PARK_NANOS);
        continue;
      }
      lock.lock();
      try {
        if (!stopped && zeroedTo < segment.size()) {
          zeroChunk(true);
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** Zeros the next chunk, and with {@code sync} forces it to disk. Holder of the lock only. */
  private void zeroChunk(boolean sync) {
    int from = zeroedTo;
    int to = (int) Math.min(segment.size(), (long) from + CHUNK);
    try {
      segment.writeZeros(from, to);
      if (sync) {
        // Synced before the writer gets there: the file system converts a reserved block to a
        // written one only when its data reaches the disk, and until then mapped writes into it
        // are as slow as into a block never written.
        segment.force(from, to);
      }
      zeroedTo = to;
    } catch (IOException e) {
      log.warn(
          "Cannot write zeros ahead in {} at {} ({}); appends into the rest of this segment are"
              + " slower",
          segment.path().getFileName(),
          from,
          e.toString());
      zeroedTo = segment.size();
    }
  }
}
