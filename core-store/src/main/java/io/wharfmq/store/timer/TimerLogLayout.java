package io.wharfmq.store.timer;

/**
 * Byte layout of one timer-log record: docs/formats.md table "Timer log record". The offsets below
 * are that table. Records are fixed-size, so a position is a record's identity. Stateless.
 */
public final class TimerLogLayout {
  private TimerLogLayout() {}

  /** Every record is this long; a segment holds a whole number of them. */
  public static final int RECORD_SIZE = 64;

  public static final int MAGIC_VALUE = 0x5754_4D52; // "WTMR"

  /** Set on a record placed in an earlier slot than its delivery time (beyond the window). */
  public static final int FLAG_ROLL = 1;

  public static final int MAGIC = 0;
  public static final int FLAGS = 4;
  public static final int PREV_POS = 8;
  public static final int COMMIT_LOG_OFFSET = 16;
  public static final int MESSAGE_SIZE = 24;
  public static final int RESERVED = 28;
  public static final int DELIVER_MS = 32;
  public static final int SLOT_MS = 40;
  public static final int QUEUE_OFFSET = 48;
  public static final int CRC = 56;
  public static final int RESERVED2 = 60;

  /** "No record" in PREV_POS and in a slot's FIRST_POS / LAST_POS. */
  public static final long NONE = -1;
}
