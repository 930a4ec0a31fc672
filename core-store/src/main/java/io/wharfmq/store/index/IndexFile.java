package io.wharfmq.store.index;

import static io.wharfmq.store.index.IndexFileLayout.BEGIN_PHY_OFFSET;
import static io.wharfmq.store.index.IndexFileLayout.BEGIN_TIMESTAMP;
import static io.wharfmq.store.index.IndexFileLayout.END_PHY_OFFSET;
import static io.wharfmq.store.index.IndexFileLayout.END_TIMESTAMP;
import static io.wharfmq.store.index.IndexFileLayout.ENTRY_KEY_HASH;
import static io.wharfmq.store.index.IndexFileLayout.ENTRY_PHY_OFFSET;
import static io.wharfmq.store.index.IndexFileLayout.ENTRY_PREV_INDEX;
import static io.wharfmq.store.index.IndexFileLayout.ENTRY_TIME_DIFF;
import static io.wharfmq.store.index.IndexFileLayout.FIRST_INDEX;
import static io.wharfmq.store.index.IndexFileLayout.HASH_SLOT_COUNT;
import static io.wharfmq.store.index.IndexFileLayout.INDEX_COUNT;

import io.wharfmq.store.mapped.MappedFile;
import io.wharfmq.store.mapped.ZeroAhead;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Set;

/**
 * One index file: a hash table of chains from key hash to commit-log offsets, laid out as {@link
 * IndexFileLayout} describes.
 *
 * <p>Written only by the thread that owns the {@link IndexService} (the dispatcher). Lookups run on
 * any thread concurrently with writes, under a {@link MappedFile#retain()} taken by the caller: an
 * entry is written completely before the slot that points to it is published with release
 * semantics, and lookups read slots with acquire semantics, so a reader that sees an entry number
 * sees that entry. The header fields readers need are mirrored in volatile fields, updated after
 * the data they describe.
 */
final class IndexFile {
  private static final VarHandle INT =
      MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  /** Entries zeroed ahead of put: 400,000 entries, most of a second of dispatching at full rate. */
  private static final long ZERO_AHEAD_BYTES = 8L << 20;

  private final MappedFile file;
  private final ByteBuffer buffer;
  private final int slotCount;
  private final int entryCount;

  private volatile long beginTimestamp;
  private volatile long endTimestamp;
  private volatile long beginPhyOffset;
  private volatile long endPhyOffset;
  private volatile int indexCount;

  /** Guarded by this. */
  private int flushedIndexCount;

  /** Zeroes entries ahead of {@link #put} in a new, reserved-only file; else null. */
  private ZeroAhead zeroAhead;

  /** Bytes below this are written (zeros or data); owner thread only. */
  private int writtenLimit = Integer.MAX_VALUE;

  private IndexFile(MappedFile file, int slotCount, int entryCount) {
    this.file = file;
    this.buffer = file.buffer();
    this.slotCount = slotCount;
    this.entryCount = entryCount;
  }

  /**
   * Creates an empty index file. Its blocks are reserved, not zero-filled up front ({@link
   * MappedFile#reserve}): the default file is 420 MB and fills over days, and writing its zeros was
   * a sixth of a fresh store's first-start writes. Header and hash slots (written at random) are
   * zeroed and synced here, the entries (appended in order) by a {@link ZeroAhead} just ahead of
   * {@link #put}: mapped writes into never-written blocks are slow and, through the file system's
   * journal, stalled the commit-log appends too.
   */
  static IndexFile create(Path path, int slotCount, int entryCount) throws IOException {
    MappedFile mapped =
        MappedFile.reserve(path, 0, (int) IndexFileLayout.fileSize(slotCount, entryCount));
    IndexFile f;
    try {
      int entries = IndexFileLayout.entryPosition(slotCount, 0);
      if (!mapped.zeroWritten()) {
        mapped.writeZeros(0, entries);
        mapped.force(0, entries);
      }
      f = new IndexFile(mapped, slotCount, entryCount);
      if (!mapped.zeroWritten()) {
        f.startZeroingAhead(entries);
      }
    } catch (IOException | RuntimeException e) {
      mapped.destroy();
      throw e;
    }
    f.indexCount = FIRST_INDEX;
    f.flushedIndexCount = FIRST_INDEX;
    f.writeHeader();
    return f;
  }

