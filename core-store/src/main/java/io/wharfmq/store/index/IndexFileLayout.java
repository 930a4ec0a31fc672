package io.wharfmq.store.index;

/**
 * Byte offsets and constants of one index file: RocketMQ's IndexFile layout, see docs/formats.md,
 * table "Index file". Every other class reads these offsets from here; nothing else hard-codes a
 * position inside an index file. All integers are big-endian.
 *
 * <p>A file is a 40-byte header, then {@code slotCount} 4-byte hash slots, then {@code entryCount}
 * 20-byte entries. A slot holds the number of the newest entry whose key hashes to it (0 = none);
 * each entry links to the previous entry of the same slot, so a lookup walks one chain newest
 * first. Entry numbers start at 1 because 0 means "no entry", so entry 0 is never written and a
 * file holds at most {@code entryCount - 1} entries.
 *
 * <p>Stateless; thread-safe.
 */
public final class IndexFileLayout {
  private IndexFileLayout() {}

  /** Header: store timestamp (ms) of the file's first entry. */
  public static final int BEGIN_TIMESTAMP = 0;

  /** Header: largest store timestamp (ms) in the file. */
  public static final int END_TIMESTAMP = 8;

  /** Header: commit-log offset of the file's first entry. */
  public static final int BEGIN_PHY_OFFSET = 16;

  /** Header: largest commit-log offset in the file. */
  public static final int END_PHY_OFFSET = 24;

  /** Header: number of hash slots the file was written with. */
  public static final int HASH_SLOT_COUNT = 32;

  /** Header: number of the next entry to write; starts at 1. */
  public static final int INDEX_COUNT = 36;

  public static final int HEADER_SIZE = 40;

  public static final int SLOT_SIZE = 4;

  /** Entry: hash of the indexed key, see {@link #keyHash}. */
  public static final int ENTRY_KEY_HASH = 0;

  /** Entry: commit-log offset of the message. */
  public static final int ENTRY_PHY_OFFSET = 4;

  /** Entry: whole seconds between the header's begin timestamp and the message's store time. */
  public static final int ENTRY_TIME_DIFF = 12;

  /** Entry: number of the previous entry in the same slot, 0 at the end of the chain. */
  public static final int ENTRY_PREV_INDEX = 16;

  public static final int ENTRY_SIZE = 20;

  /** Value of INDEX_COUNT in a file without entries. */
  public static final int FIRST_INDEX = 1;

  /** Size of a file with the given counts, or -1 if it would not fit one mapping (2 GiB). */
  public static long fileSize(int slotCount, int entryCount) {
    long size = HEADER_SIZE + (long) slotCount * SLOT_SIZE + (long) entryCount * ENTRY_SIZE;
    return size > Integer.MAX_VALUE ? -1 : size;
  }

  /** Position of a hash slot; 4-aligned, which atomic int access needs. */
  public static int slotPosition(int slot) {
    return HEADER_SIZE + slot * SLOT_SIZE;
  }

  public static int entryPosition(int slotCount, int indexNumber) {
    return HEADER_SIZE + slotCount * SLOT_SIZE + indexNumber * ENTRY_SIZE;
  }

  /** The string that is hashed: topic and key joined as RocketMQ does. */
  public static String indexKey(String topic, String key) {
    return topic + "#" + key;
  }

  /**
   * RocketMQ's key hash: {@code abs(hashCode)}, and 0 for the one hash whose absolute value is
   * still negative (Integer.MIN_VALUE).
   */
  public static int keyHash(String indexKey) {
    int hash = Math.abs(indexKey.hashCode());
    return hash < 0 ? 0 : hash;
  }

  public static int slotOf(int keyHash, int slotCount) {
    return keyHash % slotCount;
  }
}
