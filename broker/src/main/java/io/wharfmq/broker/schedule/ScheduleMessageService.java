package io.wharfmq.broker.schedule;

import com.fasterxml.jackson.core.type.TypeReference;
import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.store.AppendResult;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.mapped.AtomicFiles;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import io.wharfmq.store.retention.RetentionPins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers delayed messages: every 100 ms, for each delay level, the due head of its queue in
 * {@link ScheduleRewrite#SCHEDULE_TOPIC} (store time + the level's delay has passed) is stored
 * again in its real topic and queue. Per-level progress is persisted to {@code
 * config/delayOffset.json} after each round and at shutdown.
 *
 * <p>Delivered once across restarts: each delivered copy carries the schedule record's offset
 * ({@link ScheduleRewrite#SCHEDULE_SOURCE}). After a start, entries past the persisted progress are
 * first looked up by their UNIQ_KEY in the real topic; one already delivered is skipped instead of
 * delivered twice. (A message without UNIQ_KEY cannot be looked up and may be delivered twice after
 * a crash; every RocketMQ and Wharf client sets one.)
 *
 * <p>Runs on {@code wharf-schedule}; {@link #tick()} drives it from tests.
 */
public final class ScheduleMessageService {
  private static final Logger log = LoggerFactory.getLogger(ScheduleMessageService.class);

  private final MessageStore store;
  private volatile ParkedTargets parked = ParkedTargets.UNCHANGED;
  private final DelayLevels levels;
  private final InstantSource clock;
  private final Path file;
  private final long[] progress;
  private final boolean[] verifyNext;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("wharf-schedule"));
  private boolean dirty;

  /** {@link #progress} as of the last round, for retention's thread. */
  private volatile long[] published;

  /** RocketMQ's file name for delay-level progress. */
  public static final String FILE_NAME = "delayOffset.json";

  private record Persisted(Map<Integer, Long> offsetTable) {}

  public ScheduleMessageService(
      MessageStore store, DelayLevels levels, Path configDir, InstantSource clock) {
    this.store = store;
    this.levels = levels;
    this.clock = clock;
    this.file = configDir.resolve(FILE_NAME);
    this.progress = new long[levels.count() + 1];
    this.verifyNext = new boolean[levels.count() + 1];
  }

  /** Where a due fan-out still goes (set once the broker's service is up). */
  public void parkedTargets(ParkedTargets parked) {
    this.parked = parked;
  }

  public void load() throws IOException {
    readProgress(file.getParent())
        .forEach(
            (level, offset) -> {
              if (level >= 1 && level <= levels.count()) {
                progress[level] = offset;
              }
            });
    java.util.Arrays.fill(verifyNext, true);
    published = progress.clone();
  }

  /**
   * The next schedule-queue offset to deliver per delay level from {@code config/delayOffset.json}
   * (Wharf's or Apache RocketMQ's: same name, same meaning); empty when there is none. Reads only.
   */
  public static Map<Integer, Long> readProgress(Path configDir) throws IOException {
    Path f = configDir.resolve(FILE_NAME);
    if (!Files.exists(f)) {
      return Map.of();
    }
    Persisted p = RemotingJson.mapper().readValue(f.toFile(), new TypeReference<Persisted>() {});
    return p.offsetTable() == null ? Map.of() : p.offsetTable();
  }

  public void start() {
    thread.scheduleWithFixedDelay(this::tickSafely, 100, 100, TimeUnit.MILLISECONDS);
  }

  public void shutdown() {
    thread.shutdown();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    persist();
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.error("Delayed-message delivery round failed; will retry", e);
    }
  }

  /** One round over every level; returns how many messages were delivered. */
  public synchronized int tick() {
    int delivered = 0;
    for (int level = 1; level <= levels.count(); level++) {
      delivered += deliverDue(level);
    }
    if (dirty) {
      persist();
    }
    published = progress.clone();
    return delivered;
  }

  /**
   * What retention must keep for delayed messages (docs/storage.md, "Retention and queues"), or
   * null: the oldest schedule-queue entry not yet delivered, over every level, as of the last
   * round. Any thread.
   */
  public RetentionPins.Pin retentionPin() {
    long[] p = published;
    RetentionPins.Pin lowest = null;
    for (int level = 1; level <= levels.count(); level++) {
      long from = p == null ? 0 : p[level];
      lowest =
          RetentionPins.lower(
              lowest,
              RetentionPins.atQueueOffset(
                  store, PIN_HOLDER, ScheduleRewrite.SCHEDULE_TOPIC, level - 1, from));
    }
    return lowest;
  }

  /** The holder of delayed-message pins in retention's log lines. */
  static final String PIN_HOLDER = RetentionPins.PENDING_PREFIX + "delayed messages";

  /** Pending delayed messages of a level (for tests and operators). */
  public long pending(int level) {
    return Math.max(
        0, store.maxOffset(ScheduleRewrite.SCHEDULE_TOPIC, level - 1) - progress[level]);
  }

  private int deliverDue(int level) {
    int queueId = level - 1;
    long offset =
        Math.max(progress[level], store.minOffset(ScheduleRewrite.SCHEDULE_TOPIC, queueId));
    long now = clock.millis();
    int delivered = 0;
    while (true) {
      ConsumeQueueEntry entry = store.queueEntry(ScheduleRewrite.SCHEDULE_TOPIC, queueId, offset);
      if (entry == null) {
        break;
      }
      StoredMessage s = store.readMessage(entry.physicalOffset());
      if (s != null) {
        long due = s.storeTimestamp() + levels.delayMillis(level);
        if (due > now) {
          break;
        }
        if (!(verifyNext[level] && alreadyDelivered(s))) {
          AppendResult r = store.append(ScheduleRewrite.fromSchedule(s, parked)).join();
          if (!r.isOk()) {
            log.warn(
                "Cannot deliver delayed message {} of level {}: {}; retrying",
                entry.physicalOffset(),
                level,
                r.detail());
            break;
          }
          verifyNext[level] = false;
          delivered++;
        }
      }
      offset++;
      progress[level] = offset;
      dirty = true;
    }
    progress[level] = offset;
    return delivered;
  }

  private boolean alreadyDelivered(StoredMessage s) {
    if (ScheduleRewrite.alreadyDelivered(store, s, ScheduleRewrite.SCHEDULE_SOURCE)) {
      log.info(
          "Delayed message {} was delivered before the restart; not again", s.physicalOffset());
      return true;
    }
    return false;
  }

  private void persist() {
    Map<Integer, Long> table = new TreeMap<>();
    for (int level = 1; level <= levels.count(); level++) {
      table.put(level, progress[level]);
    }
    try {
      Files.createDirectories(file.getParent());
      AtomicFiles.write(file, RemotingJson.encode(new Persisted(table)));
      dirty = false;
    } catch (IOException e) {
      log.error("Cannot persist delayed-message progress to {}: {}", file, e.toString());
    }
  }
}