  /**
   * Maps an existing file. A header from another slot count or with an impossible entry count fails
   * loudly: guessing would silently give wrong query answers.
   */
  static IndexFile open(Path path, int slotCount, int entryCount) throws IOException {
    MappedFile mapped =
        MappedFile.open(path, 0, (int) IndexFileLayout.fileSize(slotCount, entryCount));
    try {
      IndexFile f = new IndexFile(mapped, slotCount, entryCount);
      f.readHeader();
      return f;
    } catch (IOException | RuntimeException e) {
      mapped.close();
      throw e;
    }
  }

  private void readHeader() throws IOException {
    int storedSlots = buffer.getInt(HASH_SLOT_COUNT);
    int storedCount = buffer.getInt(INDEX_COUNT);
    if (storedSlots == 0 && storedCount == 0) {
      // Crashed between pre-allocation and the first header write: an empty file.
      indexCount = FIRST_INDEX;
      flushedIndexCount = FIRST_INDEX;
      writeHeader();
      return;
    }
    // Wharf writes the slot count here; Apache RocketMQ the number of slots in use (at most the
    // slot count). The file size already pins the slot count, so either is accepted.
    if (storedSlots > slotCount || storedSlots < 0) {
      throw new IOException(
          file.path()
              + " was written with "
              + storedSlots
              + " hash slots but maxHashSlotNum is "
              + slotCount
              + "; restore the old setting, or move the index directory away to rebuild the"
              + " index from the commit log");
    }
    if (storedCount < FIRST_INDEX || storedCount > entryCount) {
      throw new IOException(
          file.path()
              + " has a corrupt header: index count "
              + storedCount
              + " outside 1.."
              + entryCount
              + "; move the index directory away to rebuild the index from the commit log");
    }
    beginTimestamp = buffer.getLong(BEGIN_TIMESTAMP);
    endTimestamp = buffer.getLong(END_TIMESTAMP);
    beginPhyOffset = buffer.getLong(BEGIN_PHY_OFFSET);
    endPhyOffset = buffer.getLong(END_PHY_OFFSET);
    indexCount = storedCount;
    flushedIndexCount = storedCount;
  }

  private void writeHeader() {
    buffer.putLong(BEGIN_TIMESTAMP, beginTimestamp);
    buffer.putLong(END_TIMESTAMP, endTimestamp);
    buffer.putLong(BEGIN_PHY_OFFSET, beginPhyOffset);
    buffer.putLong(END_PHY_OFFSET, endPhyOffset);
    buffer.putInt(HASH_SLOT_COUNT, slotCount);
    buffer.putInt(INDEX_COUNT, indexCount);
  }

  boolean isFull() {
    return indexCount >= entryCount;
  }

  boolean isEmpty() {
    return indexCount <= FIRST_INDEX;
  }

  /**
   * Zeroes the entries after the last one ahead of {@link #put}, for the newest file of a store
   * that starts again: it may have been created reserved-only and not zeroed to its end. Rewriting
   * zeros where they were already written costs writes, never data: nothing above the header's
   * entry count is kept. Call before the dispatcher starts.
   */
  void zeroAheadOfNextEntry() {
    if (zeroAhead == null && !isFull()) {
      startZeroingAhead(IndexFileLayout.entryPosition(slotCount, indexCount));
    }
  }

  private void startZeroingAhead(int from) {
    zeroAhead =
        new ZeroAhead(
            file,
            from,
            () -> IndexFileLayout.entryPosition(slotCount, indexCount),
            ZERO_AHEAD_BYTES,
            "wharf-index-zero-ahead");
    writtenLimit = from;
    zeroAhead.start();
  }

  /** Adds an entry; false if the file is full. Owner thread only. */
  boolean put(int keyHash, long physicalOffset, long storeTimestamp) {
    int index = indexCount;
    if (index >= entryCount) {
      return false;
    }
    if (index == FIRST_INDEX) {
      beginTimestamp = storeTimestamp;
      endTimestamp = storeTimestamp;
      beginPhyOffset = physicalOffset;
      endPhyOffset = physicalOffset;
    }
    int slotPos = IndexFileLayout.slotPosition(IndexFileLayout.slotOf(keyHash, slotCount));
    int prev = buffer.getInt(slotPos);
    if (prev < FIRST_INDEX || prev >= index) {
      // Left by a crash that lost the header but not the slot: that entry will be overwritten.
      prev = 0;
    }
    int pos = IndexFileLayout.entryPosition(slotCount, index);
    if (pos + IndexFileLayout.ENTRY_SIZE > writtenLimit) {
      writtenLimit = zeroAhead.ensure(pos + IndexFileLayout.ENTRY_SIZE);
    }
    buffer.putInt(pos + ENTRY_KEY_HASH, keyHash);
    buffer.putLong(pos + ENTRY_PHY_OFFSET, physicalOffset);
    buffer.putInt(pos + ENTRY_TIME_DIFF, timeDiffSeconds(storeTimestamp));
    buffer.putInt(pos + ENTRY_PREV_INDEX, prev);
    INT.setRelease(buffer, slotPos, index);
    // Maxima rather than last values, so that time and offset bounds hold even if the clock or
    // the dispatch order ever went backwards.
    endTimestamp = Math.max(endTimestamp, storeTimestamp);
    endPhyOffset = Math.max(endPhyOffset, physicalOffset);
    indexCount = index + 1;
    writeHeader();
    return true;
  }

