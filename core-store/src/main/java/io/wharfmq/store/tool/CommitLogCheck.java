package io.wharfmq.store.tool;

import io.wharfmq.store.format.RecordValidator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Verifies commit-log segments: file names and sizes, and every record of every segment with {@link
 * RecordValidator} including the body CRC. Each segment is checked on its own from its start, so
 * damage in one does not hide damage in another; the valid log ends at the first segment that stops
 * at neither a blank marker nor its end. Single-threaded.
 */
final class CommitLogCheck {
  private CommitLogCheck() {}

  /**
   * What the check found.
   *
   * @param validEnd offset just past the last record a full recovery scan would keep
   * @param records valid records in all segments
   */
  record Outcome(long minOffset, long validEnd, long records) {}

  /** How one segment's scan stopped. */
  private record SegmentScan(long records, RecordValidator.Kind stop, int stopPos, String reason) {}

  static Outcome run(CommitLogFiles log, int segmentSize, Report report) throws IOException {
    report.info(
        "commit log: " + log.segments().size() + " segment(s), segment size " + segmentSize);
    long expected = log.minOffset();
    long validEnd = -1;
    long records = 0;
    for (Map.Entry<Long, Path> e : log.segments().entrySet()) {
      long base = e.getKey();
      Path file = e.getValue();
      String name = file.getFileName().toString();
      if (base != expected) {
        report.problem(
            "segment "
                + name
                + ": segments are not contiguous, expected one starting at "
                + expected);
        validEnd = validEnd < 0 ? expected : validEnd;
      }
      expected = base + segmentSize;
      long length = Files.size(file);
      if (base % segmentSize != 0 || length != segmentSize) {
        report.problem(
            "segment "
                + name
                + ": "
                + length
                + " bytes at offset "
                + base
                + "; expected "
                + segmentSize
                + " bytes at a multiple of "
                + segmentSize
                + " (wrong --segment-size?)");
        validEnd = validEnd < 0 ? base : validEnd;
        continue;
      }
      SegmentScan scan = scan(log.map(base), base);
      records += scan.records();
      long stopOffset = base + scan.stopPos();
      report.info(
          "segment "
              + name
              + ": "
              + scan.records()
              + " valid records, then "
              + describe(scan.stop())
              + " at "
              + stopOffset);
      if (scan.stop() == RecordValidator.Kind.INVALID) {
        report.problem(
            "commit log offset "
                + stopOffset
                + " (segment "
                + name
                + "): invalid record: "
                + scan.reason());
      }
      boolean hasData = scan.stopPos() > 0 || scan.stop() != RecordValidator.Kind.END_OF_DATA;
      if (validEnd >= 0 && hasData) {
        report.problem(
            "segment "
                + name
                + " holds data after the end of the valid log at "
                + validEnd
                + " (a full recovery scan stops there)");
      }
      if (validEnd < 0 && scan.stop() != RecordValidator.Kind.BLANK) {
        validEnd = stopOffset;
      }
    }
    if (validEnd < 0) {
      validEnd = expected;
    }
    report.info(
        "commit log: "
            + records
            + " valid records, valid data ["
            + log.minOffset()
            + ", "
            + validEnd
            + ")");
    return new Outcome(log.minOffset(), validEnd, records);
  }

  private static SegmentScan scan(ByteBuffer buf, long base) {
    int pos = 0;
    long records = 0;
    while (true) {
      RecordValidator.Result r = RecordValidator.check(buf, pos, buf.limit(), base + pos, true);
      if (r.kind() != RecordValidator.Kind.RECORD) {
        return new SegmentScan(records, r.kind(), pos, r.reason());
      }
      records++;
      pos += r.size();
    }
  }

  private static String describe(RecordValidator.Kind stop) {
    return switch (stop) {
      case BLANK -> "end-of-segment blank marker";
      case END_OF_DATA -> "end of data";
      case INVALID -> "an INVALID record";
      case RECORD -> "a record";
    };
  }
}
