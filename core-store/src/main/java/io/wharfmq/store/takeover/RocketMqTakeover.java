package io.wharfmq.store.takeover;

import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.commitlog.CommitLog;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.index.IndexFileLayout;
import io.wharfmq.store.mapped.AtomicFiles;
import io.wharfmq.store.queue.ConsumeQueue;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import io.wharfmq.store.queue.ConsumeQueueTable;
import io.wharfmq.store.recovery.Checkpoint;
import io.wharfmq.store.recovery.CommitLogScanner;
import io.wharfmq.store.recovery.StoreLock;
import io.wharfmq.store.timer.TimerCheckpoint;
import io.wharfmq.store.timer.TimerSettings;
import io.wharfmq.store.timer.TimerStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes over a store directory that Apache RocketMQ (4.x or 5.x, {@code DefaultMessageStore})
 * wrote, in two steps (docs/storage.md, "Data in place: an Apache RocketMQ store directory"):
 *
 * <ol>
 *   <li>{@link #inspect} recognises the directory by RocketMQ's 4 KiB {@code checkpoint} and
 *       checks, reading only, everything Wharf must understand: a clean shutdown, no DLedger or
 *       RocksDB files, segment and file sizes, every record of the last three commit-log segments
 *       (CRC included), consume queues within the log, index headers, the timers still pending.
 *       Anything it cannot take over is a {@link TakeoverRefusedException} listing every reason,
 *       and nothing has been written.
 *   <li>{@link #apply} copies RocketMQ's small state files (checkpoint, {@code config/}) into
 *       {@code rocketmq-original/}, then writes Wharf's own checkpoint over RocketMQ's: from then
 *       on the directory is a Wharf store whose next open recovers it the usual way.
 * </ol>
 *
 * Commit log, consume queues and index are used in place, unchanged. The broker checks its JSON
 * configuration files between the two steps. Used by the opening thread only.
 */
public final class RocketMqTakeover {
  private static final Logger log = LoggerFactory.getLogger(RocketMqTakeover.class);

  /** Where {@link #apply} keeps RocketMQ's original state files. */
  public static final String ORIGINALS_DIR = "rocketmq-original";

  /** RocketMQ's recovery after a clean shutdown re-reads the last three segments; so does this. */
  private static final int SEGMENTS_TO_VALIDATE = 3;

  private static final String TIMER_OUT_MS = TimerStore.TIMER_OUT_MS;
  private static final String TIMER_ROLL_TIMES = "TIMER_ROLL_TIMES";
  private static final String TIMER_DEL_UNIQKEY = "TIMER_DEL_UNIQKEY";

  private final Path root;
  private final TimerSettings timers;
  private final long logEnd;
  private final long dispatchedTo;
  private final long timerEnqueueFrom;
  private final long segmentSize;
  private final Path commitLogDir;

  private RocketMqTakeover(
      StoreConfig config, TimerSettings timers, long logEnd, long dispatchedTo, long timerFrom) {
    this.root = config.storePathRootDir();
    this.segmentSize = config.mappedFileSizeCommitLog();
    this.commitLogDir = config.commitLogDir();
    this.timers = timers;
    this.logEnd = logEnd;
    this.dispatchedTo = dispatchedTo;
    this.timerEnqueueFrom = timerFrom;
  }

  /** Whether {@code root} holds an Apache RocketMQ store Wharf has not taken over yet. */
  public static boolean isRocketMqDirectory(Path root) throws IOException {
    return RocketMqCheckpoint.readIfPresent(root.resolve(Checkpoint.FILE_NAME)) != null;
  }

  /**
   * Checks a RocketMQ directory without writing anything. Returns null when {@code
   * config.storePathRootDir()} is not a RocketMQ directory (empty, or Wharf's own).
   *
   * @throws TakeoverRefusedException with every reason the directory cannot be taken over
   */
  public static RocketMqTakeover inspect(StoreConfig config, TimerSettings timers)
      throws IOException {
    Path root = config.storePathRootDir();
    if (!isRocketMqDirectory(root)) {
      return null;
    }
    List<String> refusals = new ArrayList<>();
    checkNotRunning(root, refusals);
    if (Files.exists(root.resolve(StoreLock.ABORT_FILE))) {
      refusals.add(
          "Apache RocketMQ did not shut down cleanly (file 'abort' present): start RocketMQ on"
              + " this directory once more and stop it cleanly (mqshutdown broker), then start"
              + " Wharf");
    }
    checkUnsupportedLayouts(root, refusals);
    if (!refusals.isEmpty()) {
      throw new TakeoverRefusedException(root, refusals);
    }
    CommitLog commitLog = null;
    ConsumeQueueTable queues = null;
    try {
      long scanFrom = 0;
      long end = 0;
      long min = 0;
      if (Files.isDirectory(config.commitLogDir())) {
        commitLog = new CommitLog(config.commitLogDir(), config.mappedFileSizeCommitLog());
        try {
          commitLog.load();
        } catch (IOException e) {
          refusals.add(
              e.getMessage()
                  + " (set mappedFileSizeCommitLog to the mappedFileSizeCommitLog RocketMQ used)");
          throw new TakeoverRefusedException(root, refusals);
        }
        int n = commitLog.segments().length;
        if (n > 0) {
          min = commitLog.minOffset();
          scanFrom = commitLog.segments()[Math.max(0, n - SEGMENTS_TO_VALIDATE)].baseOffset();
          CommitLogScanner.Result scan = CommitLogScanner.scan(commitLog, scanFrom);
          if (scan.foundInvalid()) {
            refusals.add(
                "the commit log holds a record Wharf cannot read at offset "
                    + scan.end()
                    + " ("
                    + scan.invalidReason()
                    + "): an unknown record format, or damage");
          }
          end = scan.end();
          commitLog.resetOffsets(end); // in memory only: lets the timer check read records
        }
      }
      long dispatched = min;
      long timerFrom = -1;
      if (Files.isDirectory(config.consumeQueueDir())) {
        queues =
            new ConsumeQueueTable(config.consumeQueueDir(), config.consumeQueueEntriesPerFile());
        try {
          queues.load();
        } catch (IOException e) {
          refusals.add(
              e.getMessage()
                  + " (set consumeQueueEntriesPerFile to RocketMQ's mappedFileSizeConsumeQueue /"
                  + " 20)");
          throw new TakeoverRefusedException(root, refusals);
        }
        dispatched = Math.max(dispatched, dispatchedEnd(queues, end, refusals));
        ConsumeQueue timerQueue = queues.find(TimerStore.TIMER_TOPIC, 0);
        if (timerQueue != null && commitLog != null) {
          timerFrom = firstPendingTimer(root, commitLog, timerQueue, refusals);
        }
      }
      checkIndexFiles(config, refusals);
      if (!refusals.isEmpty()) {
        throw new TakeoverRefusedException(root, refusals);
      }
      log.info(
          "{} holds an Apache RocketMQ store (log [{}, {}), consume queues up to {}); taking it"
              + " over",
          root,
          min,
          end,
          dispatched);
      return new RocketMqTakeover(config, timers, end, dispatched, timerFrom);
    } finally {
      if (queues != null) {
        queues.close();
      }
      if (commitLog != null) {
        commitLog.close();
      }
    }
  }

  /** Fails when RocketMQ (or anything else) holds the directory's lock file. Reads only. */
  private static void checkNotRunning(Path root, List<String> refusals) throws IOException {
    if (StoreLock.isHeld(root)) {
      refusals.add("a process (Apache RocketMQ?) is using the directory: stop it first");
    }
  }

  /** Layouts of RocketMQ that Wharf does not read. */
  private static void checkUnsupportedLayouts(Path root, List<String> refusals) throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isDirectory(p) && p.getFileName().toString().startsWith("dledger-")) {
          refusals.add(
              "a DLedger commit log ("
                  + p.getFileName()
                  + "; enableDLegerCommitLog=true) is not supported");
        }
      }
    }
    for (String dir : new String[] {"batchconsumequeue", "consumequeue_ext"}) {
      if (nonEmptyDirectory(root.resolve(dir))) {
        refusals.add(dir + "/ (batch consume queues or consume-queue extensions) is not supported");
      }
    }
    for (String dir : new String[] {"topics", "consumerOffsets", "subscriptionGroups", "rdb"}) {
      if (nonEmptyDirectory(root.resolve("config").resolve(dir))) {
        refusals.add(
            "config/"
                + dir
                + "/ is RocketMQ's RocksDB configuration store, which Wharf cannot read: run"
                + " RocketMQ with its JSON configuration files first");
      }
    }
    Path cq = root.resolve("consumequeue");
    if (Files.isDirectory(cq)) {
      try (Stream<Path> s = Files.list(cq)) {
        if (s.anyMatch(Files::isRegularFile)) {
          refusals.add(
              "consumequeue/ holds RocksDB files (storeType=defaultRocksDB), which Wharf cannot"
                  + " read");
        }
      }
    }
  }

  private static boolean nonEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isPresent();
    }
  }

  /**
   * The log offset up to which the consume queues hold every record: the end of the newest record
   * any queue points to (RocketMQ removes its abort file only when dispatch had caught up).
   */
  private static long dispatchedEnd(ConsumeQueueTable queues, long logEnd, List<String> refusals) {
    long max = 0;
    for (ConsumeQueue q : queues.all()) {
      if (q.maxOffset() <= q.minOffset()) {
        continue;
      }
      ConsumeQueueEntry last = q.get(q.maxOffset() - 1);
      if (last == null) {
        continue;
      }
      long recordEnd = last.physicalOffset() + last.size();
      if (recordEnd > logEnd) {
        refusals.add(
            "consume queue "
                + q.topic()
                + "/"
                + q.queueId()
                + " points to log offset "
                + last.physicalOffset()
                + " beyond the end of the commit log ("
                + logEnd
                + ")");
      }
      max = Math.max(max, recordEnd);
    }
    return max;
  }

  /**
   * Where Wharf's timer store starts reading RocketMQ's timer queue ({@code rmq_sys_wheel_timer}
   * queue 0): the first entry still pending, i.e. not yet read into RocketMQ's timer log (at or
   * after its checkpoint's lastTimerQueueOffset) or due at or after the slot RocketMQ delivered up
   * to (lastReadTimeMs). Entries after that one which RocketMQ did deliver are due before Wharf
   * starts, so Wharf's timer store hands them over as "maybe delivered already" and the broker
   * finds RocketMQ's copy in the real topic. Refused: pending timers RocketMQ rolled forward (a
   * copy per roll, TIMER_ROLL_TIMES) or that cancel another (TIMER_DEL_UNIQKEY), which Wharf cannot
   * take over yet.
   */
  private static long firstPendingTimer(
      Path root, CommitLog commitLog, ConsumeQueue timerQueue, List<String> refusals)
      throws IOException {
    RocketMqTimerCheckpoint cp =
        RocketMqTimerCheckpoint.readIfPresent(root.resolve("config").resolve("timercheck"));
    long readUpTo = cp == null ? 0 : cp.lastTimerQueueOffset();
    long deliveredUpTo = cp == null ? 0 : cp.lastReadTimeMs();
    long first = timerQueue.maxOffset();
    long unsupported = 0;
    for (long o = timerQueue.minOffset(); o < timerQueue.maxOffset(); o++) {
      ConsumeQueueEntry e = timerQueue.get(o);
      if (e == null) {
        continue;
      }
      try (StoredBytes b = commitLog.readRecord(e.physicalOffset())) {
        if (b == null) {
          continue; // gone with retention
        }
        String props = StoredMessage.decode(b.buffer(), 0).properties();
        String due = MessageProperties.find(props, TIMER_OUT_MS);
        boolean pending =
            o >= readUpTo
                || due == null
                || !due.matches("\\d{1,19}")
                || Long.parseLong(due) >= deliveredUpTo;
        if (!pending) {
          continue;
        }
        first = Math.min(first, o);
        if (MessageProperties.find(props, TIMER_ROLL_TIMES) != null
            || MessageProperties.find(props, TIMER_DEL_UNIQKEY) != null) {
          unsupported++;
        }
      }
    }
    if (unsupported > 0) {
      refusals.add(
          unsupported
              + " pending timer message(s) were rolled forward by RocketMQ's timer wheel"
              + " (TIMER_ROLL_TIMES) or cancel another (TIMER_DEL_UNIQKEY), which Wharf cannot take"
              + " over yet: let RocketMQ deliver them first");
    }
    return first;
  }

  /** Index files must have the configured size and a RocketMQ or Wharf header. Reads only. */
  private static void checkIndexFiles(StoreConfig config, List<String> refusals)
      throws IOException {
    Path dir = config.indexDir();
    if (!Files.isDirectory(dir)) {
      return;
    }
    long size = IndexFileLayout.fileSize(config.maxHashSlotNum(), config.maxIndexNum());
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (!p.getFileName().toString().matches("\\d{17}")) {
          continue;
        }
        if (Files.size(p) != size) {
          refusals.add(
              "index file "
                  + p.getFileName()
                  + " is "
                  + Files.size(p)
                  + " bytes, not the "
                  + size
                  + " of maxHashSlotNum="
                  + config.maxHashSlotNum()
                  + " and maxIndexNum="
                  + config.maxIndexNum()
                  + ": set both to RocketMQ's values");
          continue;
        }
        ByteBuffer header = ByteBuffer.allocate(IndexFileLayout.HEADER_SIZE);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
          while (header.hasRemaining() && ch.read(header) >= 0) {
            // read the whole header
          }
        }
        int usedSlots = header.getInt(IndexFileLayout.HASH_SLOT_COUNT);
        int count = header.getInt(IndexFileLayout.INDEX_COUNT);
        if (usedSlots < 0
            || usedSlots > config.maxHashSlotNum()
            || count < 0
            || count > config.maxIndexNum()) {
          refusals.add("index file " + p.getFileName() + " has a header Wharf cannot read");
        }
      }
    }
  }

  /**
   * Keeps RocketMQ's state files in {@code rocketmq-original/} and makes the directory Wharf's:
   * writes a Wharf timer checkpoint that starts at RocketMQ's first pending timer message, then
   * Wharf's {@code checkpoint} in place of RocketMQ's, which is the point of no return.
   */
  public void apply(InstantSource clock) throws IOException {
    keepOriginals(clock);
    allocateActiveSegmentTail();
    if (timerEnqueueFrom >= 0 && TimerCheckpoint.read(timers.dir()) == null) {
      Files.createDirectories(timers.dir());
      new TimerCheckpoint(timerEnqueueFrom, timers.slotOf(clock.millis()), 0).write(timers.dir());
    }
    // The inspection validated the newest segments up to the end: recovery need not do it again.
    new Checkpoint(logEnd, dispatchedTo, clock.millis()).write(root);
    log.warn(
        "Took over the Apache RocketMQ store in {}: commit log, consume queues and index are used"
            + " in place (log ends at {}, consume queues complete up to {}); RocketMQ's checkpoint"
            + " and config files are kept in {}/",
        root,
        logEnd,
        dispatchedTo,
        ORIGINALS_DIR);
  }

  /**
   * RocketMQ's segments are sparse files (it maps them without writing); Wharf appends through the
   * mapping, where a full disk would be a SIGBUS instead of an error. So the free tail of the
   * segment the log ends in is written with zeros (it reads as zeros already): a full disk then
   * stops this start with an IOException, before anything is taken over.
   */
  private void allocateActiveSegmentTail() throws IOException {
    long base = logEnd / segmentSize * segmentSize;
    Path segment = commitLogDir.resolve(io.wharfmq.store.mapped.FileNames.offsetName(base));
    if (!Files.isRegularFile(segment)) {
      return;
    }
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
      long at = logEnd - base;
      while (at < ch.size()) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), ch.size() - at));
        at += ch.write(zeros, at);
      }
      ch.force(true);
    }
  }

  /**
   * Copies {@code checkpoint} and the files of {@code config/} into {@code rocketmq-original/} (via
   * a temporary directory and a rename, so the copy is whole or absent). A copy left by an earlier,
   * interrupted take-over is kept: it holds the files as RocketMQ left them.
   */
  private void keepOriginals(InstantSource clock) throws IOException {
    Path target = root.resolve(ORIGINALS_DIR);
    if (Files.isDirectory(target)) {
      return;
    }
    Path tmp = root.resolve(ORIGINALS_DIR + ".tmp");
    if (Files.exists(tmp)) {
      try (Stream<Path> s = Files.walk(tmp)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(tmp.resolve("config"));
    copy(root.resolve(Checkpoint.FILE_NAME), tmp.resolve(Checkpoint.FILE_NAME));
    Path config = root.resolve("config");
    if (Files.isDirectory(config)) {
      try (Stream<Path> s = Files.list(config)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          if (Files.isRegularFile(p)) {
            copy(p, tmp.resolve("config").resolve(p.getFileName().toString()));
          }
        }
      }
    }
    String note =
        "Apache RocketMQ state files as they were when Wharf took this directory over at "
            + Instant.ofEpochMilli(clock.millis())
            + ".\nCommit log, consume queues and index were used in place.\n";
    Files.write(tmp.resolve("README"), note.getBytes(StandardCharsets.UTF_8));
    AtomicFiles.fsyncDirectory(tmp.resolve("config"));
    AtomicFiles.fsyncDirectory(tmp);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    AtomicFiles.fsyncDirectory(root);
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
    try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }
}
