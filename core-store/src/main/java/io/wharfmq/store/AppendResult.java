package io.wharfmq.store;

/**
 * Result of one append request (a single message or a batch). For a batch, records are contiguous
 * in one segment and get consecutive queue offsets starting at {@link #queueOffset()}.
 *
 * @param status OK or why not
 * @param physicalOffsets log offset of each record, in request order (empty unless OK)
 * @param sizes stored size of each record
 * @param queueOffset logical queue offset of the first record (0 for half/rollback records)
 * @param storeTimestamp store time assigned by the writer, ms
 * @param detail human-readable reason when not OK
 */
public record AppendResult(
    AppendStatus status,
    long[] physicalOffsets,
    int[] sizes,
    long queueOffset,
    long storeTimestamp,
    String detail) {

  private static final long[] NO_OFFSETS = new long[0];
  private static final int[] NO_SIZES = new int[0];

  public static AppendResult failed(AppendStatus status, String detail) {
    return new AppendResult(status, NO_OFFSETS, NO_SIZES, -1, 0, detail);
  }

  public boolean isOk() {
    return status == AppendStatus.OK;
  }

  /** Log offset of the first record. */
  public long physicalOffset() {
    return physicalOffsets[0];
  }

  /** Log offset just past the last record. */
  public long endOffset() {
    int last = physicalOffsets.length - 1;
    return physicalOffsets[last] + sizes[last];
  }
}
