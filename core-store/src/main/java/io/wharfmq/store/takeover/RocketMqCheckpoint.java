package io.wharfmq.store.takeover;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Apache RocketMQ's store {@code checkpoint} file (its {@code StoreCheckpoint}): one 4 KiB page,
 * mapped and rewritten in place, holding the store times of the last flushed commit-log record,
 * consume-queue entry and index entry, and two offsets used by replication. Wharf reads it only to
 * recognise a RocketMQ directory; layout in docs/formats.md table "Apache RocketMQ checkpoint".
 * Immutable.
 *
 * @param physicMsgTimestamp store time (ms) of the last flushed commit-log record
 * @param logicsMsgTimestamp store time (ms) of the last flushed consume-queue entry
 * @param indexMsgTimestamp store time (ms) of the last flushed index entry
 * @param masterFlushedOffset replication: the master's flushed offset (0 on a master)
 * @param confirmPhyOffset replication: the confirmed log offset (0 unless set)
 */
public record RocketMqCheckpoint(
    long physicMsgTimestamp,
    long logicsMsgTimestamp,
    long indexMsgTimestamp,
    long masterFlushedOffset,
    long confirmPhyOffset) {
  /** RocketMQ maps exactly one OS page ({@code DefaultMappedFile.OS_PAGE_SIZE}). */
  public static final int SIZE = 4096;

  public static final int OFF_PHYSIC_MSG_TIMESTAMP = 0;
  public static final int OFF_LOGICS_MSG_TIMESTAMP = 8;
  public static final int OFF_INDEX_MSG_TIMESTAMP = 16;
  public static final int OFF_MASTER_FLUSHED_OFFSET = 24;
  public static final int OFF_CONFIRM_PHY_OFFSET = 32;

  /**
   * The RocketMQ checkpoint in {@code file}, or null when the file is missing or is not one
   * (Wharf's own checkpoint is 36 bytes). Reads only.
   */
  public static RocketMqCheckpoint readIfPresent(Path file) throws IOException {
    if (!Files.isRegularFile(file) || Files.size(file) != SIZE) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
    if (b.capacity() != SIZE) {
      return null;
    }
    return new RocketMqCheckpoint(
        b.getLong(OFF_PHYSIC_MSG_TIMESTAMP),
        b.getLong(OFF_LOGICS_MSG_TIMESTAMP),
        b.getLong(OFF_INDEX_MSG_TIMESTAMP),
        b.getLong(OFF_MASTER_FLUSHED_OFFSET),
        b.getLong(OFF_CONFIRM_PHY_OFFSET));
  }
}
