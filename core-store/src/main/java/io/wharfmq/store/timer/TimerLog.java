package io.wharfmq.store.timer;

import static io.wharfmq.store.timer.TimerLogLayout.RECORD_SIZE;

import io.wharfmq.store.mapped.FileNames;
import io.wharfmq.store.mapped.MappedFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * The timer log: fixed-size records (layout {@link TimerLogLayout}) appended to offset-named
 * segment files. A record is never changed after it is written; the records of one wheel slot are
 * chained backwards through PREV_POS. A segment is deleted once every record in it belongs to a
 * slot that was delivered. Owned by the timer thread; not thread-safe.
 */
public final class TimerLog implements AutoCloseable {
  private final Path dir;
  private final int segmentSize;
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private final ByteBuffer scratch = ByteBuffer.allocate(RECORD_SIZE);
  private final Executor background;
  private long end;
  private long flushed;

  /** The next segment, created in the background once the current one is half full. */
  private CompletableFuture<MappedFile> next;

  private long nextBase = -1;

  private static final class Segment {
    final MappedFile file;
    long maxSlotMs = Long.MIN_VALUE;

    Segment(MappedFile file) {
      this.file = file;
    }
  }

  private TimerLog(Path dir, int segmentSize, Executor background) {
    this.dir = dir;
    this.segmentSize = segmentSize;
    this.background = background;
  }

  /**
   * Opens the log in {@code dir}, keeping only what lies below {@code end} (the checkpointed
   * length): later segments are deleted and the tail of the last one is zeroed. New segments are
   * pre-allocated on {@code background}, so the appending thread does not wait for the zero-fill.
   */
  public static TimerLog open(Path dir, int segmentSize, long end, Executor background)
      throws IOException {
    if (segmentSize <= 0 || segmentSize % RECORD_SIZE != 0) {
      throw new IllegalArgumentException(
          "timer log segment size must be a positive multiple of " + RECORD_SIZE);
    }
    Files.createDirectories(dir);
    TimerLog log = new TimerLog(dir, segmentSize, background);
    for (Path p : FileNames.listOffsetFiles(dir)) {
      long base = FileNames.offsetOf(p);
      if (base >= end || base % segmentSize != 0) {
        Files.delete(p);
        continue;
      }
      log.segments.put(base, new Segment(MappedFile.open(p, base, segmentSize)));
    }
    log.end = end;
    Segment last = log.segments.isEmpty() ? null : log.segments.lastEntry().getValue();
    if (last != null) {
      if (log.end < last.file.baseOffset() + segmentSize) {
        ByteBuffer buf = last.file.buffer();
        for (int i = (int) (log.end - last.file.baseOffset()); i < segmentSize; i++) {
          buf.put(i, (byte) 0);
        }
        last.file.force(0, segmentSize);
      }
    }
    log.flushed = log.end;
    return log;
  }

  /** Position where the next record goes. */
  public long end() {
    return end;
  }

  /** Position of the oldest kept record. */
  public long start() {
    return segments.isEmpty() ? end : segments.firstKey();
  }

  /** Appends a record; returns its position. */
  public long append(
      int flags,
      long prevPos,
      long commitLogOffset,
      int messageSize,
      long deliverMs,
      long slotMs,
      long queueOffset)
      throws IOException {
    long base = end - end % segmentSize;
    Segment s = segments.get(base);
    if (s == null) {
      s =
          new Segment(
              MappedFile.create(dir.resolve(FileNames.offsetName(base)), base, segmentSize));
      segments.put(base, s);
    }
    ByteBuffer r = scratch.clear();
    r.putInt(TimerLogLayout.MAGIC, TimerLogLayout.MAGIC_VALUE);
    r.putInt(TimerLogLayout.FLAGS, flags);
    r.putLong(TimerLogLayout.PREV_POS, prevPos);
    r.putLong(TimerLogLayout.COMMIT_LOG_OFFSET, commitLogOffset);
    r.putInt(TimerLogLayout.MESSAGE_SIZE, messageSize);
    r.putInt(TimerLogLayout.RESERVED, 0);
    r.putLong(TimerLogLayout.DELIVER_MS, deliverMs);
    r.putLong(TimerLogLayout.SLOT_MS, slotMs);
    r.putLong(TimerLogLayout.QUEUE_OFFSET, queueOffset);
    r.putInt(TimerLogLayout.CRC, crc(r, 0));
    r.putInt(TimerLogLayout.RESERVED2, 0);
    s.file.buffer().put((int) (end - base), r.array(), 0, RECORD_SIZE);
    s.maxSlotMs = Math.max(s.maxSlotMs, slotMs);
    long pos = end;
    end += RECORD_SIZE;
    return pos;
  }