  /**
   * The format stores non-negative whole seconds from the file's first entry. An earlier store time
   * (clock stepped back) is recorded as the file's begin, as RocketMQ does.
   */
  private int timeDiffSeconds(long storeTimestamp) {
    long diff = (storeTimestamp - beginTimestamp) / 1000;
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, diff));
  }

  /** Whether the file may hold entries stored within [begin, end]. */
  boolean overlaps(long begin, long end) {
    return !isEmpty() && beginTimestamp <= end && endTimestamp >= begin;
  }

  /**
   * Adds to {@code out} the offsets of entries with this key hash stored within [begin, end],
   * newest first, until {@code out} holds {@code maxNum}. The caller holds a retain on the file.
   *
   * <p>Entry times have whole-second resolution, so an entry matches when its second overlaps the
   * range: a query must never miss a message it asked for, and the caller verifies candidates.
   */
  void lookup(int keyHash, long begin, long end, int maxNum, Set<Long> out) {
    if (isEmpty()) {
      return;
    }
    long fileBegin = beginTimestamp;
    long fileEnd = endTimestamp;
    int slotPos = IndexFileLayout.slotPosition(IndexFileLayout.slotOf(keyHash, slotCount));
    int index = (int) INT.getAcquire(buffer, slotPos);
    // Chains only go back to smaller numbers; insisting on it ends the walk on any damaged link.
    int bound = entryCount;
    while (index >= FIRST_INDEX && index < bound && out.size() < maxNum) {
      int pos = IndexFileLayout.entryPosition(slotCount, index);
      if (buffer.getInt(pos + ENTRY_KEY_HASH) == keyHash) {
        long from = fileBegin + buffer.getInt(pos + ENTRY_TIME_DIFF) * 1000L;
        // Clipped to the file's end for precision, but never below its own start: an entry put
        // after fileEnd was read is newer than fileEnd.
        long to = Math.max(from, Math.min(from + 999, fileEnd));
        if (from <= end && to >= begin) {
          out.add(buffer.getLong(pos + ENTRY_PHY_OFFSET));
        }
      }
      bound = index;
      index = buffer.getInt(pos + ENTRY_PREV_INDEX);
    }
  }

  /**
   * Forces entries written since the last flush, then the header and slots that point to them. The
   * caller holds a retain on the file. Any thread.
   */
  synchronized void flush() {
    int count = indexCount;
    if (count == flushedIndexCount) {
      return;
    }
    file.force(
        IndexFileLayout.entryPosition(slotCount, flushedIndexCount),
        IndexFileLayout.entryPosition(slotCount, count));
    file.force(0, IndexFileLayout.entryPosition(slotCount, 0));
    flushedIndexCount = count;
  }

  boolean retain() {
    return file.retain();
  }

  void release() {
    file.release();
  }

  /** Deletes the file once no reader holds it. */
  void destroy() {
    stopZeroing();
    file.destroy();
  }

  /** Unmaps without deleting, once no reader holds it. */
  void close() {
    stopZeroing();
    file.close();
  }

  private void stopZeroing() {
    ZeroAhead z = zeroAhead;
    if (z != null) {
      z.stop();
    }
  }

  Path path() {
    return file.path();
  }

  long beginTimestamp() {
    return beginTimestamp;
  }

  long endTimestamp() {
    return endTimestamp;
  }

  long beginPhyOffset() {
    return beginPhyOffset;
  }

  long endPhyOffset() {
    return endPhyOffset;
  }

  int indexCount() {
    return indexCount;
  }

  @Override
  public String toString() {
    return file.path().getFileName()
        + "[entries="
        + (indexCount - FIRST_INDEX)
        + ", phy="
        + beginPhyOffset
        + ".."
        + endPhyOffset
        + ", time="
        + beginTimestamp
        + ".."
        + endTimestamp
        + "]";
  }
}
