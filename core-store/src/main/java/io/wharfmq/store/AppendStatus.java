package io.wharfmq.store;

/** Outcome of an append. Codes are stable: a status never changes meaning. */
public enum AppendStatus {
  /** Stored (and, in SYNC mode, flushed). */
  OK,
  /** The writer's queue is full: the store cannot keep up; retry later. */
  BUSY,
  /** No space left for a new segment; appends work again once space returns. */
  DISK_FULL,
  /** Writing or flushing failed with an I/O error; the message is not acknowledged. */
  IO_ERROR,
  /** Body over maxMessageSize, or a batch larger than a segment. */
  MESSAGE_TOO_LARGE,
  /** Properties over 32767 bytes. */
  PROPERTIES_TOO_LARGE,
  /** Topic empty or too long. */
  TOPIC_INVALID,
  /** The store is shutting down or closed. */
  STORE_CLOSED,
  /** The WHARF_DISPATCH property is no well-formed target list (docs/storage.md). */
  DISPATCH_INVALID;

  public boolean isOk() {
    return this == OK;
  }
}
