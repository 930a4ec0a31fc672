package io.wharfmq.store.timer;

import static io.wharfmq.store.timer.TimerWheelLayout.SLOT_SIZE;

import io.wharfmq.store.mapped.MappedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The timing wheel: a ring of slots (layout {@link TimerWheelLayout}) in one mapped file, slot
 * {@code (t / precision) mod slots} for slot time {@code t}. A slot points at the first and last
 * timer-log records of its time. A slot whose SLOT_MS is another time is empty for this one, so a
 * slot needs no clearing when the wheel turns. Off the Java heap; derived from the timer log and
 * rebuilt at every start, so it is never flushed. Owned by the timer thread; not thread-safe.
 */
public final class TimerWheel implements AutoCloseable {
  public static final String FILE_NAME = "timerwheel";

  private final MappedFile file;
  private final ByteBuffer buf;
  private final long precisionMs;
  private final int slots;

  private TimerWheel(MappedFile file, long precisionMs, int slots) {
    this.file = file;
    this.buf = file.buffer();
    this.precisionMs = precisionMs;
    this.slots = slots;
  }

  /** Creates an empty wheel in {@code dir}, replacing any file left from an earlier run. */
  public static TimerWheel createEmpty(Path dir, long precisionMs, int slots) throws IOException {
    if (slots < 2 || (long) slots * SLOT_SIZE > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("timing wheel slots must be 2.." + Integer.MAX_VALUE / 32);
    }
    Path path = dir.resolve(FILE_NAME);
    Files.deleteIfExists(path);
    return new TimerWheel(MappedFile.create(path, 0, slots * SLOT_SIZE), precisionMs, slots);
  }

  public int slots() {
    return slots;
  }

  private int at(long slotMs) {
    return (int) Math.floorMod(slotMs / precisionMs, (long) slots) * SLOT_SIZE;
  }

  private boolean holds(int at, long slotMs) {
    return buf.getLong(at + TimerWheelLayout.SLOT_MS) == slotMs;
  }

  /** Records in the slot of {@code slotMs}. */
  public int count(long slotMs) {
    int at = at(slotMs);
    return holds(at, slotMs) ? buf.getInt(at + TimerWheelLayout.COUNT) : 0;
  }

  /** The newest record of the slot, or {@link TimerLogLayout#NONE}. */
  public long lastPos(long slotMs) {
    int at = at(slotMs);
    return holds(at, slotMs) ? buf.getLong(at + TimerWheelLayout.LAST_POS) : TimerLogLayout.NONE;
  }

  /** The oldest record of the slot, or {@link TimerLogLayout#NONE}. */
  public long firstPos(long slotMs) {
    int at = at(slotMs);
    return holds(at, slotMs) ? buf.getLong(at + TimerWheelLayout.FIRST_POS) : TimerLogLayout.NONE;
  }

  /** Makes the record at {@code pos} the newest of the slot of {@code slotMs}. */
  public void link(long slotMs, long pos) {
    int at = at(slotMs);
    if (!holds(at, slotMs)) {
      buf.putLong(at + TimerWheelLayout.SLOT_MS, slotMs);
      buf.putLong(at + TimerWheelLayout.FIRST_POS, pos);
      buf.putInt(at + TimerWheelLayout.COUNT, 0);
    }
    buf.putLong(at + TimerWheelLayout.LAST_POS, pos);
    buf.putInt(at + TimerWheelLayout.COUNT, buf.getInt(at + TimerWheelLayout.COUNT) + 1);
  }

  /** Empties every slot. */
  public void reset() {
    byte[] zeros = new byte[SLOT_SIZE * 1024];
    for (int at = 0; at < buf.capacity(); at += zeros.length) {
      buf.put(at, zeros, 0, Math.min(zeros.length, buf.capacity() - at));
    }
  }

  @Override
  public void close() {
    file.close();
  }
}
