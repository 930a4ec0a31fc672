package io.wharfmq.store.queue;

/**
 * Byte layout of a consume-queue entry, see docs/formats.md table "Consume-queue entry". Entry n of
 * a queue lives at byte n*20 of the queue's concatenated files. An entry whose size is 0 has not
 * been written. Stateless.
 */
public final class ConsumeQueueLayout {
  private ConsumeQueueLayout() {}

  public static final int ENTRY_SIZE = 20;
  public static final int PHYSICAL_OFFSET = 0;
  public static final int SIZE = 8;
  public static final int TAGS_CODE = 12;
}
