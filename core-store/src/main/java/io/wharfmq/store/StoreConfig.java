package io.wharfmq.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of one message store: every setting with its default and meaning side by side,
 * checked once by {@link #validate()} with messages an operator can act on. Keys follow RocketMQ's
 * MessageStoreConfig names where the concept is the same. Mutable until the store opens; not
 * thread-safe.
 */
public final class StoreConfig {
  /** How appends become durable. */
  public enum FlushMode {
    /** Acknowledged after the page-cache write; flushed in the background. */
    ASYNC,
    /** Acknowledged only after fsync; concurrent appends share one fsync (group commit). */
    SYNC
  }

  private static final int MIB = 1024 * 1024;

  /** storePathRootDir: data directory (commitlog/, consumequeue/, index/, checkpoint, abort). */
  private Path storePathRootDir;

  /** mappedFileSizeCommitLog: commit-log segment size in bytes; default 1 GiB, at least 64 KiB. */
  private int mappedFileSizeCommitLog = 1024 * MIB;

  /**
   * warmMapedFileEnable (RocketMQ's spelling): zero-fill every commit-log segment when it is
   * created and prepare the next one as soon as the active one opens. Off (default), a fresh
   * store's first segment only gets its blocks reserved (fallocate) and is zeroed just ahead of the
   * appends, and the next segment is prepared when the active one is half full: a cheap first
   * start. docs/storage.md.
   */
  private boolean warmMapedFileEnable = false;

  /** flushDiskType: ASYNC or SYNC. */
  private FlushMode flushDiskType = FlushMode.ASYNC;

  /** flushIntervalCommitLog: ASYNC background flush period in ms. */
  private int flushIntervalCommitLog = 500;

  /** flushCommitLogLeastPages: ASYNC flushes early once this many 4 KiB pages are unflushed. */
  private int flushCommitLogLeastPages = 4;

  /**
   * flushCommitLogThoroughInterval: ASYNC flushes whatever is unflushed, even under
   * flushCommitLogLeastPages, at least this often (ms), as RocketMQ does.
   */
  private int flushCommitLogThoroughInterval = 10_000;

  /**
   * maxMessageSize: largest message body accepted, bytes; default 4 MiB as RocketMQ. Not set, it
   * gives way to a mappedFileSizeCommitLog under 8 MiB (half a segment at most).
   */
  private int maxMessageSize = 4 * MIB;

  /** Whether maxMessageSize was set. */
  private boolean maxMessageSizeSet = false;

  /** appendQueueCapacity: appends waiting for the writer before new ones get BUSY. */
  private int appendQueueCapacity = 32768;

  /** mappedFileSizeConsumeQueue in entries: 20-byte entries per consume-queue file. */
  private int consumeQueueEntriesPerFile = 300_000;

  /** maxHashSlotNum: hash slots per index file. */
  private int maxHashSlotNum = 5_000_000;

  /** maxIndexNum: entries per index file. */
  private int maxIndexNum = 20_000_000;

  /** fileReservedTime in hours: commit-log segments older than this are deleted. */
  private int fileReservedTimeHours = 72;

  /** deleteWhen: hour of day (0-23, local time) at which expired segments are deleted. */
  private int deleteWhen = 4;

  /**
   * diskMaxUsedSpaceRatio: percent of disk use (as df shows it) above which segments older than
   * fileReservedTime are deleted at any hour, not only at deleteWhen.
   */
  private int diskMaxUsedSpaceRatio = 75;

  /**
   * diskSpaceCleanForciblyRatio: percent of disk use above which the oldest segments are deleted
   * even if younger than fileReservedTime (with cleanFileForciblyEnable). As RocketMQ, values above
   * 85 act as 85 and below 30 as 30.
   */
  private int diskSpaceCleanForciblyRatio = 85;

  /**
   * diskSpaceWarningLevelRatio: percent of disk use above which the store refuses appends (the disk
   * is about to be full) until use falls again. As RocketMQ, above 90 acts as 90, below 35 as 35.
   */
  private int diskSpaceWarningLevelRatio = 90;

  /** cleanFileForciblyEnable: whether past diskSpaceCleanForciblyRatio young segments may go. */
  private boolean cleanFileForciblyEnable = true;

  /** deleteFileBatchMax: most commit-log segments deleted in one retention round. */
  private int deleteFileBatchMax = 10;

  /** checkpointIntervalMs: how often consume queues and index are flushed and checkpointed. */
  private int checkpointIntervalMs = 1000;

  /** cleanResourceInterval: how often (ms) retention checks what to delete. */
  private int cleanResourceInterval = 10_000;

  public StoreConfig(Path storePathRootDir) {
    this.storePathRootDir = storePathRootDir;
  }

  /** Every problem with the configuration, each a sentence naming the key; empty when valid. */
  public List<String> problems() {
    List<String> p = new ArrayList<>();
    if (storePathRootDir == null) {
      p.add("storePathRootDir must be set to a writable directory");
    }
    if (mappedFileSizeCommitLog < 64 * 1024) {
      p.add("mappedFileSizeCommitLog must be at least 65536 bytes, is " + mappedFileSizeCommitLog);
    }
    if (flushIntervalCommitLog < 1) {
      p.add("flushIntervalCommitLog must be >= 1 ms, is " + flushIntervalCommitLog);
    }
    if (flushCommitLogThoroughInterval < 1) {
      p.add("flushCommitLogThoroughInterval must be >= 1 ms, is " + flushCommitLogThoroughInterval);
    }
    if (flushCommitLogLeastPages < 0) {
      p.add("flushCommitLogLeastPages must be >= 0, is " + flushCommitLogLeastPages);
    }
    if (maxMessageSize() < 1) {
      p.add("maxMessageSize must be >= 1 byte, is " + maxMessageSize());
    } else if (maxMessageSize() > mappedFileSizeCommitLog / 2) {
      p.add(
          "maxMessageSize ("
              + maxMessageSize()
              + ") must not exceed half of mappedFileSizeCommitLog ("
              + mappedFileSizeCommitLog
              + "): lower maxMessageSize to at most "
              + mappedFileSizeCommitLog / 2
              + " or raise mappedFileSizeCommitLog to at least "
              + 2L * maxMessageSize());
    }
    if (appendQueueCapacity < 1) {
      p.add("appendQueueCapacity must be >= 1, is " + appendQueueCapacity);
    }
    if (consumeQueueEntriesPerFile < 1 || consumeQueueEntriesPerFile > Integer.MAX_VALUE / 20) {
      p.add("consumeQueueEntriesPerFile must be 1.." + Integer.MAX_VALUE / 20);
    }
    if (maxHashSlotNum < 1 || maxIndexNum < 2) {
      p.add("maxHashSlotNum must be >= 1 and maxIndexNum >= 2 (entry 0 is never used)");
    } else if (40L + maxHashSlotNum * 4L + maxIndexNum * 20L > Integer.MAX_VALUE) {
      p.add(
          "maxHashSlotNum ("
              + maxHashSlotNum
              + ") * 4 + maxIndexNum ("
              + maxIndexNum
              + ") * 20 must stay below 2 GiB (one mapped index file): lower either");
    }
    if (fileReservedTimeHours < 1) {
      p.add("fileReservedTime must be >= 1 hour, is " + fileReservedTimeHours);
    }
    if (deleteWhen < 0 || deleteWhen > 23) {
      p.add("deleteWhen must be an hour 0..23, is " + deleteWhen);
    }
    if (diskMaxUsedSpaceRatio < 10 || diskMaxUsedSpaceRatio > 95) {
      p.add("diskMaxUsedSpaceRatio must be 10..95 percent, is " + diskMaxUsedSpaceRatio);
    }
    if (diskSpaceCleanForciblyRatio < 1 || diskSpaceCleanForciblyRatio > 100) {
      p.add(
          "diskSpaceCleanForciblyRatio must be 1..100 percent, is " + diskSpaceCleanForciblyRatio);
    }
    if (diskSpaceWarningLevelRatio < 1 || diskSpaceWarningLevelRatio > 100) {
      p.add("diskSpaceWarningLevelRatio must be 1..100 percent, is " + diskSpaceWarningLevelRatio);
    }
    if (deleteFileBatchMax < 1) {
      p.add("deleteFileBatchMax must be >= 1, is " + deleteFileBatchMax);
    }
    if (checkpointIntervalMs < 10) {
      p.add("checkpointIntervalMs must be >= 10, is " + checkpointIntervalMs);
    }
    if (cleanResourceInterval < 10) {
      p.add("cleanResourceInterval must be >= 10 ms, is " + cleanResourceInterval);
    }
    return p;
  }

  /**
   * What the store chose for keys the operator did not set, where the default had to give way to a
   * key that was set; one sentence each, for the startup log.
   */
  public List<String> startupNotes() {
    List<String> notes = new ArrayList<>();
    if (!maxMessageSizeSet && maxMessageSize() < maxMessageSize) {
      notes.add(
          "maxMessageSize not set: using "
              + maxMessageSize()
              + " bytes (half of mappedFileSizeCommitLog="
              + mappedFileSizeCommitLog
              + ") instead of the default "
              + maxMessageSize);
    }
    return notes;
  }

  /** Throws with every problem listed if the configuration is invalid. */
  public StoreConfig validate() {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid store configuration:\n  - " + String.join("\n  - ", problems));
    }
    return this;
  }

  public Path storePathRootDir() {
    return storePathRootDir;
  }

  public StoreConfig storePathRootDir(Path v) {
    storePathRootDir = v;
    return this;
  }

  public int mappedFileSizeCommitLog() {
    return mappedFileSizeCommitLog;
  }

  public StoreConfig mappedFileSizeCommitLog(int v) {
    mappedFileSizeCommitLog = v;
    return this;
  }

  public boolean warmMapedFileEnable() {
    return warmMapedFileEnable;
  }

  public StoreConfig warmMapedFileEnable(boolean v) {
    warmMapedFileEnable = v;
    return this;
  }

  public FlushMode flushDiskType() {
    return flushDiskType;
  }

  public StoreConfig flushDiskType(FlushMode v) {
    flushDiskType = v;
    return this;
  }

  public int flushIntervalCommitLog() {
    return flushIntervalCommitLog;
  }

  public StoreConfig flushIntervalCommitLog(int v) {
    flushIntervalCommitLog = v;
    return this;
  }

  public int flushCommitLogLeastPages() {
    return flushCommitLogLeastPages;
  }

  public StoreConfig flushCommitLogLeastPages(int v) {
    flushCommitLogLeastPages = v;
    return this;
  }

  public int flushCommitLogThoroughInterval() {
    return flushCommitLogThoroughInterval;
  }

  public StoreConfig flushCommitLogThoroughInterval(int v) {
    flushCommitLogThoroughInterval = v;
    return this;
  }

  /** The set value, else 4 MiB or half of mappedFileSizeCommitLog if that is smaller. */
  public int maxMessageSize() {
    if (maxMessageSizeSet || mappedFileSizeCommitLog < 2) {
      return maxMessageSize;
    }
    return Math.min(maxMessageSize, mappedFileSizeCommitLog / 2);
  }

  public StoreConfig maxMessageSize(int v) {
    maxMessageSize = v;
    maxMessageSizeSet = true;
    return this;
  }

  public int appendQueueCapacity() {
    return appendQueueCapacity;
  }

  public StoreConfig appendQueueCapacity(int v) {
    appendQueueCapacity = v;
    return this;
  }

  public int consumeQueueEntriesPerFile() {
    return consumeQueueEntriesPerFile;
  }

  public StoreConfig consumeQueueEntriesPerFile(int v) {
    consumeQueueEntriesPerFile = v;
    return this;
  }

  public int maxHashSlotNum() {
    return maxHashSlotNum;
  }

  public StoreConfig maxHashSlotNum(int v) {
    maxHashSlotNum = v;
    return this;
  }

  public int maxIndexNum() {
    return maxIndexNum;
  }

  public StoreConfig maxIndexNum(int v) {
    maxIndexNum = v;
    return this;
  }

  public int fileReservedTimeHours() {
    return fileReservedTimeHours;
  }

  public StoreConfig fileReservedTimeHours(int v) {
    fileReservedTimeHours = v;
    return this;
  }

  public int deleteWhen() {
    return deleteWhen;
  }

  public StoreConfig deleteWhen(int v) {
    deleteWhen = v;
    return this;
  }

  public int diskMaxUsedSpaceRatio() {
    return diskMaxUsedSpaceRatio;
  }

  public StoreConfig diskMaxUsedSpaceRatio(int v) {
    diskMaxUsedSpaceRatio = v;
    return this;
  }

  public int diskSpaceCleanForciblyRatio() {
    return diskSpaceCleanForciblyRatio;
  }

  public StoreConfig diskSpaceCleanForciblyRatio(int v) {
    diskSpaceCleanForciblyRatio = v;
    return this;
  }

  /** The forced-clean threshold in effect: RocketMQ bounds it to 30..85. */
  public int effectiveDiskSpaceCleanForciblyRatio() {
    return Math.max(30, Math.min(85, diskSpaceCleanForciblyRatio));
  }

  public int diskSpaceWarningLevelRatio() {
    return diskSpaceWarningLevelRatio;
  }

  public StoreConfig diskSpaceWarningLevelRatio(int v) {
    diskSpaceWarningLevelRatio = v;
    return this;
  }

  /** The refuse-writes threshold in effect: RocketMQ bounds it to 35..90. */
  public int effectiveDiskSpaceWarningLevelRatio() {
    return Math.max(35, Math.min(90, diskSpaceWarningLevelRatio));
  }

  public boolean cleanFileForciblyEnable() {
    return cleanFileForciblyEnable;
  }

  public StoreConfig cleanFileForciblyEnable(boolean v) {
    cleanFileForciblyEnable = v;
    return this;
  }

  public int deleteFileBatchMax() {
    return deleteFileBatchMax;
  }

  public StoreConfig deleteFileBatchMax(int v) {
    deleteFileBatchMax = v;
    return this;
  }

  public int checkpointIntervalMs() {
    return checkpointIntervalMs;
  }

  public StoreConfig checkpointIntervalMs(int v) {
    checkpointIntervalMs = v;
    return this;
  }

  public int cleanResourceInterval() {
    return cleanResourceInterval;
  }

  public StoreConfig cleanResourceInterval(int v) {
    cleanResourceInterval = v;
    return this;
  }

  public Path commitLogDir() {
    return storePathRootDir.resolve("commitlog");
  }

  public Path consumeQueueDir() {
    return storePathRootDir.resolve("consumequeue");
  }

  public Path indexDir() {
    return storePathRootDir.resolve("index");
  }
}
