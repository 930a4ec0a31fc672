package io.wharfmq.store.timer;

import io.wharfmq.store.mapped.CheckedLongsFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The timer checkpoint: a consistent snapshot of the timer store's progress, taken on the timer
 * thread after the timer log was flushed. Layout in docs/formats.md table "Timer checkpoint"; the
 * layout and its offsets are {@link CheckedLongsFile}. Written atomically. Immutable.
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

  public byte[] encode() {
    return CheckedLongsFile.encode(MAGIC, VERSION, enqueueOffset, dequeueMs, logEnd);
  }

  public void write(Path dir) throws IOException {
    CheckedLongsFile.write(
        dir.resolve(FILE_NAME), MAGIC, VERSION, enqueueOffset, dequeueMs, logEnd);
  }

  /**
   * The checkpoint in {@code dir}, or null if there is none (first start, or the timer directory
   * was removed to rebuild it). A damaged file is an error: atomic writes rule that out short of
   * outside interference.
   */
  public static TimerCheckpoint read(Path dir) throws IOException {
    long[] v =
        CheckedLongsFile.read(
            dir.resolve(FILE_NAME),
            MAGIC,
            VERSION,
            "Delete the timer directory to rebuild it from the commit log.");
    return v == null ? null : new TimerCheckpoint(v[0], v[1], v[2]);
  }
}
