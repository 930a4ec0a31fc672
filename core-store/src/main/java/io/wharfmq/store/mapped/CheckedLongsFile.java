package io.wharfmq.store.mapped;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * A small state file of three longs: magic (int, 0), version (int, 4), the values at 8, 16 and 24,
 * and a CRC32 of bytes 0..31 (int, 32); 36 bytes, written atomically. The layout both checkpoints
 * use (docs/formats.md tables "Checkpoint" and "Timer checkpoint"). Stateless.
 */
public final class CheckedLongsFile {
  public static final int SIZE = 36;
  public static final int OFF_MAGIC = 0;
  public static final int OFF_VERSION = 4;
  public static final int OFF_VALUES = 8;
  public static final int OFF_CRC = 32;

  private CheckedLongsFile() {}

  /** The file's bytes. */
  public static byte[] encode(int magic, int version, long a, long b, long c) {
    ByteBuffer buf = ByteBuffer.allocate(SIZE);
    buf.putInt(OFF_MAGIC, magic);
    buf.putInt(OFF_VERSION, version);
    buf.putLong(OFF_VALUES, a);
    buf.putLong(OFF_VALUES + 8, b);
    buf.putLong(OFF_VALUES + 16, c);
    buf.putInt(OFF_CRC, crc(buf));
    return buf.array();
  }

  public static void write(Path file, int magic, int version, long a, long b, long c)
      throws IOException {
    AtomicFiles.write(file, encode(magic, version, a, b, c));
  }

  /**
   * The three values, or null when the file does not exist.
   *
   * @throws IOException when it is damaged (size, magic, version or CRC wrong), with {@code advice}
   *     on what the operator can do
   */
  public static long[] read(Path file, int magic, int version, String advice) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    if (bytes.length != SIZE
        || buf.getInt(OFF_MAGIC) != magic
        || buf.getInt(OFF_VERSION) != version
        || buf.getInt(OFF_CRC) != crc(buf)) {
      throw new IOException(file + " is damaged (size, magic, version or CRC wrong). " + advice);
    }
    return new long[] {
      buf.getLong(OFF_VALUES), buf.getLong(OFF_VALUES + 8), buf.getLong(OFF_VALUES + 16)
    };
  }

  private static int crc(ByteBuffer buf) {
    CRC32 crc = new CRC32();
    crc.update(buf.array(), 0, OFF_CRC);
    return (int) crc.getValue();
  }
}
