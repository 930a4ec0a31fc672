package io.wharfmq.store.recovery;

import io.wharfmq.store.mapped.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * The checkpoint file: how far the commit log is known to be on disk, and how far the consume
 * queues and index derived from it are on disk. Layout in docs/formats.md table "Checkpoint"; the
 * offsets below are that table. Written atomically (temp, fsync, rename, fsync dir). Immutable.
 *
 * @param commitLogFlushedOffset every record below this log offset was fsync'ed
 * @param dispatchedOffset consume queues and index are on disk for every record below this offset
 * @param timestamp when it was written, ms
 */
public record Checkpoint(long commitLogFlushedOffset, long dispatchedOffset, long timestamp) {
  public static final String FILE_NAME = "checkpoint";
  public static final int MAGIC = 0x5743_4B50; // "WCKP"
  public static final int VERSION = 1;
  public static final int SIZE = 36;

  static final int OFF_MAGIC = 0;
  static final int OFF_VERSION = 4;
  static final int OFF_FLUSHED = 8;
  static final int OFF_DISPATCHED = 16;
  static final int OFF_TIMESTAMP = 24;
  static final int OFF_CRC = 32;

  /** The checkpoint of an empty store. */
  public static final Checkpoint EMPTY = new Checkpoint(0, 0, 0);

  public byte[] encode() {
    ByteBuffer buf = ByteBuffer.allocate(SIZE);
    buf.putInt(OFF_MAGIC, MAGIC);
    buf.putInt(OFF_VERSION, VERSION);
    buf.putLong(OFF_FLUSHED, commitLogFlushedOffset);
    buf.putLong(OFF_DISPATCHED, dispatchedOffset);
    buf.putLong(OFF_TIMESTAMP, timestamp);
    buf.putInt(OFF_CRC, crc(buf));
    return buf.array();
  }

  public void write(Path storeRoot) throws IOException {
    AtomicFiles.write(storeRoot.resolve(FILE_NAME), encode());
  }

  /**
   * Reads the checkpoint; a missing file means an empty (or pre-checkpoint) store. A damaged one is
   * an error: atomic writes make that impossible short of outside interference, and guessing could
   * skip recovery work.
   */
  public static Checkpoint read(Path storeRoot) throws IOException {
    Path file = storeRoot.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return EMPTY;
    }
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    if (bytes.length != SIZE
        || buf.getInt(OFF_MAGIC) != MAGIC
        || buf.getInt(OFF_VERSION) != VERSION
        || buf.getInt(OFF_CRC) != crc(buf)) {
      throw new IOException(
          file
              + " is damaged (size, magic, version or CRC wrong). Delete it to make recovery scan"
              + " the whole commit log and rebuild consume queues.");
    }
    return new Checkpoint(
        buf.getLong(OFF_FLUSHED), buf.getLong(OFF_DISPATCHED), buf.getLong(OFF_TIMESTAMP));
  }

  private static int crc(ByteBuffer buf) {
    CRC32 crc = new CRC32();
    crc.update(buf.array(), 0, OFF_CRC);
    return (int) crc.getValue();
  }
}
