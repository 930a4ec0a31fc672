package io.wharfmq.store.tool;

import io.wharfmq.store.recovery.Checkpoint;
import io.wharfmq.store.recovery.StoreLock;
import io.wharfmq.store.takeover.RocketMqCheckpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code verify}: checks a shut-down data directory — checkpoint, abort marker, every commit-log
 * record (with CRC) and every consume-queue entry — and exits 1 if anything is inconsistent.
 * Single-threaded.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Validates every commit-log record (structure and body CRC) and every consume-queue entry.",
      "Exit code 0 when consistent, 1 when a problem was found (each printed as PROBLEM ...)."
    })
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dir", required = true, description = "Data directory (storePathRootDir).")
  Path dir;

  @Option(
      names = "--segment-size",
      paramLabel = "BYTES",
      description =
          "Commit-log segment size (mappedFileSizeCommitLog). Default: the first segment's length,"
              + " or 1073741824 without segments.")
  Integer segmentSize;

  @Option(
      names = "--cq-entries-per-file",
      paramLabel = "N",
      defaultValue = "0",
      description = "Entries per consume-queue file. Default: taken from each queue's first file.")
  int cqEntriesPerFile;

  @Override
  public Integer call() throws Exception {
    if ((segmentSize != null && segmentSize <= 0) || cqEntriesPerFile < 0) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--segment-size and --cq-entries-per-file must be positive");
    }
    StoreDirectory store = StoreDirectory.open(dir);
    PrintWriter out = spec.commandLine().getOut();
    Report report = new Report(out);
    report.info("data directory " + store.root());
    boolean crashed = Files.exists(store.root().resolve(StoreLock.ABORT_FILE));
    report.info(
        crashed
            ? "abort marker: present (the last run did not shut down cleanly; the next start"
                + " recovers)"
            : "abort marker: absent (clean shutdown)");
    Checkpoint checkpoint = readCheckpoint(store, report);

    int size = segmentSize != null ? segmentSize : store.detectSegmentSize();
    CommitLogFiles log = new CommitLogFiles(store.segmentFiles());
    CommitLogCheck.Outcome outcome = CommitLogCheck.run(log, size, report);
    if (checkpoint != null && checkpoint.commitLogFlushedOffset() > outcome.validEnd()) {
      report.problem(
          "checkpoint says the log was flushed up to "
              + checkpoint.commitLogFlushedOffset()
              + " but valid data ends at "
              + outcome.validEnd());
    }
    if (checkpoint != null && checkpoint.dispatchedOffset() > outcome.validEnd()) {
      report.problem(
          "checkpoint says records were dispatched up to "
              + checkpoint.dispatchedOffset()
              + " but valid data ends at "
              + outcome.validEnd());
    }
    for (Path queueDir : store.queueDirs()) {
      ConsumeQueueCheck.run(queueDir, cqEntriesPerFile, log, outcome, report);
    }
    report.info(
        report.problems() == 0
            ? "OK: consistent"
            : "FAILED: " + report.problems() + " problem(s) found");
    out.flush();
    return report.problems() == 0 ? StoreTool.OK : StoreTool.PROBLEMS;
  }

  private static Checkpoint readCheckpoint(StoreDirectory store, Report report) {
    if (!Files.exists(store.root().resolve(Checkpoint.FILE_NAME))) {
      report.info("checkpoint: absent (a start scans the whole log)");
      return null;
    }
    try {
      RocketMqCheckpoint rocketMq =
          RocketMqCheckpoint.readIfPresent(store.root().resolve(Checkpoint.FILE_NAME));
      if (rocketMq != null) {
        report.info(
            "checkpoint: Apache RocketMQ's (physicMsgTimestamp="
                + Instant.ofEpochMilli(rocketMq.physicMsgTimestamp())
                + "); a Wharf broker takes this directory over at its next start");
        return null;
      }
      Checkpoint c = Checkpoint.read(store.root());
      report.info(
          "checkpoint: commitLogFlushedOffset="
              + c.commitLogFlushedOffset()
              + " dispatchedOffset="
              + c.dispatchedOffset()
              + " timestamp="
              + Instant.ofEpochMilli(c.timestamp()));
      return c;
    } catch (IOException e) {
      report.problem("checkpoint: " + e.getMessage());
      return null;
    }
  }
}
