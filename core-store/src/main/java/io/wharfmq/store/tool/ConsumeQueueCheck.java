package io.wharfmq.store.tool;

import io.wharfmq.store.format.DispatchTargets;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.format.RecordValidator;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import io.wharfmq.store.queue.ConsumeQueueLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Verifies one consume queue against the commit log: file names and sizes; every written entry
 * points to a valid record of this topic and queue whose QUEUEOFFSET is the entry's position and
 * whose size is the entry's size; entries rise in physical order without holes; none points past
 * the end of the valid log (one problem per queue names how many do). Entries below the oldest
 * segment (removed by retention) are only counted. At most {@link #SHOWN_PER_QUEUE} problems are
 * printed per queue. Single-threaded.
 */
final class ConsumeQueueCheck {
  static final int SHOWN_PER_QUEUE = 10;

  private final CommitLogFiles log;
  private final CommitLogCheck.Outcome logOutcome;
  private final Report report;
  private final String topic;
  private final int queueId;
  private final String name;
  private long problems;
  private long written;
  private long expired;
  private long lastPhysical = -1;
  private long firstUnwrittenAfterData = -1;
  private long pastEnd;
  private long firstPastEnd = -1;
  private long lastPastEnd = -1;

  private ConsumeQueueCheck(
      CommitLogFiles log, CommitLogCheck.Outcome logOutcome, Report report, Path queueDir) {
    this.log = log;
    this.logOutcome = logOutcome;
    this.report = report;
    this.topic = queueDir.getParent().getFileName().toString();
    this.queueId = Integer.parseInt(queueDir.getFileName().toString());
    this.name = topic + "/" + queueId;
  }

  /**
   * Checks the queue in {@code queueDir}.
   *
   * @param entriesPerFile entries per file, or 0 to take it from the first file's length
   */
  static void run(
      Path queueDir,
      int entriesPerFile,
      CommitLogFiles log,
      CommitLogCheck.Outcome logOutcome,
      Report report)
      throws IOException {
    new ConsumeQueueCheck(log, logOutcome, report, queueDir).check(queueDir, entriesPerFile);
  }

  private void check(Path queueDir, int entriesPerFile) throws IOException {
    List<ConsumeQueueFiles.QueueFile> files = ConsumeQueueFiles.open(queueDir).files();
    if (files.isEmpty()) {
      report.info("consume queue " + name + ": no files");
      return;
    }
    long fileSize =
        entriesPerFile > 0
            ? (long) entriesPerFile * ConsumeQueueLayout.ENTRY_SIZE
            : files.get(0).buffer().limit();
    long expected = files.get(0).byteOffset();
    for (ConsumeQueueFiles.QueueFile file : files) {
      String fileName = file.path().getFileName().toString();
      if (file.byteOffset() != expected) {
        problem("file " + fileName + ": files are not contiguous, expected one at " + expected);
      }
      expected = file.byteOffset() + fileSize;
      if (fileSize == 0
          || fileSize % ConsumeQueueLayout.ENTRY_SIZE != 0
          || file.buffer().limit() != fileSize
          || file.byteOffset() % fileSize != 0) {
        problem(
            "file "
                + fileName
                + ": "
                + file.buffer().limit()
                + " bytes at byte offset "
                + file.byteOffset()
                + "; expected "
                + fileSize
                + " bytes at a multiple of that,"
                + " a multiple of "
                + ConsumeQueueLayout.ENTRY_SIZE
                + " (wrong"
                + " --cq-entries-per-file?)");
        continue;
      }
      for (int i = 0; i < file.entries(); i++) {
        checkEntry(file.entry(i));
      }
    }
    if (pastEnd > 0) {
      report.problem(
          "consume queue "
              + name
              + " "
              + pastEnd
              + " entries between "
              + firstPastEnd
              + " and "
              + lastPastEnd
              + " point past the end of the valid log at "
              + logOutcome.validEnd());
    }
    report.info(
        "consume queue "
            + name
            + ": "
            + written
            + " written entries ("
            + expired
            + " below the oldest segment)");
    if (problems > SHOWN_PER_QUEUE) {
      report.info(
          "  ... " + (problems - SHOWN_PER_QUEUE) + " more problems in " + name + " not shown");
    }
  }

  private void checkEntry(ConsumeQueueEntry e) throws IOException {
    if (!ConsumeQueueFiles.isWritten(e)) {
      if (written > 0 && firstUnwrittenAfterData < 0) {
        firstUnwrittenAfterData = e.queueOffset();
      }
      return;
    }
    written++;
    String at = "entry " + e.queueOffset() + " -> offset " + e.physicalOffset() + ": ";
    if (firstUnwrittenAfterData >= 0) {
      problem(at + "written, but entry " + firstUnwrittenAfterData + " before it is not (hole)");
      firstUnwrittenAfterData = -1;
    }
    if (e.physicalOffset() <= lastPhysical) {
      problem(at + "not after the previous entry's offset " + lastPhysical);
    }
    lastPhysical = Math.max(lastPhysical, e.physicalOffset());
    if (e.physicalOffset() < logOutcome.minOffset()) {
      expired++;
      return;
    }
    if (e.physicalOffset() >= logOutcome.validEnd()) {
      // Reported once per queue: after a cut in mid-log, every later entry is past the end.
      pastEnd++;
      firstPastEnd = firstPastEnd < 0 ? e.queueOffset() : firstPastEnd;
      lastPastEnd = e.queueOffset();
      return;
    }
    long base = log.baseOf(e.physicalOffset());
    if (base < 0) {
      problem(at + "no commit-log segment holds it");
      return;
    }
    ByteBuffer buf = log.map(base);
    int pos = (int) (e.physicalOffset() - base);
    RecordValidator.Result r =
        RecordValidator.check(buf, pos, buf.limit(), e.physicalOffset(), false);
    if (r.kind() != RecordValidator.Kind.RECORD) {
      problem(at + "no record there (" + (r.reason() != null ? r.reason() : r.kind()) + ")");
      return;
    }
    StringBuilder mismatch = new StringBuilder();
    String targets =
        MessageProperties.find(StoredMessage.properties(buf, pos), MessageProperties.DISPATCH);
    if (targets != null) {
      checkDispatched(e, targets, mismatch);
    } else {
      checkOwn(e, buf, pos, mismatch);
    }
    if (r.size() != e.size()) {
      mismatch
          .append(" size ")
          .append(r.size())
          .append(" (entry says ")
          .append(e.size())
          .append(')');
    }
    if (!mismatch.isEmpty()) {
      problem(at + "the record there has" + mismatch);
    }
  }

  /** A dispatched record must list this queue, at this offset, among its targets. */
  private void checkDispatched(ConsumeQueueEntry e, String targets, StringBuilder mismatch) {
    List<DispatchTargets.Target> parsed;
    try {
      parsed = DispatchTargets.parse(targets);
    } catch (IllegalArgumentException ex) {
      mismatch
          .append(" a bad ")
          .append(MessageProperties.DISPATCH)
          .append(": ")
          .append(ex.getMessage());
      return;
    }
    for (DispatchTargets.Target t : parsed) {
      if (t.topic().equals(topic) && t.queueId() == queueId && t.queueOffset() == e.queueOffset()) {
        return;
      }
    }
    mismatch
        .append(" no dispatch target ")
        .append(topic)
        .append(':')
        .append(queueId)
        .append(':')
        .append(e.queueOffset())
        .append(" (it has ")
        .append(targets)
        .append(')');
  }

  private void checkOwn(ConsumeQueueEntry e, ByteBuffer buf, int pos, StringBuilder mismatch) {
    String recordTopic = StoredMessage.topic(buf, pos);
    int recordQueueId = buf.getInt(pos + MessageRecordLayout.QUEUE_ID);
    long recordQueueOffset = buf.getLong(pos + MessageRecordLayout.QUEUE_OFFSET);
    if (!recordTopic.equals(topic)) {
      mismatch.append(" topic ").append(recordTopic);
    }
    if (recordQueueId != queueId) {
      mismatch.append(" queueId ").append(recordQueueId);
    }
    if (recordQueueOffset != e.queueOffset()) {
      mismatch.append(" QUEUEOFFSET ").append(recordQueueOffset);
    }
  }

  private void problem(String line) {
    problems++;
    if (problems <= SHOWN_PER_QUEUE) {
      report.problem("consume queue " + name + " " + line);
    } else {
      report.problemNotShown();
    }
  }
}
