package io.wharfmq.store.timer;

import io.wharfmq.store.MessageStore;
import io.wharfmq.store.PeriodicAgent;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
  private static final int DELIVERY_CHUNK = 512;

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

  /** Records of the slot being delivered, oldest first, and how many are delivered. */
  private long[] slotRecords = new long[64];

  private int slotSize = -1;
  private int slotDone;
  private int slotAttempted;
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
    timerLog = TimerLog.open(logDir(), settings.logSegmentSize(), cp.logEnd(), io);
    try {
      timerLog.scan(
          r -> {
            if (r.slotMs() >= dequeueMs) {
              wheel.link(r.slotMs(), r.pos());
              pending++;
            }
          });
    } catch (IOException e) {
      log.warn("{}; rebuilding the timers from {}", e.getMessage(), TIMER_TOPIC);
      timerLog.close();
      rebuildFromQueue(dequeueMs, queueMin);
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
    dequeueMs = deliveredUpTo;
    enqueueOffset = fromOffset;
  }

  private Path logDir() {
    return settings.dir().resolve("timerlog");
  }

  /** Timers stored and not yet delivered (approximate while the agent runs). */
  public long pending() {
    return pending;
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
    long slot = Math.max(settings.slotOf(deliverMs), dequeueMs);
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

  /** Delivers every slot whose end the clock has reached; stops at a failed delivery. */
  private void deliverDue(long now) throws IOException {
    while (dequeueMs <= now && !closed) {
      if (!deliverSlot()) {
        return;
      }
      dequeueMs += settings.precisionMs();
      slotSize = -1;
    }
  }

  private boolean deliverSlot() throws IOException {
    if (slotSize < 0 || wheel.count(dequeueMs) != slotSize) {
      collectSlot();
    }
    while (slotDone < slotSize) {
      int end = Math.min(slotSize, slotDone + DELIVERY_CHUNK);
      List<CompletableFuture<Boolean>> futures = new ArrayList<>(end - slotDone);
      for (int i = slotDone; i < end; i++) {
        futures.add(handle(i));
        slotAttempted = Math.max(slotAttempted, i + 1);
      }
      for (CompletableFuture<Boolean> f : futures) {
        if (!f.join()) {
          return false;
        }
        if (f != PLACED_AGAIN) {
          pending--;
        }
        slotDone++;
      }
    }
    return true;
  }

  /**
   * Hands record {@code i} of the slot over, or places a rolled timer that is not due yet again
   * (once: a retry after a failed delivery skips what it placed already).
   */
  private CompletableFuture<Boolean> handle(int i) throws IOException {
    TimerLogRecord r = timerLog.read(slotRecords[i]);
    if (r == null) {
      throw new IOException("timer log record at " + slotRecords[i] + " is damaged");
    }
    if (r.rolled() && settings.slotOf(r.deliverMs()) > dequeueMs) {
      if (i >= slotAttempted) {
        place(r.commitLogOffset(), r.messageSize(), r.deliverMs(), r.queueOffset());
      }
      return PLACED_AGAIN;
    }
    // Delivered before a crash means its slot came before this run started. Its due time says so
    // whatever slot it sits in now (re-read after the checkpoint, it went into the current one).
    boolean maybe = i < slotAttempted || r.deliverMs() <= openedAtMs;
    return delivery.deliver(r, maybe);
  }

  /** Walks the slot's chain (newest first) into {@link #slotRecords}, oldest first. */
  private void collectSlot() {
    int n = wheel.count(dequeueMs);
    if (slotRecords.length < n) {
      slotRecords = new long[Math.max(n, slotRecords.length * 2)];
    }
    long pos = wheel.lastPos(dequeueMs);
    for (int i = n - 1; i >= 0; i--) {
      slotRecords[i] = pos;
      TimerLogRecord r = timerLog.read(pos);
      pos = r == null ? TimerLogLayout.NONE : r.prevPos();
    }
    if (slotSize < 0) {
      slotDone = 0;
      slotAttempted = 0;
    }
    slotSize = n;
    Arrays.fill(slotRecords, n, slotRecords.length, TimerLogLayout.NONE);
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
