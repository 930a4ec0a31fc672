package io.wharfmq.store.timer;

/**
 * One decoded timer-log record (layout {@link TimerLogLayout}).
 *
 * @param pos where the record starts in the timer log
 * @param flags {@link TimerLogLayout#FLAG_ROLL} or 0
 * @param prevPos the previous record of the same slot, or {@link TimerLogLayout#NONE}
 * @param commitLogOffset where the timer message is in the commit log
 * @param messageSize its size there
 * @param deliverMs when it is due (ms)
 * @param slotMs the slot it was placed in: its due slot, or an earlier one when rolled
 * @param queueOffset its offset in the timer topic's queue
 */
public record TimerLogRecord(
    long pos,
    int flags,
    long prevPos,
    long commitLogOffset,
    int messageSize,
    long deliverMs,
    long slotMs,
    long queueOffset) {

  public boolean rolled() {
    return (flags & TimerLogLayout.FLAG_ROLL) != 0;
  }
}
