package io.wharfmq.store.queue;

import io.wharfmq.store.mapped.FileNames;
import io.wharfmq.store.mapped.MappedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The consume queue of one (topic, queueId): fixed-size files of 20-byte entries ({@link
 * ConsumeQueueLayout}), named by the byte offset of their first entry, derived from the commit log
 * in log order by the dispatcher.
 *
 * <p>Threading: the dispatcher thread appends and trims; readers on any thread read entries below
 * {@link #maxOffset()}. The file list is an immutable array swapped under a lock.
 */
public final class ConsumeQueue {
  private final String topic;
  private final int queueId;
  private final Path dir;
  private final int fileSize;
  private final Object listLock = new Object();
  private volatile MappedFile[] files = new MappedFile[0];
  private volatile long maxOffset;
  private volatile long minOffset;
  private long flushedOffset;

  ConsumeQueue(String topic, int queueId, Path dir, int entriesPerFile) {
    this.topic = topic;
    this.queueId = queueId;
    this.dir = dir;
    this.fileSize = entriesPerFile * ConsumeQueueLayout.ENTRY_SIZE;
  }

  public String topic() {
    return topic;
  }

  public int queueId() {
    return queueId;
  }

  /** Next logical offset to be written: one past the last entry. */
  public long maxOffset() {
    return maxOffset;
  }

  /** First logical offset still readable. */
  public long minOffset() {
    return minOffset;
  }

  /** Maps existing files and finds the last written entry. */
  void load() throws IOException {
    List<MappedFile> loaded = new ArrayList<>();
    for (Path p : FileNames.listOffsetFiles(dir)) {
      loaded.add(MappedFile.open(p, FileNames.offsetOf(p), fileSize));
    }
    files = loaded.toArray(new MappedFile[0]);
    if (loaded.isEmpty()) {
      return;
    }
    MappedFile last = loaded.get(loaded.size() - 1);
    int entries = fileSize / ConsumeQueueLayout.ENTRY_SIZE;
    int lo = 0;
    int hi = entries;
    // First unwritten entry (size 0) of the last file; entries are written in order.
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (last.buffer().getInt(mid * ConsumeQueueLayout.ENTRY_SIZE + ConsumeQueueLayout.SIZE)
          != 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    maxOffset = last.baseOffset() / ConsumeQueueLayout.ENTRY_SIZE + lo;
    minOffset = loaded.get(0).baseOffset() / ConsumeQueueLayout.ENTRY_SIZE;
    flushedOffset = maxOffset;
  }

  /**
   * Appends the entry for a record at logical offset {@code queueOffset}. An offset already present
   * is skipped (re-dispatch after recovery); a gap means the log and queue disagree, which is a bug
   * and stops the dispatcher loudly.
   */
  public void append(long queueOffset, long physicalOffset, int size, long tagsCode)
      throws IOException {
    long max = maxOffset;
    if (queueOffset < max) {
      return;
    }
    if (queueOffset > max) {
      if (max == minOffset && files.length == 0) {
        // A queue whose files all went with retention: continue at the record's offset.
        minOffset = queueOffset;
        maxOffset = queueOffset;
      } else {
        throw new IllegalStateException(
            "consume queue "
                + topic
                + "/"
                + queueId
                + " expects offset "
                + max
                + " but the log holds "
                + queueOffset
                + " at "
                + physicalOffset);
      }
    }
    long bytePos = queueOffset * ConsumeQueueLayout.ENTRY_SIZE;
    MappedFile file = fileFor(bytePos);
    if (file == null) {
      file = addFile(bytePos - bytePos % fileSize);
    }
    int pos = (int) (bytePos - file.baseOffset());
    ByteBuffer buf = file.buffer();
    if (pos > 0 && files.length == 1 && buf.getInt(ConsumeQueueLayout.SIZE) == 0) {
      // First entry of a queue that starts mid-file: without holes before it, load() would take
      // the zeros there for the end of the queue.
      for (int hole = 0; hole < pos; hole += ConsumeQueueLayout.ENTRY_SIZE) {
        buf.putInt(hole + ConsumeQueueLayout.SIZE, ConsumeQueueLayout.HOLE_SIZE);
      }
    }
    buf.putLong(pos + ConsumeQueueLayout.PHYSICAL_OFFSET, physicalOffset);
    buf.putLong(pos + ConsumeQueueLayout.TAGS_CODE, tagsCode);
    buf.putInt(pos + ConsumeQueueLayout.SIZE, size);
    maxOffset = queueOffset + 1;
  }

  /** The entry at {@code queueOffset}, or null outside [min, max). */
  public ConsumeQueueEntry get(long queueOffset) {
    if (queueOffset < minOffset || queueOffset >= maxOffset) {
      return null;
    }
    long bytePos = queueOffset * ConsumeQueueLayout.ENTRY_SIZE;
    MappedFile file = fileFor(bytePos);
    if (file == null || !file.retain()) {
      return null;
    }
    try {
      int pos = (int) (bytePos - file.baseOffset());
      ByteBuffer buf = file.buffer();
      return new ConsumeQueueEntry(
          queueOffset,
          buf.getLong(pos + ConsumeQueueLayout.PHYSICAL_OFFSET),
          buf.getInt(pos + ConsumeQueueLayout.SIZE),
          buf.getLong(pos + ConsumeQueueLayout.TAGS_CODE));
    } finally {
      file.release();
    }
  }

  /**
   * Removes entries whose record starts at or after {@code physicalEnd} (recovery: the log was cut
   * there, or these entries will be re-dispatched). Dispatcher thread or recovery only.
   */
  void truncateFromPhysical(long physicalEnd) {
    long offset = maxOffset;
    while (offset > minOffset) {
      ConsumeQueueEntry e = get(offset - 1);
      if (e == null || e.physicalOffset() < physicalEnd) {
        break;
      }
      offset--;
    }
    for (long o = offset; o < maxOffset; o++) {
      long bytePos = o * ConsumeQueueLayout.ENTRY_SIZE;
      MappedFile file = fileFor(bytePos);
      if (file != null) {
        int pos = (int) (bytePos - file.baseOffset());
        file.buffer().put(pos, new byte[ConsumeQueueLayout.ENTRY_SIZE]);
      }
    }
    maxOffset = offset;
    flushedOffset = Math.min(flushedOffset, offset);
    deleteFilesAfter(offset * ConsumeQueueLayout.ENTRY_SIZE);
  }

  /**
   * Deletes the files that start after byte {@code bytePos}. They hold only truncated (zeroed)
   * entries, and {@link #load} takes the last file as the one holding the end: an empty file left
   * behind would move the max offset past entries that were cut.
   */
  private void deleteFilesAfter(long bytePos) {
    synchronized (listLock) {
      MappedFile[] fs = files;
      int keep = fs.length;
      while (keep > 0 && fs[keep - 1].baseOffset() > bytePos) {
        keep--;
      }
      if (keep == fs.length) {
        return;
      }
      MappedFile[] next = new MappedFile[keep];
      System.arraycopy(fs, 0, next, 0, keep);
      files = next;
      for (int i = keep; i < fs.length; i++) {
        fs[i].destroy();
      }
    }
  }

  /** Forces written entries to disk. */
  void flush() {
    long max = maxOffset;
    long from = flushedOffset;
    if (max <= from) {
      return;
    }
    long fromByte = from * ConsumeQueueLayout.ENTRY_SIZE;
    long toByte = max * ConsumeQueueLayout.ENTRY_SIZE;
    for (MappedFile f : files) {
      long start = Math.max(fromByte, f.baseOffset());
      long end = Math.min(toByte, f.baseOffset() + fileSize);
      if (start < end && f.retain()) {
        try {
          f.force((int) (start - f.baseOffset()), (int) (end - f.baseOffset()));
        } finally {
          f.release();
        }
      }
    }
    flushedOffset = max;
  }

  /**
   * Retention: deletes files all of whose entries point below {@code minPhysicalOffset} (never the
   * last file) and moves {@link #minOffset()} to the first entry at or above it. Returns files
   * deleted.
   */
  int deleteBelowPhysical(long minPhysicalOffset) {
    int deleted = 0;
    synchronized (listLock) {
      while (files.length > 1) {
        MappedFile first = files[0];
        long lastOffsetInFile = (first.baseOffset() + fileSize) / ConsumeQueueLayout.ENTRY_SIZE - 1;
        ConsumeQueueEntry last = get(lastOffsetInFile);
        if (last == null || last.physicalOffset() >= minPhysicalOffset) {
          break;
        }
        MappedFile[] next = new MappedFile[files.length - 1];
        System.arraycopy(files, 1, next, 0, next.length);
        minOffset = Math.max(minOffset, next[0].baseOffset() / ConsumeQueueLayout.ENTRY_SIZE);
        files = next;
        first.destroy();
        deleted++;
      }
    }
    // Under the lock, so an admin clean-up (destroyFiles) cannot slip between reading and moving
    // minOffset and leave it below the max of a queue without files.
    synchronized (listLock) {
      long offset = minOffset;
      while (offset < maxOffset) {
        ConsumeQueueEntry e = get(offset);
        if (e == null || e.physicalOffset() >= minPhysicalOffset) {
          break;
        }
        offset++;
      }
      minOffset = offset;
    }
    return deleted;
  }

  /**
   * Deletes every file of the queue and its directory (admin clean-up of expired or unused queues).
   * The queue stays known, empty, at its max offset, so a later record continues where it ended.
   * Dispatcher thread only: no entry is being written meanwhile; readers holding a file keep it
   * mapped until they release it.
   */
  int destroyFiles() {
    int deleted;
    synchronized (listLock) {
      MappedFile[] fs = files;
      files = new MappedFile[0];
      minOffset = maxOffset;
      flushedOffset = maxOffset;
      for (MappedFile f : fs) {
        f.destroy();
      }
      deleted = fs.length;
    }
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // Not empty yet (a reader still holds a file) or already gone: the files are what matters.
    }
    return deleted;
  }

  /**
   * Whether every entry points below {@code minPhysicalOffset} (its messages left the commit log
   * with retention), or the queue has files but no readable entry.
   */
  boolean expiredBelow(long minPhysicalOffset) {
    if (files.length == 0) {
      return false;
    }
    long max = maxOffset;
    if (max <= minOffset) {
      return true;
    }
    ConsumeQueueEntry last = get(max - 1);
    return last != null && last.physicalOffset() < minPhysicalOffset;
  }

  void close() {
    synchronized (listLock) {
      for (MappedFile f : files) {
        f.close();
      }
      files = new MappedFile[0];
    }
  }

  private MappedFile fileFor(long bytePos) {
    MappedFile[] fs = files;
    if (fs.length > 0) {
      long index = (bytePos - fs[0].baseOffset()) / fileSize;
      if (bytePos >= fs[0].baseOffset() && index < fs.length) {
        return fs[(int) index];
      }
    }
    return null;
  }

  private MappedFile addFile(long base) throws IOException {
    Files.createDirectories(dir);
    MappedFile file = MappedFile.reserve(dir.resolve(FileNames.offsetName(base)), base, fileSize);
    synchronized (listLock) {
      MappedFile[] fs = files;
      MappedFile[] next = new MappedFile[fs.length + 1];
      System.arraycopy(fs, 0, next, 0, fs.length);
      next[fs.length] = file;
      files = next;
    }
    return file;
  }
}
