package io.wharfmq.store.bench;

import io.wharfmq.store.MessageStore;
import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.StoreConfig.FlushMode;
import io.wharfmq.store.bench.ResultTable.Cell;
import io.wharfmq.store.bench.ResultTable.Subject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Append benchmark of the message store against a raw write baseline measured in the same run on
 * the same disk: for every flush mode, body size and thread count, the store (1 and {@code
 * --window} appends in flight per thread) and the same record bytes written sequentially through a
 * MappedByteBuffer and through FileChannel.write, with the same fsync rule. Each cell runs a fixed
 * time or byte budget after a warm-up, is repeated, and the medians are printed as a markdown table
 * on stdout (progress goes to stderr). A benchmark, not a test: it asserts nothing.
 *
 * <p>Run with {@code bin/bench-store}. Single-threaded driver; the subjects start their own
 * threads.
 */
@Command(
    name = "bench-store",
    mixinStandardHelpOptions = true,
    description = "Store append throughput and latency against a raw disk-write baseline.")
public final class StoreBenchmark implements Callable<Integer> {
  private static final int MIB = 1024 * 1024;

  /**
   * Segment size for the store and file size for the baseline. Warm-up plus measured bytes stay
   * below it, so no run rolls a segment and both sides write into one pre-allocated file.
   */
  private static final int FILE_SIZE = 256 * MIB;

  private static final long WARMUP_BYTES = 32L * MIB;

  @Option(names = "--dir", description = "Data directory root (default: a temp dir in target/).")
  private Path dir;

  @Option(
      names = "--sizes",
      split = ",",
      description = "Body sizes in bytes (default: 128,1024,16384; --quick: 1024).")
  private List<Integer> sizes = List.of(128, 1024, 16384);

  @Option(names = "--threads", split = ",", description = "Appending threads (default: 1,4).")
  private List<Integer> threads = List.of(1, 4);

  @Option(names = "--modes", split = ",", description = "Flush modes: ASYNC, SYNC (default: both).")
  private List<FlushMode> modes = List.of(FlushMode.ASYNC, FlushMode.SYNC);

  @Option(names = "--window", description = "Appends in flight per thread, pipelined variant.")
  private int window = 64;

  @Option(names = "--seconds", description = "Measured time per run, at most (default: 2).")
  private double seconds = 2;

  @Option(names = "--warmup-seconds", description = "Warm-up per run, at most (default: 0.5).")
  private double warmupSeconds = 0.5;

  @Option(names = "--max-mib", description = "Measured bytes per run, at most (default: 192).")
  private int maxMib = 192;

  @Option(
      names = "--flush-least-pages",
      description = "ASYNC: store's flushCommitLogLeastPages (default: the store's default, 4).")
  private Integer flushLeastPages;

  @Option(names = "--repeats", description = "Runs per cell; the median is reported (default 3).")
  private int repeats = 3;

  @Option(
      names = "--quick",
      description = "Smoke run: 1 KiB only, 1 repeat, 0.5 s runs (explicit options win).")
  private boolean quick;

  @Spec private CommandSpec spec;

  private final InstantSource clock = InstantSource.system();
  private final PrintStream progress = System.err;

  public static void main(String[] args) {
    int code =
        new CommandLine(new StoreBenchmark())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws Exception {
    applyQuick();
    if (maxMib < 1 || maxMib * (long) MIB + WARMUP_BYTES > FILE_SIZE - MIB) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--max-mib must be 1.." + (FILE_SIZE - WARMUP_BYTES) / MIB);
    }
    boolean ownDir = dir == null;
    Path root = ownDir ? newTempRoot() : Files.createDirectories(dir);
    ResultTable table = new ResultTable(window);
    try {
      for (FlushMode mode : modes) {
        for (int size : sizes) {
          for (int t : threads) {
            runCell(root, mode, size, t, table);
          }
        }
      }
    } finally {
      if (ownDir) {
        DataDirs.delete(root);
      }
    }
    PrintStream out = System.out;
    out.println(header(root));
    out.println(table.markdown());
    out.println(goals(table));
    return 0;
  }

  private void applyQuick() {
    if (!quick) {
      return;
    }
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    if (!parsed.hasMatchedOption("--sizes")) {
      sizes = List.of(1024);
    }
    if (!parsed.hasMatchedOption("--repeats")) {
      repeats = 1;
    }
    if (!parsed.hasMatchedOption("--seconds")) {
      seconds = 0.5;
    }
    if (!parsed.hasMatchedOption("--warmup-seconds")) {
      warmupSeconds = 0.2;
    }
  }

  private static Path newTempRoot() throws IOException {
    return Files.createTempDirectory(Files.createDirectories(Path.of("target")), "store-bench-");
  }

  private void runCell(Path root, FlushMode mode, int size, int threadCount, ResultTable table)
      throws Exception {
    byte[] body = BenchMessages.body(size);
    byte[] record = BenchMessages.sampleRecord(body);
    Cell cell = new Cell(mode, size, threadCount, record.length);
    boolean fsync = mode == FlushMode.SYNC;
    for (int rep = 1; rep <= repeats; rep++) {
      // Interleaved, so a slow phase of the shared machine hits all subjects alike.
      for (Subject subject : Subject.values()) {
        Sample s =
            switch (subject) {
              case STORE_ONE -> runStore(root, cell, body, 1);
              case STORE_WINDOW -> runStore(root, cell, body, window);
              case RAW_MMAP -> runRaw(root, RawWriteLoad.Method.MMAP, cell, record, fsync);
              case RAW_CHANNEL -> runRaw(root, RawWriteLoad.Method.CHANNEL, cell, record, fsync);
            };
        table.add(cell, subject, s);
        progress.printf(
            Locale.ROOT,
            "%s body=%d threads=%d rep=%d %-12s %,10.0f msgs/s %8.1f MB/s p50=%.1fµs p99=%.1fµs%n",
            mode,
            size,
            threadCount,
            rep,
            subject,
            s.messagesPerSecond(),
            s.megabytesPerSecond(),
            s.latencyMicros(50),
            s.latencyMicros(99));
      }
    }
  }

