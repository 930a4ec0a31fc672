package io.wharfmq.store.retention;

import io.wharfmq.store.PeriodicAgent;
import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.commitlog.CommitLog;
import io.wharfmq.store.format.RecordValidator;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.index.IndexService;
import io.wharfmq.store.mapped.MappedFile;
import io.wharfmq.store.queue.ConsumeQueueTable;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes old commit-log segments ({@code wharf-retention}): those whose records are all older than
 * fileReservedTime, once a day at the deleteWhen hour, and, at once, the oldest ones while disk use
 * is above diskMaxUsedSpaceRatio. Never the active segment, never one not yet flushed or
 * dispatched. Consume-queue and index files that only point below the new minimum go too. A reader
 * holding a segment keeps it mapped until it lets go ({@link MappedFile}).
 *
 * <p>A segment's age is taken from the store time of the first record of the next segment (every
 * record of a segment was stored before it), which is exact and follows the injected clock.
 *
 * <p>Runs on its agent thread; {@link #runOnce()} drives it from tests.
 */
public final class RetentionService extends PeriodicAgent {
  private static final Logger log = LoggerFactory.getLogger(RetentionService.class);
  private static final int MAX_DELETES_PER_ROUND = 10;

  private final StoreConfig config;
  private final InstantSource clock;
  private final CommitLog commitLog;
  private final ConsumeQueueTable queues;
  private final IndexService index;
  private final LongSupplier dispatchedOffset;

  public RetentionService(
      StoreConfig config,
      InstantSource clock,
      CommitLog commitLog,
      ConsumeQueueTable queues,
      IndexService index,
      LongSupplier dispatchedOffset) {
    super("wharf-retention", config.cleanResourceInterval());
    this.config = config;
    this.clock = clock;
    this.commitLog = commitLog;
    this.queues = queues;
    this.index = index;
    this.dispatchedOffset = dispatchedOffset;
  }

  @Override
  protected void doWork() throws IOException {
    deleteExpired();
  }

  /** One retention round; returns how many segments were deleted. */
  public int deleteExpired() throws IOException {
    long now = clock.millis();
    int hour = Instant.ofEpochMilli(now).atZone(ZoneId.systemDefault()).getHour();
    boolean timeToDelete = hour == config.deleteWhen();
    boolean diskHigh = diskUsedPercent() >= config.diskMaxUsedSpaceRatio();
    if (!timeToDelete && !diskHigh) {
      return 0;
    }
    long reservedMs = config.fileReservedTimeHours() * 3_600_000L;
    int deleted = 0;
    while (deleted < MAX_DELETES_PER_ROUND) {
      boolean force = diskHigh && diskUsedPercent() >= config.diskMaxUsedSpaceRatio();
      MappedFile gone =
          commitLog.removeOldestIf(
              segment -> safeToDelete(segment) && (force || expired(segment, now, reservedMs)));
      if (gone == null) {
        break;
      }
      deleted++;
      log.info(
          "Deleted commit-log segment {} ({})",
          gone.path().getFileName(),
          force ? "disk use above " + config.diskMaxUsedSpaceRatio() + "%" : "expired");
    }
    if (deleted > 0) {
      long min = commitLog.minOffset();
      int queueFiles = queues.deleteBelowPhysical(min);
      int indexFiles = index.deleteFilesBelow(min);
      log.info(
          "Retention: {} segments, {} consume-queue files, {} index files deleted; log now starts"
              + " at {}",
          deleted,
          queueFiles,
          indexFiles,
          min);
    }
    return deleted;
  }

  private boolean safeToDelete(MappedFile segment) {
    long end = segment.baseOffset() + segment.size();
    return end <= commitLog.flushedOffset() && end <= dispatchedOffset.getAsLong();
  }

  private boolean expired(MappedFile segment, long now, long reservedMs) {
    long nextBase = segment.baseOffset() + segment.size();
    MappedFile next = commitLog.segmentFor(nextBase);
    if (next == null || !next.retain()) {
      return false;
    }
    try {
      RecordValidator.Result first =
          RecordValidator.check(next.buffer(), 0, next.size(), nextBase, false);
      if (first.kind() != RecordValidator.Kind.RECORD) {
        return false;
      }
      return StoredMessage.storeTimestamp(next.buffer(), 0) + reservedMs <= now;
    } finally {
      next.release();
    }
  }

  private int diskUsedPercent() throws IOException {
    FileStore store = Files.getFileStore(commitLog.dir());
    long total = store.getTotalSpace();
    if (total <= 0) {
      return 0;
    }
    return (int) ((total - store.getUsableSpace()) * 100 / total);
  }
}
