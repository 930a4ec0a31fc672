package io.wharfmq.store.takeover;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Apache RocketMQ 5's timer checkpoint, {@code config/timercheck} (its {@code TimerCheckpoint}):
 * one 4 KiB page. Wharf reads it to tell which of RocketMQ's timer messages are still pending;
 * layout in docs/formats.md table "Apache RocketMQ timer checkpoint". Immutable.
 *
 * @param lastReadTimeMs every timer slot before this time was delivered
 * @param lastTimerLogFlushPos RocketMQ's timer-log length
 * @param lastTimerQueueOffset every entry of {@code rmq_sys_wheel_timer} queue 0 below this offset
 *     was read into RocketMQ's timer log
 */
public record RocketMqTimerCheckpoint(
    long lastReadTimeMs, long lastTimerLogFlushPos, long lastTimerQueueOffset) {
  public static final int SIZE = 4096;
  public static final int OFF_LAST_READ_TIME_MS = 0;
  public static final int OFF_LAST_TIMER_LOG_FLUSH_POS = 8;
  public static final int OFF_LAST_TIMER_QUEUE_OFFSET = 16;

  /** The checkpoint, or null when the file is missing. A file of another size is an error. */
  public static RocketMqTimerCheckpoint readIfPresent(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length != SIZE) {
      throw new IOException(
          file + " is " + bytes.length + " bytes, not the 4096 of an Apache RocketMQ timercheck");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    return new RocketMqTimerCheckpoint(
        b.getLong(OFF_LAST_READ_TIME_MS),
        b.getLong(OFF_LAST_TIMER_LOG_FLUSH_POS),
        b.getLong(OFF_LAST_TIMER_QUEUE_OFFSET));
  }
}
