package io.wharfmq.store.queue;

/**
 * Byte layout of a consume-queue entry, see docs/formats.md table "Consume-queue entry". Entry n of
 * a queue lives at byte n*20 of the queue's concatenated files. An entry whose size is 0 has not
 * been written; one whose size is {@link #HOLE_SIZE} stands for no record (see {@link #HOLE_SIZE}).
 * Stateless.
 */
public final class ConsumeQueueLayout {
  private ConsumeQueueLayout() {}

  public static final int ENTRY_SIZE = 20;
  public static final int PHYSICAL_OFFSET = 0;
  public static final int SIZE = 8;
  public static final int TAGS_CODE = 12;

  /**
   * Size of a hole entry: a queue that starts in the middle of its first file (rebuilt from a log
   * whose start went with retention) fills the entries before its first one with holes, so that
   * "size is non-zero" stays true for a prefix of the last file and its end can be found by
   * bisection. Holes lie below the queue's min offset and are never served.
   */
  public static final int HOLE_SIZE = Integer.MAX_VALUE;
}
