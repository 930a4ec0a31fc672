package io.wharfmq.store.recovery;

import io.wharfmq.store.mapped.AtomicFiles;
import io.wharfmq.store.mapped.CheckedLongsFile;
import io.wharfmq.store.takeover.RocketMqTakeover;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The checkpoint file: how far the commit log is known to be on disk, and how far the consume
 * queues and index derived from it are on disk. Layout in docs/formats.md table "Checkpoint"; the
 * layout and its offsets are {@link CheckedLongsFile}. Written atomically (temp, fsync, rename,
 * fsync dir). Immutable.
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

  /** The checkpoint of an empty store. */
  public static final Checkpoint EMPTY = new Checkpoint(0, 0, 0);

  public byte[] encode() {
    return CheckedLongsFile.encode(
        MAGIC, VERSION, commitLogFlushedOffset, dispatchedOffset, timestamp);
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
    if (RocketMqTakeover.isRocketMqDirectory(storeRoot)) {
      throw new IOException(
          storeRoot
              + " holds an Apache RocketMQ store that Wharf has not taken over: start the Wharf"
              + " broker on it (it checks and takes it over, or says why it cannot)");
    }
    long[] v =
        CheckedLongsFile.read(
            storeRoot.resolve(FILE_NAME),
            MAGIC,
            VERSION,
            "Delete it to make recovery scan the whole commit log and rebuild consume queues.");
    return v == null ? EMPTY : new Checkpoint(v[0], v[1], v[2]);
  }
}
