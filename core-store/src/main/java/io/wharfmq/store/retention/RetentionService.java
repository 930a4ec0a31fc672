package io.wharfmq.store.retention;

import io.wharfmq.store.PeriodicAgent;
import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.commitlog.CommitLog;
import io.wharfmq.store.format.RecordValidator;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.index.IndexService;
import io.wharfmq.store.mapped.MappedFile;
import io.wharfmq.store.queue.ConsumeQueue;
import io.wharfmq.store.queue.ConsumeQueueTable;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes old commit-log segments ({@code wharf-retention}) by Apache RocketMQ's rules
 * (DefaultMessageStore.CleanCommitLogService), with disk use measured as {@code df} and RocketMQ
 * measure it ({@link DiskUsage#FILE_SYSTEM}) on the file systems of {@code commitlog/} and {@code
 * consumequeue/}, the fuller one counting:
 *
 * <ul>
 *   <li>at the deleteWhen hour, or while disk use is above diskMaxUsedSpaceRatio (or the two ratios
 *       below), segments older than fileReservedTime go, oldest first;
 *   <li>while disk use is above diskSpaceCleanForciblyRatio (and cleanFileForciblyEnable), the
 *       oldest segments go whatever their age, one at a time until use falls below it;
 *   <li>while disk use is above diskSpaceWarningLevelRatio the store refuses appends ({@link
 *       #writesRefused()}), and accepts them again once use is back under it.
 * </ul>
 *
 * At most deleteFileBatchMax segments go per round, oldest first, stopping at the first that may
 * not go (so the log never gets a hole). Never the active segment, never one not yet flushed or
 * dispatched. Consume-queue and index files that only point below the new minimum go too. A reader
 * holding a segment keeps it mapped until it lets go ({@link MappedFile}). When deleted segments
 * held messages a consumer group has not consumed yet (its committed offset is behind the new start
 * of the queue), that is logged as a WARN naming the groups, topics and message counts.
 *
 * <p>Groups with queue semantics pin retention ({@link RetentionPins}): no segment holding or
 * following the oldest message such a group has not finished is deleted, whatever its age or the
 * disk use; past diskSpaceWarningLevelRatio the store refuses new messages instead. A pin holding
 * back a deletion is a WARN naming the group, at most once every {@link #PIN_WARNING_INTERVAL_MS}
 * while the same pin holds back the same segment.
 *
 * <p>A segment's age is taken from the store time of the first record of the next segment (every
 * record of a segment was stored before it), which is exact and follows the injected clock.
 *
 * <p>Runs on its agent thread; {@link #runOnce()} drives it from tests. The disk-use source and the
 * consumer progress may be replaced from any thread.
 */
public final class RetentionService extends PeriodicAgent {
  private static final Logger log = LoggerFactory.getLogger(RetentionService.class);

  /** How often the same pin holding back the same segment is logged again (injected clock). */
  public static final long PIN_WARNING_INTERVAL_MS = 5 * 60_000L;

  private final StoreConfig config;
  private final InstantSource clock;
  private final CommitLog commitLog;
  private final ConsumeQueueTable queues;
  private final IndexService index;
  private final LongSupplier dispatchedOffset;
  private volatile DiskUsage diskUsage = DiskUsage.FILE_SYSTEM;
  private volatile ConsumerProgress consumers = ConsumerProgress.NONE;
  private volatile RetentionPins pins = RetentionPins.NONE;
  private volatile RetentionPins.Pin lastHoldingPin;
  private volatile boolean writesRefused;
  private volatile int lastUsedPercent;

  /** The "disk use high but nothing may go" warning was logged; reset when that changes. */
  private boolean stuckLogged;

  /** The last pin warning: which group held back which segment, and when. */
  private String pinWarned;

  private long pinWarnedAt;

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

  /** Replaces the disk-use source (tests; the default reads the file system). */
  public void useDiskUsage(DiskUsage source) {
    diskUsage = source;
  }

  /** Where consumer groups are, for the warning about deleted unconsumed messages. */
  public void watchConsumers(ConsumerProgress progress) {
    consumers = progress;
  }

  /**
   * Where groups with queue semantics are: retention deletes no segment holding or following the
   * lowest pin.
   */
  public void pinBy(RetentionPins source) {
    pins = source;
  }

  /** The pin that held back a deletion in the last round, or null if none did. */
  public RetentionPins.Pin lastHoldingPin() {
    return lastHoldingPin;
  }

  /** True while disk use is above diskSpaceWarningLevelRatio: appends are refused. */
  public boolean writesRefused() {
    return writesRefused;
  }

  /** Disk use seen by the last round, percent. */
  public int lastUsedPercent() {
    return lastUsedPercent;
  }

  @Override
  protected void doWork() throws IOException {
    deleteExpired();
  }

  /** One retention round; returns how many segments were deleted. */
  public int deleteExpired() throws IOException {
    long now = clock.millis();
    int hour = Instant.ofEpochMilli(now).atZone(ZoneId.systemDefault()).getHour();
    boolean timeUp = hour == config.deleteWhen();
    int used = usedPercent();
    boolean spaceToDelete =
        used > config.diskMaxUsedSpaceRatio()
            || used > config.effectiveDiskSpaceCleanForciblyRatio()
            || used > config.effectiveDiskSpaceWarningLevelRatio();
    if (!timeUp && !spaceToDelete) {
      lastHoldingPin = null;
      return 0;
    }
    RetentionPins.Pin pin;
    try {
      pin = pins.lowest();
    } catch (RuntimeException e) {
      // Deleting without knowing the pins could delete what a queue still holds: wait instead.
      log.error("Cannot compute retention pins; deleting nothing this round", e);
      return 0;
    }
    long reservedMs = config.fileReservedTimeHours() * 3_600_000L;
    Map<ConsumerProgress.Committed, Long> queueStarts = queueStarts();
    int deleted = 0;
    long forcedBytes = 0;
    MappedFile[] heldBack = new MappedFile[1];
    boolean[] forced = new boolean[1];
    while (deleted < config.deleteFileBatchMax()) {
      boolean force = forcing(deleted == 0 ? used : usedPercent());
      MappedFile gone =
          commitLog.removeOldestIf(
              segment -> {
                if (!safeToDelete(segment) || !(force || expired(segment, now, reservedMs))) {
                  return false;
                }
                if (pinned(segment, pin)) {
                  heldBack[0] = segment;
                  forced[0] = force;
                  return false;
                }
                return true;
              });
      if (gone == null) {
        break;
      }
      deleted++;
      if (force && !expired(gone, now, reservedMs)) {
        forcedBytes += gone.size();
      }
      log.info(
          "Deleted commit-log segment {} ({})",
          gone.path().getFileName(),
          force
              ? "disk use above diskSpaceCleanForciblyRatio "
                  + config.effectiveDiskSpaceCleanForciblyRatio()
                  + "%"
              : "older than fileReservedTime " + config.fileReservedTimeHours() + " h");
    }
    if (deleted > 0) {
      long min = commitLog.minOffset();
      int queueFiles = queues.deleteBelowPhysical(min);
      int indexFiles = index.deleteFilesBelow(min);
      log.info(
          "Retention: {} segments, {} consume-queue files, {} index files deleted; log now starts"
              + " at {}; disk use was {}%",
          deleted, queueFiles, indexFiles, min, used);
      warnAboutUnconsumed(queueStarts, used, forcedBytes);
    }
    lastHoldingPin = heldBack[0] == null ? null : pin;
    if (heldBack[0] != null) {
      warnPinned(pin, heldBack[0], used, forced[0], now);
    } else if (deleted == 0 && spaceToDelete && !stuckLogged) {
      warnStuck(used);
    }
    if (deleted > 0 || !spaceToDelete) {
      stuckLogged = false;
    }
    return deleted;
  }

  /** Disk use calls for deletion and nothing may go: one WARN (until that changes). */
  private void warnStuck(int used) {
    stuckLogged = true;
    log.warn(
        "Disk use {}% calls for deleting commit-log segments (diskMaxUsedSpaceRatio {}%,"
            + " diskSpaceCleanForciblyRatio {}%) but none may go: {}",
        used,
        config.diskMaxUsedSpaceRatio(),
        config.effectiveDiskSpaceCleanForciblyRatio(),
        forcing(used)
            ? "only the active segment is left, or the older ones are not yet flushed or"
                + " dispatched"
            : "none is older than fileReservedTime "
                + config.fileReservedTimeHours()
                + " h"
                + (config.cleanFileForciblyEnable()
                    ? ""
                    : ", and cleanFileForciblyEnable=false keeps younger ones"));
  }

  /** Whether the segment holds the pinned record or follows it (it must stay). */
  private static boolean pinned(MappedFile segment, RetentionPins.Pin pin) {
    return pin != null && segment.baseOffset() + segment.size() > pin.physicalOffset();
  }

  /** The WARN that a pin keeps a segment retention would delete; rate-limited per pin. */
  private void warnPinned(
      RetentionPins.Pin pin, MappedFile segment, int used, boolean force, long now) {
    String what = pin.group() + "|" + segment.baseOffset();
    if (what.equals(pinWarned) && now - pinWarnedAt < PIN_WARNING_INTERVAL_MS) {
      return;
    }
    pinWarned = what;
    pinWarnedAt = now;
    log.warn(
        "Retention keeps commit-log segment {} and everything after it ({}): {} {}@{}:{} (log"
            + " offset {}) stored there. Disk use {}%{}. The segment goes once {}.",
        segment.path().getFileName(),
        force
            ? "disk use above diskSpaceCleanForciblyRatio "
                + config.effectiveDiskSpaceCleanForciblyRatio()
                + "%"
            : "older than fileReservedTime " + config.fileReservedTimeHours() + " h",
        pin.byConsumerGroup()
            ? "consumer group " + pin.group() + " has queue semantics and has not finished message"
            : "the broker has not yet delivered or resolved its "
                + pin.group().substring(RetentionPins.PENDING_PREFIX.length())
                + ", the oldest at",
        pin.topic(),
        pin.queueId(),
        pin.queueOffset(),
        pin.physicalOffset(),
        used,
        writesRefused
            ? ", above diskSpaceWarningLevelRatio "
                + config.effectiveDiskSpaceWarningLevelRatio()
                + "%: new messages are refused until space returns"
            : "",
        pin.byConsumerGroup()
            ? "the group acknowledges its messages (or the group is deleted)"
            : "they are delivered or resolved");
  }

  /** Whether young segments may go now: disk use past the forced-clean ratio, and allowed. */
  private boolean forcing(int used) {
    return config.cleanFileForciblyEnable()
        && (used > config.effectiveDiskSpaceCleanForciblyRatio()
            || used > config.effectiveDiskSpaceWarningLevelRatio());
  }

  /**
   * Disk use of the commit log's and consume queues' file systems, whichever is fuller; also flips
   * {@link #writesRefused()} at diskSpaceWarningLevelRatio, logging each change once.
   */
  private int usedPercent() throws IOException {
    DiskUsage source = diskUsage;
    int used =
        Math.max(source.usedPercent(commitLog.dir()), source.usedPercent(config.consumeQueueDir()));
    lastUsedPercent = used;
    boolean refuse = used > config.effectiveDiskSpaceWarningLevelRatio();
    if (refuse != writesRefused) {
      writesRefused = refuse;
      if (refuse) {
        log.error(
            "Disk use {}% is above diskSpaceWarningLevelRatio {}%: the store refuses new messages"
                + " until it falls",
            used, config.effectiveDiskSpaceWarningLevelRatio());
      } else {
        log.info(
            "Disk use {}% is back under diskSpaceWarningLevelRatio {}%: the store accepts messages"
                + " again",
            used, config.effectiveDiskSpaceWarningLevelRatio());
      }
    }
    return used;
  }

  /** Start offset of every queue a group has committed on, before this round deletes anything. */
  private Map<ConsumerProgress.Committed, Long> queueStarts() {
    List<ConsumerProgress.Committed> committed;
    try {
      committed = consumers.committedOffsets();
    } catch (RuntimeException e) {
      log.warn("Cannot read consumer offsets for the retention report: {}", e.toString());
      return Map.of();
    }
    Map<ConsumerProgress.Committed, Long> starts = new java.util.HashMap<>();
    for (ConsumerProgress.Committed c : committed) {
      ConsumeQueue q = queues.find(c.topic(), c.queueId());
      if (q != null) {
        starts.put(c, q.minOffset());
      }
    }
    return starts;
  }

  /**
   * Logs, as a WARN, the messages that groups had not consumed and that this round deleted: for
   * each committed offset behind its queue's new start, the messages between the two (not counting
   * those already gone before the round).
   */
  private void warnAboutUnconsumed(
      Map<ConsumerProgress.Committed, Long> startsBefore, int used, long forcedBytes) {
    Map<String, Long> lostByGroupAndTopic = new TreeMap<>();
    long total = 0;
    for (Map.Entry<ConsumerProgress.Committed, Long> e : startsBefore.entrySet()) {
      ConsumerProgress.Committed c = e.getKey();
      ConsumeQueue q = queues.find(c.topic(), c.queueId());
      long after = q == null ? e.getValue() : q.minOffset();
      long lost = after - Math.max(c.offset(), e.getValue());
      if (lost > 0) {
        lostByGroupAndTopic.merge("group " + c.group() + " on " + c.topic(), lost, Long::sum);
        total += lost;
      }
    }
    if (total == 0) {
      return;
    }
    List<String> parts = new ArrayList<>();
    lostByGroupAndTopic.forEach((k, v) -> parts.add(k + ": " + v));
    log.warn(
        "Retention deleted {} messages that consumer groups had not consumed yet ({}). Disk use"
            + " was {}%{}. Consumers resume at the oldest message kept.",
        total,
        String.join("; ", parts),
        used,
        forcedBytes > 0
            ? ", above diskSpaceCleanForciblyRatio "
                + config.effectiveDiskSpaceCleanForciblyRatio()
                + "%, so segments younger than fileReservedTime went too"
            : "");
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
}
