package io.wharfmq.store.commitlog;

import io.wharfmq.store.mapped.FileNames;
import io.wharfmq.store.mapped.MappedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The commit log's segments and its read side. Segments are fixed-size mapped files named by their
 * 20-digit start offset, contiguous from the oldest kept segment to the active one.
 *
 * <p>Threading: the {@link CommitLogWriter} (whoever holds its append lock) appends segments and
 * advances {@link #publishedOffset()}; readers on any thread see bytes below the published offset
 * only. Retention removes segments from the front. The segment list is an immutable array swapped
 * under a lock, so readers never block.
 */
public final class CommitLog {
  private final Path dir;
  private final int segmentSize;
  private final Object listLock = new Object();
  private volatile MappedFile[] segments = new MappedFile[0];
  private volatile long publishedOffset;
  private volatile long flushedOffset;

  public CommitLog(Path dir, int segmentSize) {
    this.dir = dir;
    this.segmentSize = segmentSize;
  }

  /**
   * Maps the existing segments. They must be contiguous; a gap means files were removed by hand and
   * the store refuses to guess.
   */
  public void load() throws IOException {
    Files.createDirectories(dir);
    List<MappedFile> loaded = new ArrayList<>();
    long expected = -1;
    for (Path file : FileNames.listOffsetFiles(dir)) {
      long base = FileNames.offsetOf(file);
      if (base % segmentSize != 0) {
        throw new IOException(
            "Commit-log segment "
                + file
                + " does not start at a multiple of mappedFileSizeCommitLog ("
                + segmentSize
                + "): was the segment size changed? Start with the size the data was written with.");
      }
      if (expected >= 0 && base != expected) {
        throw new IOException(
            "Commit-log segments are not contiguous: expected "
                + FileNames.offsetName(expected)
                + " before "
                + file
                + ". Restore the missing segment or remove the later ones.");
      }
      loaded.add(MappedFile.open(file, base, segmentSize));
      expected = base + segmentSize;
    }
    segments = loaded.toArray(new MappedFile[0]);
  }

  public Path dir() {
    return dir;
  }

  public int segmentSize() {
    return segmentSize;
  }

  /** Offset up to which records are complete and visible to readers. */
  public long publishedOffset() {
    return publishedOffset;
  }

  /** Offset up to which records are on disk (fsync'ed). */
  public long flushedOffset() {
    return flushedOffset;
  }

  void publish(long offset) {
    publishedOffset = offset;
  }

  void flushedTo(long offset) {
    flushedOffset = offset;
  }

  /** Sets both marks after recovery, before the writer starts. */
  public void resetOffsets(long endOffset) {
    publishedOffset = endOffset;
    flushedOffset = endOffset;
  }

  /** Start offset of the oldest kept segment, or the published offset when there is none. */
  public long minOffset() {
    MappedFile[] s = segments;
    return s.length == 0 ? publishedOffset : s[0].baseOffset();
  }

  /** Snapshot of the segments, oldest first. */
  public MappedFile[] segments() {
    return segments;
  }

  /** The segment that holds {@code offset}, or null. */
  public MappedFile segmentFor(long offset) {
    MappedFile[] s = segments;
    if (s.length == 0) {
      return null;
    }
    long index = (offset - s[0].baseOffset()) / segmentSize;
    if (offset < s[0].baseOffset() || index >= s.length) {
      return null;
    }
    return s[(int) index];
  }

  /** Base offset of the segment that would hold {@code offset}. */
  public long segmentBase(long offset) {
    return offset - offset % segmentSize;
  }

  void addSegment(MappedFile file) {
    synchronized (listLock) {
      MappedFile[] s = segments;
      if (s.length > 0 && s[s.length - 1].baseOffset() + segmentSize != file.baseOffset()) {
        throw new IllegalStateException("non-contiguous segment " + file);
      }
      MappedFile[] next = new MappedFile[s.length + 1];
      System.arraycopy(s, 0, next, 0, s.length);
      next[s.length] = file;
      segments = next;
    }
  }

  /**
   * Reads {@code size} bytes at {@code offset} without copying. Returns null when the range is not
   * (or no longer) stored or not yet published. Close the result.
   */
  public StoredBytes read(long offset, int size) {
    if (size <= 0 || offset < 0 || offset + size > publishedOffset) {
      return null;
    }
    MappedFile file = segmentFor(offset);
    if (file == null || !file.retain()) {
      return null;
    }
    int pos = (int) (offset - file.baseOffset());
    if (pos + size > segmentSize) {
      file.release();
      return null;
    }
    ByteBuffer view = file.buffer().slice(pos, size);
    return new StoredBytes(file, offset, view);
  }

  /** Reads the whole record that starts at {@code offset}, using its size field. */
  public StoredBytes readRecord(long offset) {
    try (StoredBytes head = read(offset, 4)) {
      if (head == null) {
        return null;
      }
      int size = head.buffer().getInt(0);
      return size > 0 ? read(offset, size) : null;
    }
  }

  /**
   * Truncates the log at {@code offset}: recovery cutting at the first invalid record, or dropping
   * an unused pre-allocated segment. Segments that start after it are deleted; with {@code
   * zeroTail} the one holding it is zeroed from it on, so no stale bytes after the end can ever be
   * mistaken for records. Not for use while the writer runs.
   */
  public void truncateTo(long offset, boolean zeroTail) {
    synchronized (listLock) {
      List<MappedFile> keep = new ArrayList<>();
      for (MappedFile f : segments) {
        long base = f.baseOffset();
        if (base > offset) {
          f.destroy();
          continue;
        }
        if (zeroTail && offset < base + segmentSize) {
          zero(f, (int) (offset - base));
        }
        keep.add(f);
      }
      segments = keep.toArray(new MappedFile[0]);
    }
    publishedOffset = offset;
    flushedOffset = Math.min(flushedOffset, offset);
  }

  /** Zeroes [from, last non-zero byte] of a segment: only what a crash may have left there. */
  private void zero(MappedFile f, int from) {
    ByteBuffer buf = f.buffer();
    int end = segmentSize;
    while (end - 8 >= from && buf.getLong(end - 8) == 0) {
      end -= 8;
    }
    while (end > from && buf.get(end - 1) == 0) {
      end--;
    }
    byte[] zeros = new byte[64 * 1024];
    for (int pos = from; pos < end; pos += zeros.length) {
      buf.put(pos, zeros, 0, Math.min(zeros.length, end - pos));
    }
    f.force(from, end);
  }

  /**
   * Removes the oldest segment if more than one remains and {@code canDelete} approves it. Returns
   * it (already destroyed: it goes away once readers let go), or null.
   */
  public MappedFile removeOldestIf(java.util.function.Predicate<MappedFile> canDelete) {
    synchronized (listLock) {
      MappedFile[] s = segments;
      if (s.length < 2 || !canDelete.test(s[0])) {
        return null;
      }
      MappedFile[] next = new MappedFile[s.length - 1];
      System.arraycopy(s, 1, next, 0, next.length);
      segments = next;
      s[0].destroy();
      return s[0];
    }
  }

  /** Unmaps every segment (store shutdown). */
  public void close() {
    synchronized (listLock) {
      for (MappedFile f : segments) {
        f.close();
      }
      segments = new MappedFile[0];
    }
  }
}
