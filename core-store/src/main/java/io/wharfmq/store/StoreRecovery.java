package io.wharfmq.store;

import io.wharfmq.store.commitlog.CommitLog;
import io.wharfmq.store.commitlog.QueueOffsetAssigner;
import io.wharfmq.store.index.IndexService;
import io.wharfmq.store.queue.ConsumeQueue;
import io.wharfmq.store.queue.ConsumeQueueTable;
import io.wharfmq.store.queue.DispatchListener;
import io.wharfmq.store.queue.Dispatcher;
import io.wharfmq.store.recovery.Checkpoint;
import io.wharfmq.store.recovery.CommitLogScanner;
import io.wharfmq.store.recovery.StoreLock;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a data directory to a consistent state before the store serves anything:
 *
 * <ol>
 *   <li>validates the commit log from the checkpoint's flushed offset (magic, size, field lengths,
 *       physical offset, CRC) and cuts it at the first invalid record; after a crash the tail past
 *       the end is zeroed;
 *   <li>trims consume-queue entries at or after the point from which dispatch restarts (the
 *       checkpoint's dispatched offset, or the log start when {@code consumequeue/} is missing);
 *   <li>re-dispatches the log from there, so consume queues and index agree with the log;
 *   <li>seeds the writer's queue offsets from the consume queues and writes a fresh checkpoint.
 * </ol>
 *
 * Only a record found invalid ends the log: an exception of any other kind stops startup. Runs on
 * the opening thread.
 */
final class StoreRecovery {
  private static final Logger log = LoggerFactory.getLogger(StoreRecovery.class);

  private StoreRecovery() {}

  static MessageStore recover(StoreConfig config, InstantSource clock, DispatchListener listener)
      throws IOException {
    long started = System.nanoTime();
    StoreLock lock = StoreLock.acquire(config.storePathRootDir());
    try {
      boolean crashed = lock.previousRunCrashed();
      Checkpoint checkpoint = Checkpoint.read(config.storePathRootDir());
      CommitLog commitLog = new CommitLog(config.commitLogDir(), config.mappedFileSizeCommitLog());
      commitLog.load();
      ConsumeQueueTable queues =
          new ConsumeQueueTable(config.consumeQueueDir(), config.consumeQueueEntriesPerFile());
      boolean rebuild = !queues.existsOnDisk();
      long end = recoverCommitLog(commitLog, checkpoint, crashed);

      queues.load();
      IndexService index =
          new IndexService(config.indexDir(), config.maxHashSlotNum(), config.maxIndexNum());
      index.load();
      long minPhysical = commitLog.minOffset();
      long restart =
          rebuild
              ? minPhysical
              : Math.max(minPhysical, Math.min(checkpoint.dispatchedOffset(), end));
      queues.truncateFromPhysical(restart);
      queues.deleteBelowPhysical(minPhysical);
      Dispatcher dispatcher = new Dispatcher(commitLog, queues, index, restart, listener);
      dispatcher.dispatchTo(end);

      QueueOffsetAssigner offsets = new QueueOffsetAssigner();
      for (ConsumeQueue q : queues.all()) {
        offsets.set(q.topic(), q.queueId(), q.maxOffset());
      }
      queues.flush();
      index.flush();
      new Checkpoint(end, end, clock.millis()).write(config.storePathRootDir());
      lock.markRunning(Instant.ofEpochMilli(clock.millis()));
      log.info(
          "Store {} opened after {} shutdown in {} ms: log [{}, {}), {} consume queues, dispatch"
              + " replayed {} bytes{}",
          config.storePathRootDir(),
          crashed ? "an unclean" : "a clean",
          (System.nanoTime() - started) / 1_000_000,
          commitLog.minOffset(),
          end,
          queues.all().size(),
          end - restart,
          rebuild ? " (consume queues rebuilt from the log)" : "");
      return new MessageStore(config, clock, lock, commitLog, queues, index, dispatcher, offsets);
    } catch (IOException | RuntimeException | Error e) {
      lock.close();
      throw e;
    }
  }

  /** Validates the log from the checkpoint and truncates it; returns the end of valid data. */
  private static long recoverCommitLog(CommitLog commitLog, Checkpoint checkpoint, boolean crashed)
      throws IOException {
    long min = commitLog.minOffset();
    long scanFrom = Math.max(checkpoint.commitLogFlushedOffset(), min);
    if (commitLog.segments().length == 0) {
      if (checkpoint.commitLogFlushedOffset() > 0) {
        throw new IOException(
            "The checkpoint says the commit log was flushed up to "
                + checkpoint.commitLogFlushedOffset()
                + " but "
                + commitLog.dir()
                + " holds no segment. Restore the segments, or delete the data directory to start"
                + " empty.");
      }
      commitLog.resetOffsets(0);
      return 0;
    }
    if (commitLog.segmentFor(scanFrom) == null) {
      throw new IOException(
          "The checkpoint says the commit log was flushed up to "
              + scanFrom
              + " but the segments in "
              + commitLog.dir()
              + " end before that. Restore the missing segments.");
    }
    CommitLogScanner.Result scan = CommitLogScanner.scan(commitLog, scanFrom);
    if (scan.foundInvalid()) {
      log.warn(
          "Commit log: invalid record at {} ({}); truncating there. {} valid records after the"
              + " checkpoint at {} were kept.",
          scan.end(),
          scan.invalidReason(),
          scan.records(),
          scanFrom);
    } else if (crashed) {
      log.warn(
          "Previous run did not shut down cleanly; {} records after the checkpoint at {} validated,"
              + " log ends at {}",
          scan.records(),
          scanFrom,
          scan.end());
    }
    commitLog.truncateTo(scan.end(), crashed || scan.foundInvalid());
    commitLog.resetOffsets(scan.end());
    return scan.end();
  }
}
