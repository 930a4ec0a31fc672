package io.wharfmq.store.timer;

import java.nio.file.Path;

/**
 * How a {@link TimerStore} is laid out and paced. Validated by the broker's configuration (keys
 * timerPrecisionMs, timerRollWindowSlots, mappedFileSizeTimerLog, timerFlushIntervalMs); the
 * constructor only rejects values that cannot work at all.
 *
 * @param dir where the timer log, wheel and checkpoint live
 * @param precisionMs slot width: a timer is delivered in the first round at or after its slot's
 *     end, so at most this much (plus a round) late and never early
 * @param rollWindowSlots how far ahead (in slots) a timer is placed in its own slot; later ones are
 *     placed at the window's end and rolled forward when that slot comes
 * @param logSegmentSize bytes per timer-log segment, a multiple of the record size
 * @param flushIntervalMs how often the log is flushed and the checkpoint written
 */
public record TimerSettings(
    Path dir, long precisionMs, int rollWindowSlots, int logSegmentSize, long flushIntervalMs) {

  public TimerSettings {
    if (precisionMs < 1 || rollWindowSlots < 2 || flushIntervalMs < 1) {
      throw new IllegalArgumentException(
          "timer precision, roll window (>= 2 slots) and flush interval must be positive");
    }
    if (logSegmentSize < TimerLogLayout.RECORD_SIZE
        || logSegmentSize % TimerLogLayout.RECORD_SIZE != 0) {
      throw new IllegalArgumentException(
          "timer log segment size must be a multiple of " + TimerLogLayout.RECORD_SIZE);
    }
  }

  /** Wheel size: the window plus the slot being delivered and one spare. */
  public int wheelSlots() {
    return rollWindowSlots + 2;
  }

  /** The slot a time belongs to: the first slot boundary at or after it. */
  public long slotOf(long timeMs) {
    return Math.floorDiv(timeMs + precisionMs - 1, precisionMs) * precisionMs;
  }
}
