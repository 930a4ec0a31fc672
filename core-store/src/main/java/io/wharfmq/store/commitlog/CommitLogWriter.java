package io.wharfmq.store.commitlog;

import io.wharfmq.store.AppendResult;
import io.wharfmq.store.AppendStatus;
import io.wharfmq.store.format.DispatchTargets;
import io.wharfmq.store.format.MessageEncoder;
import io.wharfmq.store.format.MessageEncoder.DispatchSlot;
import io.wharfmq.store.format.MessageEncoder.EncodedRecord;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.format.MessageSysFlag;
import io.wharfmq.store.mapped.MappedFile;
import io.wharfmq.store.mapped.ZeroAhead;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends to the commit log. Callers encode records on their own threads and {@link #submit} them.
 * Whoever holds the append lock copies records into the active segment, patches the fields only the
 * appender knows (queue offset, physical offset, store time) and publishes the new end to readers.
 * A record with dispatch targets ({@code WHARF_DISPATCH}) takes a queue offset in each target queue
 * instead of its own; the offsets are written into the record's target list.
 *
 * <p>With ASYNC flush a caller that finds the lock free appends on its own thread: it first takes
 * everything already queued (so one caller's appends keep their order), then its own records, and
 * returns a completed future. That spares a hand-off to another thread and back for every send,
 * which on a small machine costs more than the copy. A caller that finds the lock taken queues its
 * records for the writer thread ({@code wharf-commitlog-writer}), which drains the queue in batches
 * under the same lock. With SYNC flush every append goes through the writer thread, which writes a
 * batch, fsyncs once and then completes the batch's futures (group commit).
 *
 * <p>{@link #submit} is thread-safe; all segment state is touched only under the append lock.
 */
public final class CommitLogWriter {
  private static final Logger log = LoggerFactory.getLogger(CommitLogWriter.class);
  private static final int MAX_DRAIN = 1024;

  /** How far ahead of the appends a reserved-only segment is zeroed (ZeroAhead). */
  private static final long ZERO_AHEAD_BYTES = 32L << 20;

  /** PHYSICALOFFSET of a record while it is copied into the mapped segment: no position. */
  private static final long UNPLACED = -1L;

  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /**
   * With SYNC flush, how long bookkeeping records (written without waiting for the fsync) may stay
   * unsynced while no append that waits for one comes along; an idle writer syncs them then.
   */
  private static final long BOOKKEEPING_SYNC_MILLIS = 200;

  private final CommitLog commitLog;
  private final InstantSource clock;
  private final QueueOffsetAssigner queueOffsets;
  private final CommitLogFlusher flusher;
  private final boolean syncFlush;
  private final Runnable onPublish;
  private final SegmentAllocator allocator;
  private final boolean warmSegments;
  private final BlockingQueue<Request> queue;
  private final Thread thread;

  /** Guards writeOffset, the segments and the allocator: held by whoever appends. */
  private final ReentrantLock appendLock = new ReentrantLock();

  private volatile boolean closed;

  /** An append failed unexpectedly: nothing more is written, queued appends fail. */
  private volatile boolean broken;

  private volatile boolean terminated;
  private long writeOffset;

  /** Writer thread only: when (clock millis) bookkeeping was first left unsynced, or -1. */
  private long unsyncedSince = -1;

  private boolean diskFullLogged;

  /**
   * Position in the active segment below which its blocks are written (zeros or data); appends
   * beyond it first ask {@link #zeroAhead}. The segment size when the segment was zero-filled.
   */
  private int writtenLimit;

  /** Zeroes a reserved-only active segment ahead of the appends; null when none is needed. */
  private ZeroAhead zeroAhead;

  /** Log offset at which the next segment's background allocation starts (half the active one). */
  private long prepareNextAt = Long.MAX_VALUE;

  /**
   * @param awaitFlush with SYNC flush, complete only after the fsync; false completes once the
   *     records are written and published (bookkeeping whose loss in a crash only repeats work)
   */
  private record Request(
      EncodedRecord[] records, CompletableFuture<AppendResult> future, boolean awaitFlush) {}

  /**
   * @param writeOffset where the next record goes (the recovered end of the log)
   * @param warmSegments warmMapedFileEnable: zero-fill every segment when it is created and prepare
   *     the next one as soon as the active one opens, instead of reserving the first one and
   *     preparing the next at half-way
   * @param onPublish called (on the appending thread) after new records became visible
   */
  public CommitLogWriter(
      CommitLog commitLog,
      long writeOffset,
      int queueCapacity,
      InstantSource clock,
      QueueOffsetAssigner queueOffsets,
      CommitLogFlusher flusher,
      boolean syncFlush,
      boolean warmSegments,
      Runnable onPublish) {
    this.commitLog = commitLog;
    this.writeOffset = writeOffset;
    this.clock = clock;
    this.queueOffsets = queueOffsets;
    this.flusher = flusher;
    this.syncFlush = syncFlush;
    this.onPublish = onPublish;
    this.warmSegments = warmSegments;
    this.allocator = new SegmentAllocator(commitLog.dir(), commitLog.segmentSize(), warmSegments);
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.thread = new Thread(this::run, "wharf-commitlog-writer");
  }

  /**
   * Opens the segment the next append goes into, allocating it if the log has none there yet (a
   * fresh store), so that no send waits for an allocation; then starts the writer thread. A failed
   * allocation (full disk) is logged; appends then retry it and fail with DISK_FULL meanwhile.
   */
  public void start() {
    appendLock.lock();
    try {
      MappedFile active = commitLog.segmentFor(writeOffset);
      if (active == null) {
        roll(null);
      } else {
        // The active segment may have been created reserved-only by an earlier run and not
        // zeroed to its end: zero it again ahead of the appends. Beyond the write position there is
        // nothing to keep (recovery zeroed any crash leftovers there), so this costs writes, never
        // data, and at most what zero-filling the segment cost.
        int at = (int) (writeOffset - active.baseOffset());
        if (warmSegments || at >= active.size()) {
          writtenLimit = active.size();
        } else {
          startZeroingAhead(active, at);
        }
        prepareNextAt = nextPreparationPoint(active.baseOffset());
      }
    } finally {
      appendLock.unlock();
    }
    thread.start();
  }

  /**
   * Hands records to the writer. They are stored contiguously in one segment, in order. The future
   * always completes normally; a failure is a status.
   */
  public CompletableFuture<AppendResult> submit(EncodedRecord[] records) {
    return submit(records, true);
  }

  /**
   * As {@link #submit(EncodedRecord[])}; with {@code awaitFlush} false and SYNC flush the future
   * completes when the records are written and visible to readers, before the fsync that follows.
   */
  public CompletableFuture<AppendResult> submit(EncodedRecord[] records, boolean awaitFlush) {
    CompletableFuture<AppendResult> future = new CompletableFuture<>();
    if (closed) {
      future.complete(AppendResult.failed(AppendStatus.STORE_CLOSED, "store is closed"));
      return future;
    }
    if (!syncFlush && appendLock.tryLock()) {
      return appendHere(records);
    }
    Request request = new Request(records, future, awaitFlush);
    if (!queue.offer(request)) {
      future.complete(
          AppendResult.failed(AppendStatus.BUSY, "append queue full: the store cannot keep up"));
      return future;
    }
    LockSupport.unpark(thread);
    if (terminated && queue.remove(request)) {
      future.complete(AppendResult.failed(AppendStatus.STORE_CLOSED, "store is closed"));
    }
    return future;
  }

  /**
   * Appends on the caller's thread, which holds the append lock: what is queued first, then {@code
   * records}. Completes the queued futures after releasing the lock.
   */
  private CompletableFuture<AppendResult> appendHere(EncodedRecord[] records) {
    List<Request> queued = new ArrayList<>();
    List<AppendResult> queuedResults = new ArrayList<>();
    AppendResult own;
    try {
      if (closed) {
        own = AppendResult.failed(AppendStatus.STORE_CLOSED, "store is closed");
      } else {
        // Everything queued before now, however much: a caller's earlier appends may be among it,
        // and they must be written before this one.
        long now = appendQueued(queued, queuedResults, queue.size());
        own = append(records, now);
        commitLog.publish(writeOffset);
      }
    } catch (RuntimeException | Error e) {
      log.error("Commit-log append stopped by an unexpected error; appends now fail", e);
      broken = true;
      closed = true;
      own = AppendResult.failed(AppendStatus.IO_ERROR, e.toString());
      for (int i = queuedResults.size(); i < queued.size(); i++) {
        queuedResults.add(own);
      }
    } finally {
      appendLock.unlock();
    }
    onPublish.run();
    for (int i = 0; i < queued.size(); i++) {
      queued.get(i).future().complete(queuedResults.get(i));
    }
    return CompletableFuture.completedFuture(own);
  }

  /**
   * Takes up to {@code max} queued requests, oldest first, and appends them. Only holders of the
   * append lock take from the queue, so a caller appending on its own thread never overtakes a
   * request queued before it. Returns the store time used.
   */
  private long appendQueued(List<Request> into, List<AppendResult> results, int max) {
    queue.drainTo(into, max);
    long now = clock.millis();
    for (Request r : into) {
      results.add(append(r.records(), now));
    }
    return now;
  }

  /** Stops taking appends, writes everything already accepted and waits for the thread. */
  public void close() throws InterruptedException {
    closed = true;
    LockSupport.unpark(thread);
    thread.join();
  }

  private void run() {
    List<Request> batch = new ArrayList<>(MAX_DRAIN);
    List<AppendResult> results = new ArrayList<>(MAX_DRAIN);
    try {
      while ((!closed || !queue.isEmpty()) && !broken) {
        if (queue.isEmpty()) {
          syncLeftBookkeeping();
          LockSupport.parkNanos(this, IDLE_PARK_NANOS);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
          continue;
        }
        appendLock.lock();
        try {
          appendQueued(batch, results, MAX_DRAIN);
          commitLog.publish(writeOffset);
        } finally {
          appendLock.unlock();
        }
        if (batch.isEmpty()) {
          continue;
        }
        onPublish.run();
        boolean awaited = false;
        for (Request r : batch) {
          awaited |= r.awaitFlush();
        }
        if (syncFlush && !awaited && unsyncedSince < 0) {
          // Noted before the bookkeeping's callers hear back, so its delay counts from no later
          // than their answer.
          unsyncedSince = clock.millis();
        }
        if (syncFlush) {
          // Bookkeeping (the pop log) does not wait for the group's fsync: a consumer's pop or ack
          // would otherwise queue behind every publisher's flush.
          for (int i = 0; i < batch.size(); i++) {
            if (!batch.get(i).awaitFlush()) {
              batch.get(i).future().complete(results.get(i));
            }
          }
        }
        // A batch of bookkeeping only is not synced on its own: its loss in a crash only repeats a
        // delivery, and an fsync per pop or ack would make the next publisher wait behind it. The
        // next group commit covers it, or the idle writer after BOOKKEEPING_SYNC_MILLIS.
        String syncError = null;
        if (syncFlush && awaited) {
          syncError = flusher.syncOnWriterThread();
          unsyncedSince = -1;
        } else if (syncFlush) {
          syncLeftBookkeeping();
        }
        for (int i = 0; i < batch.size(); i++) {
          AppendResult result = results.get(i);
          if (syncError != null && result.isOk()) {
            result = AppendResult.failed(AppendStatus.IO_ERROR, syncError);
          }
          batch.get(i).future().complete(result);
        }
        batch.clear();
        results.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      log.error("Commit-log writer stopped by an unexpected error; appends now fail", e);
      for (Request r : batch) {
        r.future().complete(AppendResult.failed(AppendStatus.IO_ERROR, e.toString()));
      }
      closed = true;
    } finally {
      failQueued();
      // Taken so that no caller is appending on its own thread once this thread ends: callers
      // check closed under the lock.
      appendLock.lock();
      try {
        terminated = true;
        failQueued();
        allocator.discardPending();
        if (zeroAhead != null) {
          zeroAhead.stop();
          zeroAhead = null;
        }
      } finally {
        appendLock.unlock();
      }
    }
  }

  /** SYNC flush, writer thread: syncs bookkeeping left unsynced for long enough. */
  private void syncLeftBookkeeping() {
    if (unsyncedSince >= 0 && clock.millis() - unsyncedSince >= BOOKKEEPING_SYNC_MILLIS) {
      unsyncedSince = -1;
      flusher.syncOnWriterThread();
    }
  }

  private void failQueued() {
    Request r;
    while ((r = queue.poll()) != null) {
      r.future().complete(AppendResult.failed(AppendStatus.STORE_CLOSED, "store is closed"));
    }
  }

  private AppendResult append(EncodedRecord[] records, long now) {
    int total = 0;
    for (EncodedRecord r : records) {
      total += r.size();
    }
    int segmentSize = commitLog.segmentSize();
    if (total + MessageRecordLayout.BLANK_MARKER_SIZE > segmentSize) {
      return AppendResult.failed(
          AppendStatus.MESSAGE_TOO_LARGE,
          "request of " + total + " bytes does not fit a " + segmentSize + "-byte segment");
    }
    MappedFile segment = commitLog.segmentFor(writeOffset);
    if (segment == null
        || writeOffset - segment.baseOffset() + total + MessageRecordLayout.BLANK_MARKER_SIZE
            > segmentSize) {
      segment = roll(segment);
      if (segment == null) {
        return AppendResult.failed(
            AppendStatus.DISK_FULL, "no space for a new commit-log segment in " + commitLog.dir());
      }
    }
    ByteBuffer buf = segment.buffer();
    int start = (int) (writeOffset - segment.baseOffset());
    if (start + total > writtenLimit) {
      writtenLimit = zeroAhead.ensure(start + total);
    }
    int pos = start;
    long[] offsets = new long[records.length];
    int[] sizes = new int[records.length];
    long firstQueueOffset = -1;
    ByteBuffer[] viaChannel = syncFlush ? new ByteBuffer[records.length] : null;
    for (int i = 0; i < records.length; i++) {
      EncodedRecord r = records[i];
      boolean toQueues = MessageSysFlag.isDispatchedToConsumeQueue(r.sysFlag());
      long queueOffset = 0; // the record's QUEUEOFFSET field
      long reported = 0; // the append result's queue offset
      if (toQueues && r.dispatched()) {
        // The record takes no offset in its own queue: each target gets one, written into the
        // record's digits before the bytes go anywhere, so the record is never in the log with
        // digits still to come.
        long first = -1;
        for (DispatchSlot slot : r.dispatch()) {
          long targetOffset = queueOffsets.take(slot.topic(), slot.queueId(), 1);
          DispatchTargets.writeOffset(r.bytes(), slot.digitsAt(), targetOffset);
          first = first < 0 ? targetOffset : first;
        }
        queueOffset = MessageRecordLayout.DISPATCHED_QUEUE_OFFSET;
        reported = first;
      } else if (toQueues) {
        queueOffset = queueOffsets.take(r.topic(), r.queueId(), 1);
        reported = queueOffset;
      }
      long physical = writeOffset + (pos - start);
      ByteBuffer record = ByteBuffer.wrap(r.bytes());
      if (syncFlush) {
        MessageEncoder.patchAssignedFields(
            record, 0, r.storeTimestampOffset(), queueOffset, physical, now);
        viaChannel[i] = record;
      } else {
        // Recovery takes a record for valid only with its physical offset in place, so that goes
        // into the mapped copy last, after everything else (a kill -9 mid-copy leaves a record
        // recovery cuts). Until then the field holds -1, which no position has, not even 0.
        MessageEncoder.patchAssignedFields(
            record, 0, r.storeTimestampOffset(), queueOffset, UNPLACED, now);
        buf.put(pos, r.bytes());
        VarHandle.releaseFence();
        buf.putLong(pos + MessageRecordLayout.PHYSICAL_OFFSET, physical);
      }
      if (i == 0) {
        firstQueueOffset = reported;
      }
      offsets[i] = physical;
      sizes[i] = r.size();
      pos += r.size();
    }
    if (syncFlush) {
      try {
        segment.write(start, viaChannel);
      } catch (IOException e) {
        giveBack(records);
        log.error("Commit-log write at {} failed: {}", writeOffset, e.toString());
        return AppendResult.failed(AppendStatus.IO_ERROR, "write failed: " + e.getMessage());
      }
    }
    writeOffset += pos - start;
    if (writeOffset >= prepareNextAt) {
      prepareNextAt = Long.MAX_VALUE;
      allocator.prepare(segment.baseOffset() + segmentSize);
    }
    return new AppendResult(AppendStatus.OK, offsets, sizes, firstQueueOffset, now, null);
  }

  private void giveBack(EncodedRecord[] records) {
    for (EncodedRecord r : records) {
      if (!MessageSysFlag.isDispatchedToConsumeQueue(r.sysFlag())) {
        continue;
      }
      if (r.dispatched()) {
        for (DispatchSlot slot : r.dispatch()) {
          queueOffsets.giveBack(slot.topic(), slot.queueId(), 1);
        }
      } else {
        queueOffsets.giveBack(r.topic(), r.queueId(), 1);
      }
    }
  }

  /**
   * Closes the active segment with a blank marker and moves to a new one. Returns null, leaving
   * everything as it was, when no segment can be allocated.
   */
  private MappedFile roll(MappedFile current) {
    long nextBase = current == null ? writeOffset : current.baseOffset() + commitLog.segmentSize();
    if (current == null && writeOffset % commitLog.segmentSize() != 0) {
      throw new IllegalStateException("write offset " + writeOffset + " has no segment");
    }
    MappedFile next;
    try {
      next = allocator.take(nextBase);
    } catch (IOException e) {
      if (!diskFullLogged) {
        log.error(
            "Cannot allocate commit-log segment at {} ({}); appends fail with DISK_FULL until"
                + " space returns",
            nextBase,
            e.getMessage());
        diskFullLogged = true;
      }
      return null;
    }
    if (diskFullLogged) {
      log.info("Commit-log segment allocation works again; appends resume");
      diskFullLogged = false;
    }
    if (current != null) {
      int pos = (int) (writeOffset - current.baseOffset());
      if (pos + MessageRecordLayout.BLANK_MARKER_SIZE > writtenLimit) {
        zeroAhead.ensure(pos + MessageRecordLayout.BLANK_MARKER_SIZE);
      }
      int remaining = commitLog.segmentSize() - pos;
      current.buffer().putInt(pos, remaining);
      current.buffer().putInt(pos + 4, MessageRecordLayout.BLANK_MAGIC);
      writeOffset = nextBase;
    }
    if (zeroAhead != null) {
      zeroAhead.stop();
      zeroAhead = null;
    }
    if (next.zeroWritten()) {
      writtenLimit = next.size();
    } else {
      startZeroingAhead(next, 0);
    }
    prepareNextAt = nextPreparationPoint(nextBase);
    commitLog.addSegment(next);
    return next;
  }

  /** Zeroes {@code segment} from {@code from} on, ahead of the appends. Append lock held. */
  private void startZeroingAhead(MappedFile segment, int from) {
    long base = segment.baseOffset();
    writtenLimit = from;
    zeroAhead =
        new ZeroAhead(
            segment,
            from,
            () -> commitLog.publishedOffset() - base,
            ZERO_AHEAD_BYTES,
            "wharf-zero-ahead");
    zeroAhead.start();
  }

  /**
   * Where the background allocation of the segment after the one at {@code base} starts: half-way,
   * or at once when warming.
   */
  private long nextPreparationPoint(long base) {
    if (warmSegments) {
      allocator.prepare(base + commitLog.segmentSize());
      return Long.MAX_VALUE;
    }
    return base + commitLog.segmentSize() / 2;
  }
}