  private MappedFile newSegment(long base) throws IOException {
    if (base == nextBase && next != null) {
      CompletableFuture<MappedFile> f = next;
      next = null;
      try {
        return f.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof UncheckedIOException u) {
          throw u.getCause();
        }
        throw e;
      }
    }
    try {
      return create(base);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private MappedFile create(long base) {
    try {
      return MappedFile.create(dir.resolve(FileNames.offsetName(base)), base, segmentSize);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The record at {@code pos}, or null if it is not a valid record (magic or CRC wrong). */
  public TimerLogRecord read(long pos) {
    if (pos < start() || pos >= end || pos % RECORD_SIZE != 0) {
      return null;
    }
    Segment s = segments.get(pos - pos % segmentSize);
    if (s == null) {
      return null;
    }
    ByteBuffer buf = s.file.buffer();
    int at = (int) (pos % segmentSize);
    if (buf.getInt(at + TimerLogLayout.MAGIC) != TimerLogLayout.MAGIC_VALUE
        || buf.getInt(at + TimerLogLayout.CRC) != crc(buf, at)) {
      return null;
    }
    return new TimerLogRecord(
        pos,
        buf.getInt(at + TimerLogLayout.FLAGS),
        buf.getLong(at + TimerLogLayout.PREV_POS),
        buf.getLong(at + TimerLogLayout.COMMIT_LOG_OFFSET),
        buf.getInt(at + TimerLogLayout.MESSAGE_SIZE),
        buf.getLong(at + TimerLogLayout.DELIVER_MS),
        buf.getLong(at + TimerLogLayout.SLOT_MS),
        buf.getLong(at + TimerLogLayout.QUEUE_OFFSET));
  }

  /**
   * Calls {@code each} with every record from the oldest kept one to the end, in log order, and
   * learns each segment's latest slot on the way. Stops with an IOException at an invalid record:
   * everything below {@code end} was flushed before the checkpoint that names it.
   */
  public void scan(Consumer<TimerLogRecord> each) throws IOException {
    for (long pos = start(); pos < end; pos += RECORD_SIZE) {
      TimerLogRecord r = read(pos);
      if (r == null) {
        throw new IOException("timer log record at " + pos + " in " + dir + " is damaged");
      }
      Segment s = segments.get(pos - pos % segmentSize);
      s.maxSlotMs = Math.max(s.maxSlotMs, r.slotMs());
      each.accept(r);
    }
  }

  /** Writes every appended record to disk. */
  public void flush() {
    prepareFlush().run();
  }

  /**
   * What a flush of every record appended so far has to write, to run on any thread (the files are
   * retained until it ran). Lets the appending thread go on while the disk works.
   */
  public Runnable prepareFlush() {
    List<MappedFile> files = new ArrayList<>();
    List<int[]> ranges = new ArrayList<>();
    for (Segment s : segments.tailMap(flushed - flushed % segmentSize, true).values()) {
      long base = s.file.baseOffset();
      if (base < end && s.file.retain()) {
        files.add(s.file);
        ranges.add(
            new int[] {(int) Math.max(0, flushed - base), (int) Math.min(segmentSize, end - base)});
      }
    }
    flushed = end;
    return () -> {
      for (int i = 0; i < files.size(); i++) {
        try {
          files.get(i).force(ranges.get(i)[0], ranges.get(i)[1]);
        } finally {
          files.get(i).release();
        }
      }
    };
  }

  /**
   * Deletes full segments all of whose records belong to slots before {@code deliveredBeforeMs}
   * (they will never be read again). Returns how many were deleted.
   */
  public int deleteDelivered(long deliveredBeforeMs) {
    int deleted = 0;
    Iterator<Map.Entry<Long, Segment>> it = segments.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Segment> e = it.next();
      boolean full = e.getKey() + segmentSize <= end;
      if (!full || e.getValue().maxSlotMs >= deliveredBeforeMs) {
        break;
      }
      e.getValue().file.destroy();
      it.remove();
      deleted++;
    }
    return deleted;
  }

  /** Number of segment files. */
  public int segmentCount() {
    return segments.size();
  }

  @Override
  public void close() {
    flush();
    if (next != null) {
      try {
        next.join().destroy();
      } catch (CompletionException e) {
        // Pre-allocation failed; nothing to remove.
      }
    }
    for (Segment s : segments.values()) {
      s.file.close();
    }
    segments.clear();
  }

  private static int crc(ByteBuffer buf, int at) {
    CRC32 crc = new CRC32();
    crc.update(buf.slice(at, TimerLogLayout.CRC));
    return (int) crc.getValue();
  }
}
