package io.wharfmq.store.timer;

import io.wharfmq.store.MessageStore;
import io.wharfmq.store.PeriodicAgent;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import io.wharfmq.store.retention.RetentionPins;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Timers at any delivery time, derived from the commit log. Timer messages are first stored in
 * {@link #TIMER_TOPIC} (queue 0) with their due time in {@link #TIMER_OUT_MS}; this agent ({@code
 * wharf-timer}) reads that queue into the {@link TimerLog} and the {@link TimerWheel} (enqueue),
 * and hands every record of each due slot to a {@link TimerDelivery} (dequeue).
 *
 * <p>Never early: a timer due at t sits in the slot ending at the first precision boundary at or
 * after t, and a slot is delivered only once the clock has reached its end. Timers more than the
 * roll window ahead sit in the window's last slot flagged ROLL; when that slot comes they are
 * placed again, in their own slot or at the new window's end (a 64-byte timer-log record, no
 * commit-log write).
 *
 * <p>Restarts: the {@link TimerCheckpoint} (timer-topic offset read, slot time delivered, log
 * length) is written after a log flush every flush interval and at close. Recovery drops log
 * records past the checkpoint, rebuilds the wheel from the live records (slot not yet delivered)
 * and reads the queue again from the checkpointed offset. Records due before the start are handed
 * over with {@code mayBeDeliveredAlready}, so the broker can skip those delivered between the last
 * checkpoint and a crash. A damaged log is rebuilt from the queue.
 *
 * <p>Owned by its agent thread ({@link #runOnce()} drives it from tests); {@link #pending()} may be
 * read from any thread.
 */
public final class TimerStore extends PeriodicAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TimerStore.class);

  /** Where timer messages wait (RocketMQ's name, so its tools recognise it). */
  public static final String TIMER_TOPIC = "rmq_sys_wheel_timer";

  /** Due time of a message in {@link #TIMER_TOPIC}, ms since the epoch. */
  public static final String TIMER_OUT_MS = "TIMER_OUT_MS";

  private static final int MAX_ENQUEUE_PER_ROUND = 10_000;
  private static final int DELIVERY_CHUNK = 2048;
  private static final int MAX_BATCH_SLOTS = 1000;

  /** What {@link #handle} returns for a rolled timer it placed again instead of delivering. */
  private static final CompletableFuture<Boolean> PLACED_AGAIN =
      CompletableFuture.completedFuture(true);

  private final MessageStore store;
  private final TimerSettings settings;
  private final InstantSource clock;
  private final TimerDelivery delivery;
  private final long openedAtMs;
  private TimerLog timerLog;
  private final TimerWheel wheel;
  private long enqueueOffset;
  private long dequeueMs;
  private long lastCheckpointMs;

  /** Flushes the log and writes checkpoints off the timer thread; pre-allocates log segments. */
  private final ExecutorService io =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "wharf-timer-io");
            t.setDaemon(true);
            return t;
          });

  private CompletableFuture<Void> checkpointing = CompletableFuture.completedFuture(null);

  /** Slot time of the last checkpoint on disk: log segments before it may go. */
  private volatile long durableDequeueMs = Long.MIN_VALUE;

  private volatile long pending;

  /**
   * Pending timers per commit-log segment (base offset → count): what retention must keep (docs/
   * storage.md, "Retention and queues"). Counts change on the timer thread only; other threads read
   * the keys, which are there exactly while their count is positive.
   */
  private final ConcurrentSkipListMap<Long, long[]> pendingBySegment =
      new ConcurrentSkipListMap<>();

  /**
   * The timer-topic offset of the last checkpoint on disk: a restart reads the queue from there.
   */
  private volatile long durableEnqueueOffset;

  /** The holder of timer pins in retention's log lines. */
  static final String PIN_HOLDER = RetentionPins.PENDING_PREFIX + "timer messages";

  /**
   * The batch being delivered: slots dequeueMs..batchEnd (-1: none), their records slot by slot,
   * how many are delivered and how many were handed over at least once.
   */
  private long batchEnd = -1;

  private long[] batchRecords = new long[64];

  /** Commit-log offsets of the batch's records, filled as they are handed over. */
  private long[] batchCommitLogOffsets = new long[64];

  private int batchSize;
  private int batchDone;
  private int batchAttempted;
  private boolean closed;

  private TimerStore(
      MessageStore store,
      TimerSettings settings,
      InstantSource clock,
      TimerDelivery delivery,
      TimerWheel wheel) {
    super("wharf-timer", Math.max(1, Math.min(settings.precisionMs() / 2, 5)));
    this.store = store;
    this.settings = settings;
    this.clock = clock;
    this.delivery = delivery;
    this.wheel = wheel;
    this.openedAtMs = clock.millis();
  }

  /** Opens (and recovers) the timer store; {@link #start()} starts delivering. */
  public static TimerStore open(
      MessageStore store, TimerSettings settings, InstantSource clock, TimerDelivery delivery)
      throws IOException {
    Files.createDirectories(settings.dir());
    TimerWheel wheel =
        TimerWheel.createEmpty(settings.dir(), settings.precisionMs(), settings.wheelSlots());
    TimerStore t = new TimerStore(store, settings, clock, delivery, wheel);
    t.recover(TimerCheckpoint.read(settings.dir()));
    return t;
  }

  private void recover(TimerCheckpoint cp) throws IOException {
    long queueMin = store.minOffset(TIMER_TOPIC, 0);
    if (cp == null) {
      rebuildFromQueue(settings.slotOf(openedAtMs), queueMin);
      return;
    }
    dequeueMs = cp.dequeueMs();
    enqueueOffset = Math.max(cp.enqueueOffset(), queueMin);
    durableEnqueueOffset = enqueueOffset;
    timerLog = TimerLog.open(logDir(), settings.logSegmentSize(), cp.logEnd(), io);
    long precision = settings.precisionMs();
    long windowEnd = dequeueMs + settings.rollWindowSlots() * precision;
    boolean[] misfit = {dequeueMs % precision != 0};
    try {
      timerLog.scan(
          r -> {
            if (r.slotMs() >= dequeueMs) {
              // Placed under another timerPrecisionMs or a larger timerRollWindowSlot: this wheel
              // would never visit it, or two times would share a slot.
              misfit[0] |= r.slotMs() % precision != 0 || r.slotMs() > windowEnd;
              wheel.link(r.slotMs(), r.pos());
              countPending(r.commitLogOffset(), 1);
              pending++;
            }
          });
    } catch (IOException e) {
      log.warn("{}; rebuilding the timers from {}", e.getMessage(), TIMER_TOPIC);
      timerLog.close();
      rebuildFromQueue(dequeueMs, queueMin);
      return;
    }
    if (misfit[0]) {
      log.warn(
          "Timer precision or roll window changed; rebuilding the timers from {}", TIMER_TOPIC);
      timerLog.close();
      rebuildFromQueue(settings.slotOf(dequeueMs), queueMin);
      return;
    }
    log.info(
        "Timer store recovered: {} pending, delivered up to {}, reading {} from offset {}",
        pending,
        dequeueMs,
        TIMER_TOPIC,
        enqueueOffset);
  }

  /** Drops the log and reads every timer message of the queue again (a derived structure). */
  private void rebuildFromQueue(long deliveredUpTo, long fromOffset) throws IOException {
    timerLog = TimerLog.open(logDir(), settings.logSegmentSize(), 0, io);
    wheel.reset();
    pending = 0;
    pendingBySegment.clear();
    dequeueMs = deliveredUpTo;
    enqueueOffset = fromOffset;
    durableEnqueueOffset = fromOffset;
  }

  private Path logDir() {
    return settings.dir().resolve("timerlog");
  }

  /** Timers stored and not yet delivered (approximate while the agent runs). */
  public long pending() {
    return pending;
  }

  /**
   * What retention must keep for timers (docs/storage.md, "Retention and queues"), or null: the
   * lower of the commit-log segment holding the oldest pending timer message (counted per segment,
   * so the pin is the segment's start and its queue offset -1) and the timer topic's entry at the
   * last checkpoint's read offset (a restart reads the queue again from there). Any thread.
   */
  public RetentionPins.Pin retentionPin() {
    RetentionPins.Pin read =
        RetentionPins.atQueueOffset(store, PIN_HOLDER, TIMER_TOPIC, 0, durableEnqueueOffset);
    Map.Entry<Long, long[]> oldest = pendingBySegment.firstEntry();
    if (oldest == null) {
      return read;
    }
    long physical = Math.max(oldest.getKey(), store.commitLogMinOffset());
    return RetentionPins.lower(
        new RetentionPins.Pin(physical, PIN_HOLDER, TIMER_TOPIC, 0, -1), read);
  }

  /** Adds {@code delta} to the pending timers of the segment holding {@code commitLogOffset}. */
  private void countPending(long commitLogOffset, int delta) {
    long size = store.config().mappedFileSizeCommitLog();
    long base = commitLogOffset - Math.floorMod(commitLogOffset, size);
    long[] count = pendingBySegment.get(base);
    if (count == null) {
      if (delta <= 0) {
        return;
      }
      pendingBySegment.put(base, new long[] {delta});
      return;
    }
    count[0] += delta;
    if (count[0] <= 0) {
      pendingBySegment.remove(base);
    }
  }

  /** Every slot before this time was delivered. */
  public synchronized long dequeueMs() {
    return dequeueMs;
  }

  /** Next offset of the timer topic's queue to read. */
  public synchronized long enqueueOffset() {
    return enqueueOffset;
  }

  /** Segments of the timer log on disk (tests of cleanup). */
  public synchronized int logSegments() {
    return timerLog.segmentCount();
  }

  @Override
  protected void doWork() throws IOException {
    if (closed) {
      return;
    }
    long now = clock.millis();
    deliverDue(now);
    enqueue();
    deliverDue(now);
    if (now - lastCheckpointMs >= settings.flushIntervalMs() && checkpointing.isDone()) {
      checkpointInBackground();
      lastCheckpointMs = now;
    }
  }

  /** Reads new timer messages of the queue into the log and the wheel. */
  private void enqueue() throws IOException {
    for (int n = 0; n < MAX_ENQUEUE_PER_ROUND; n++) {
      ConsumeQueueEntry e = store.queueEntry(TIMER_TOPIC, 0, enqueueOffset);
      if (e == null) {
        long min = store.minOffset(TIMER_TOPIC, 0);
        if (min > enqueueOffset) {
          log.warn("Timer messages {}..{} are gone with retention", enqueueOffset, min - 1);
          enqueueOffset = min;
          continue;
        }
        return;
      }
      long deliverMs = deliverMsOf(e);
      if (deliverMs != Long.MIN_VALUE) {
        place(e.physicalOffset(), e.size(), deliverMs, e.queueOffset());
        countPending(e.physicalOffset(), 1);
        pending++;
      }
      enqueueOffset++;
    }
  }

  private long deliverMsOf(ConsumeQueueEntry e) {
    try (StoredBytes b = store.readRecord(e.physicalOffset())) {
      if (b == null) {
        log.warn("Timer message at {} is gone with retention; skipped", e.physicalOffset());
        return Long.MIN_VALUE;
      }
      String v = MessageProperties.find(StoredMessage.properties(b.buffer(), 0), TIMER_OUT_MS);
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException ex) {
        log.warn("Timer message at {} has TIMER_OUT_MS={}; due now", e.physicalOffset(), v);
        return 0;
      }
    }
  }

  /**
   * Appends a record for a timer due at {@code deliverMs}: in its own slot, the slot being
   * delivered if that is past, or the window's last slot (flagged ROLL) if it is beyond.
   */
  private void place(long commitLogOffset, int size, long deliverMs, long queueOffset)
      throws IOException {
    // Overdue: into the slot being delivered (the last of a batch waiting for a retry).
    long slot = Math.max(settings.slotOf(deliverMs), Math.max(dequeueMs, batchEnd));
    long windowEnd = dequeueMs + settings.rollWindowSlots() * settings.precisionMs();
    int f = 0;
    if (slot > windowEnd) {
      slot = windowEnd;
      f = TimerLogLayout.FLAG_ROLL;
    }
    long pos =
        timerLog.append(
            f, wheel.lastPos(slot), commitLogOffset, size, deliverMs, slot, queueOffset);
    wheel.link(slot, pos);
  }

  /**
   * Delivers every slot whose end the clock has reached; stops at a failed delivery. Due slots are
   * taken as a batch (up to {@link #MAX_BATCH_SLOTS} slots and about {@link #DELIVERY_CHUNK}
   * records) whose appends are awaited together: one round trip to the writer per batch, not per
   * slot, so a backlog is worked off at the store's pace rather than one slot per round trip.
   */
  private void deliverDue(long now) throws IOException {
    long lastDue = now - Math.floorMod(now, settings.precisionMs());
    while (dequeueMs <= now && !closed) {
      if (batchEnd < 0) {
        batchEnd = dequeueMs;
        int n = wheel.count(batchEnd);
        // At most half the window, so a timer rolled from the batch lands beyond it.
        int slots = Math.max(1, Math.min(MAX_BATCH_SLOTS, settings.rollWindowSlots() / 2));
        long limit = dequeueMs + (slots - 1) * settings.precisionMs();
        while (batchEnd + settings.precisionMs() <= Math.min(lastDue, limit)
            && n + wheel.count(batchEnd + settings.precisionMs()) <= DELIVERY_CHUNK) {
          batchEnd += settings.precisionMs();
          n += wheel.count(batchEnd);
        }
        batchDone = 0;
        batchAttempted = 0;
        collectBatch();
      } else if (batchCount() != batchSize) {
        collectBatch(); // overdue timers joined the batch's last slot
      }
      if (!deliverBatch()) {
        return;
      }
      dequeueMs = batchEnd + settings.precisionMs();
      batchEnd = -1;
    }
  }

  private boolean deliverBatch() throws IOException {
    while (batchDone < batchSize) {
      int end = Math.min(batchSize, batchDone + DELIVERY_CHUNK);
      List<CompletableFuture<Boolean>> futures = new ArrayList<>(end - batchDone);
      for (int i = batchDone; i < end; i++) {
        futures.add(handle(i));
        batchAttempted = Math.max(batchAttempted, i + 1);
      }
      for (CompletableFuture<Boolean> f : futures) {
        if (!f.join()) {
          return false;
        }
        if (f != PLACED_AGAIN) {
          countPending(batchCommitLogOffsets[batchDone], -1);
          pending--;
        }
        batchDone++;
      }
    }
    return true;
  }

  /**
   * Hands record {@code i} of the batch over, or places a rolled timer that is not due yet again
   * (once: a retry after a failed delivery skips what it placed already).
   */
  private CompletableFuture<Boolean> handle(int i) throws IOException {
    TimerLogRecord r = timerLog.read(batchRecords[i]);
    if (r == null) {
      throw new IOException("timer log record at " + batchRecords[i] + " is damaged");
    }
    batchCommitLogOffsets[i] = r.commitLogOffset();
    if (r.rolled() && settings.slotOf(r.deliverMs()) > batchEnd) {
      if (i >= batchAttempted) {
        place(r.commitLogOffset(), r.messageSize(), r.deliverMs(), r.queueOffset());
      }
      return PLACED_AGAIN;
    }
    // Delivered before a crash means its slot came before this run started. Its due time says so
    // whatever slot it sits in now (re-read after the checkpoint, it went into the current one).
    boolean maybe = i < batchAttempted || r.deliverMs() <= openedAtMs;
    return delivery.deliver(r, maybe);
  }

  private int batchCount() {
    int n = 0;
    for (long t = dequeueMs; t <= batchEnd; t += settings.precisionMs()) {
      n += wheel.count(t);
    }
    return n;
  }

  /**
   * Walks the chains (newest first) of the batch's slots into {@link #batchRecords}: slot by slot,
   * oldest first within each. Timers placed while a failed batch waits go to its last slot, so the
   * records already handed over keep their indexes.
   */
  private void collectBatch() {
    int n = batchCount();
    if (batchRecords.length < n) {
      batchRecords = new long[Math.max(n, batchRecords.length * 2)];
      batchCommitLogOffsets = new long[batchRecords.length];
    }
    int end = 0;
    for (long t = dequeueMs; t <= batchEnd; t += settings.precisionMs()) {
      int c = wheel.count(t);
      long pos = wheel.lastPos(t);
      for (int i = end + c - 1; i >= end; i--) {
        batchRecords[i] = pos;
        TimerLogRecord r = timerLog.read(pos);
        pos = r == null ? TimerLogLayout.NONE : r.prevPos();
      }
      end += c;
    }
    batchSize = n;
    Arrays.fill(batchRecords, n, batchRecords.length, TimerLogLayout.NONE);
  }

  /**
   * Takes a checkpoint snapshot on the timer thread and writes it on the I/O thread (log flush,
   * then the checkpoint file, each an fsync that may take long on a busy disk): delivery goes on
   * meanwhile. Segments wholly before the last durable checkpoint are deleted here.
   */
  private void checkpointInBackground() {
    timerLog.deleteDelivered(durableDequeueMs);
    Runnable flush = timerLog.prepareFlush();
    TimerCheckpoint cp = new TimerCheckpoint(enqueueOffset, dequeueMs, timerLog.end());
    checkpointing =
        CompletableFuture.runAsync(
            () -> {
              flush.run();
              try {
                cp.write(settings.dir());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              durableDequeueMs = cp.dequeueMs();
              durableEnqueueOffset = cp.enqueueOffset();
            },
            io);
    checkpointing.exceptionally(
        e -> {
          log.error("Cannot write the timer checkpoint: {}", e.toString());
          return null;
        });
  }

  /** Flushes the log and writes the checkpoint now, then deletes log segments no longer needed. */
  public synchronized void checkpoint() throws IOException {
    try {
      checkpointing.join();
    } catch (CompletionException e) {
      // Logged; this checkpoint replaces it.
    }
    timerLog.flush();
    new TimerCheckpoint(enqueueOffset, dequeueMs, timerLog.end()).write(settings.dir());
    durableDequeueMs = dequeueMs;
    durableEnqueueOffset = enqueueOffset;
    int deleted = timerLog.deleteDelivered(dequeueMs);
    if (deleted > 0) {
      log.debug("Deleted {} delivered timer-log segments", deleted);
    }
  }

  /** Stops the agent, writes a final checkpoint and closes the files. */
  @Override
  public void close() throws IOException {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      checkpoint();
      closed = true;
      timerLog.close();
      wheel.close();
      io.shutdown();
    }
  }

  /** Closes the files without a final checkpoint, as a crash would leave them (tests). */
  synchronized void closeWithoutCheckpoint() {
    checkpointing.join();
    closed = true;
    io.shutdown();
    timerLog.close();
    wheel.close();
  }
}
