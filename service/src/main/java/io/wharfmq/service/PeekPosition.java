package io.wharfmq.service;

/** Where a browse stands: the next offset to read in each queue. Immutable. */
public record PeekPosition(long[] nextOffsets) {
  public PeekPosition {
    nextOffsets = nextOffsets.clone();
  }

  @Override
  public long[] nextOffsets() {
    return nextOffsets.clone();
  }
}
