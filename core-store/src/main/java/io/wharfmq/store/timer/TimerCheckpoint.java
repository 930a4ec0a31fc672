package io.wharfmq.store.timer;

import io.wharfmq.store.mapped.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * The timer checkpoint: a consistent snapshot of the timer store's progress, taken on the timer
 * thread after the timer log was flushed. Layout in docs/formats.md table "Timer checkpoint"; the
 * offsets below are that table. Written atomically. Immutable.
 *
 * @param enqueueOffset every entry of the timer topic's queue below this offset is in the log
 * @param dequeueMs every slot before this time (ms) was delivered
 * @param logEnd the timer log's length; records beyond it are dropped at recovery
 */
public record TimerCheckpoint(long enqueueOffset, long dequeueMs, long logEnd) {
  public static final String FILE_NAME = "timercheck";
  public static final int MAGIC = 0x5754_434B; // "WTCK"
  public static final int VERSION = 1;
  public static final int SIZE = 36;

  static final int OFF_MAGIC = 0;
  static final int OFF_VERSION = 4;
  static final int OFF_ENQUEUE = 8;
  static final int OFF_DEQUEUE = 16;
  static final int OFF_LOG_END = 24;
  static final int OFF_CRC = 32;

  public byte[] encode() {
    ByteBuffer buf = ByteBuffer.allocate(SIZE);
    buf.putInt(OFF_MAGIC, MAGIC);
    buf.putInt(OFF_VERSION, VERSION);
    buf.putLong(OFF_ENQUEUE, enqueueOffset);
    buf.putLong(OFF_DEQUEUE, dequeueMs);
    buf.putLong(OFF_LOG_END, logEnd);
    buf.putInt(OFF_CRC, crc(buf));
    return buf.array();
  }

  public void write(Path dir) throws IOException {
    AtomicFiles.write(dir.resolve(FILE_NAME), encode());
  }

  /**
   * The checkpoint in {@code dir}, or null if there is none (first start, or the timer directory
   * was removed to rebuild it). A damaged file is an error: atomic writes rule that out short of
   * outside interference.
   */
  public static TimerCheckpoint read(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return null;
    }
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
    if (buf.capacity() != SIZE
        || buf.getInt(OFF_MAGIC) != MAGIC
        || buf.getInt(OFF_VERSION) != VERSION
        || buf.getInt(OFF_CRC) != crc(buf)) {
      throw new IOException(
          file + " is damaged; delete the timer directory to rebuild it from the commit log");
    }
    return new TimerCheckpoint(
        buf.getLong(OFF_ENQUEUE), buf.getLong(OFF_DEQUEUE), buf.getLong(OFF_LOG_END));
  }

  private static int crc(ByteBuffer buf) {
    CRC32 crc = new CRC32();
    crc.update(buf.array(), 0, OFF_CRC);
    return (int) crc.getValue();
  }
}