  private Sample runStore(Path root, Cell cell, byte[] body, int inFlight) throws Exception {
    Path data = Files.createTempDirectory(root, "store-");
    try {
      StoreConfig config =
          new StoreConfig(data)
              .mappedFileSizeCommitLog(FILE_SIZE)
              .flushDiskType(cell.mode())
              // Every segment zero-filled and the next one prepared at once: appends are measured
              // into written blocks, as the raw baselines write, not into a first segment zeroed
              // just ahead of them.
              .warmMapedFileEnable(true)
              // 84 MB index files instead of 420 MB: a run indexes < 1M keys, and each run opens
              // a new store that reserves one.
              .maxHashSlotNum(1 << 20)
              .maxIndexNum(4 << 20);
      if (flushLeastPages != null) {
        config.flushCommitLogLeastPages(flushLeastPages);
      }
      try (MessageStore store = MessageStore.open(config, clock)) {
        AppendLoad load =
            new AppendLoad(store, body, cell.recordSize(), cell.threads(), inFlight, clock);
        // One message per queue creates the consume-queue and index files before timing starts.
        load.run(TimeUnit.SECONDS.toNanos(10), (long) cell.threads() * cell.recordSize());
        if (!store.awaitDispatched(Duration.ofSeconds(30))) {
          throw new IllegalStateException("dispatcher did not catch up within 30 s");
        }
        DataDirs.awaitPreallocatedSegment(config.commitLogDir(), Duration.ofSeconds(60));
        DataDirs.sync(data);
        load.run(nanos(warmupSeconds), WARMUP_BYTES);
        return load.run(nanos(seconds), (long) maxMib * MIB);
      }
    } finally {
      DataDirs.delete(data);
    }
  }

  private Sample runRaw(
      Path root, RawWriteLoad.Method method, Cell cell, byte[] record, boolean fsync)
      throws Exception {
    Path data = Files.createTempDirectory(root, "raw-");
    try (RawWriteLoad load =
        new RawWriteLoad(
            method, data.resolve("raw.log"), FILE_SIZE, record, cell.threads(), fsync)) {
      DataDirs.sync(data);
      load.run(nanos(warmupSeconds), WARMUP_BYTES);
      return load.run(nanos(seconds), (long) maxMib * MIB);
    } finally {
      DataDirs.delete(data);
    }
  }

  private static long nanos(double s) {
    return (long) (s * 1e9);
  }

  private String header(Path root) throws IOException {
    FileStore fs = Files.getFileStore(root.getParent() == null ? root : root.getParent());
    return String.format(
        Locale.ROOT,
        "## Store append benchmark%n%n"
            + "java %s (%s), %d CPUs, data dir %s on %s (%s, %.0f GB total, %.0f GB free)%n"
            + "%d run(s) per cell, each ≤ %.1f s or ≤ %d MiB after ≤ %.1f s / %d MiB warm-up;"
            + " medians shown, spread = (max-min)/2 of msgs/s over the median.%n"
            + "MB = 10^6 bytes of encoded records; latency = append call to future completion"
            + " (store) or one write+force (raw).%n",
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        Runtime.getRuntime().availableProcessors(),
        root.toAbsolutePath(),
        fs.name(),
        fs.type(),
        fs.getTotalSpace() / 1e9,
        fs.getUsableSpace() / 1e9,
        repeats,
        seconds,
        maxMib,
        warmupSeconds,
        WARMUP_BYTES / MIB);
  }

  /** The goals, checked against the faster of the two raw baselines. */
  private String goals(ResultTable table) {
    StringBuilder out = new StringBuilder("Goals (store / faster raw baseline of the same row):\n");
    for (int t : threads) {
      Cell cell = cellOf(FlushMode.ASYNC, 1024, t);
      if (cell != null) {
        goal(out, table, cell, Subject.STORE_WINDOW, 0.7, "ASYNC 1 KiB, pipelined");
        goal(out, table, cell, Subject.STORE_ONE, 0.7, "ASYNC 1 KiB, 1 in flight");
      }
    }
    for (int size : sizes) {
      Cell cell = cellOf(FlushMode.SYNC, size, 4);
      if (cell != null) {
        goal(out, table, cell, Subject.STORE_ONE, 0.8, "SYNC 4 writers, 1 in flight each");
        goal(out, table, cell, Subject.STORE_WINDOW, 0.8, "SYNC 4 writers, pipelined");
      }
    }
    return out.toString();
  }

  private Cell cellOf(FlushMode mode, int size, int threadCount) {
    if (!modes.contains(mode) || !sizes.contains(size) || !threads.contains(threadCount)) {
      return null;
    }
    byte[] record = BenchMessages.sampleRecord(BenchMessages.body(size));
    return new Cell(mode, size, threadCount, record.length);
  }

  private static void goal(
      StringBuilder out,
      ResultTable table,
      Cell cell,
      Subject subject,
      double target,
      String what) {
    double baseline =
        Math.max(
            table.medianRate(cell, Subject.RAW_MMAP), table.medianRate(cell, Subject.RAW_CHANNEL));
    double ratio = table.medianRate(cell, subject) / baseline;
    out.append(
        String.format(
            Locale.ROOT,
            "- %s, body %d B, %d thread(s): %.2f (goal ≥ %.2f: %s)%n",
            what,
            cell.bodySize(),
            cell.threads(),
            ratio,
            target,
            ratio >= target ? "met" : "NOT met"));
  }
}
