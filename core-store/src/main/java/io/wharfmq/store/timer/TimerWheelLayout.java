package io.wharfmq.store.timer;

/**
 * Byte layout of one timing-wheel slot: docs/formats.md table "Timing wheel slot". The offsets
 * below are that table. Slot i of the file starts at byte {@code i * SLOT_SIZE}. Stateless.
 */
public final class TimerWheelLayout {
  private TimerWheelLayout() {}

  public static final int SLOT_SIZE = 32;

  /** The slot time (ms) the entries belong to; a slot holding another time is empty for this. */
  public static final int SLOT_MS = 0;

  public static final int FIRST_POS = 8;
  public static final int LAST_POS = 16;
  public static final int COUNT = 24;
  public static final int RESERVED = 28;
}
