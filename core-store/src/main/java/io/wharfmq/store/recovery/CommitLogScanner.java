package io.wharfmq.store.recovery;

import io.wharfmq.store.commitlog.CommitLog;
import io.wharfmq.store.format.RecordValidator;
import io.wharfmq.store.mapped.MappedFile;

/**
 * Finds where a commit log's valid data ends by validating records (size, magic, field lengths,
 * physical offset, body CRC) from a known-good offset. Only a validator verdict of "invalid" ends
 * the log; any exception is a bug and propagates, so it stops startup instead of becoming silent
 * truncation. Stateless; runs on the recovering thread.
 */
public final class CommitLogScanner {
  private CommitLogScanner() {}

  /**
   * Result of a scan.
   *
   * @param end offset just past the last valid record (where the next record goes)
   * @param records valid records seen
   * @param invalidReason why the record at {@code end} is invalid, or null if the log simply ended
   */
  public record Result(long end, long records, String invalidReason) {
    public boolean foundInvalid() {
      return invalidReason != null;
    }
  }

  public static Result scan(CommitLog log, long from) {
    long at = from;
    long records = 0;
    while (true) {
      MappedFile segment = log.segmentFor(at);
      if (segment == null) {
        return new Result(at, records, null);
      }
      int pos = (int) (at - segment.baseOffset());
      RecordValidator.Result r =
          RecordValidator.check(segment.buffer(), pos, segment.size(), at, true);
      switch (r.kind()) {
        case RECORD -> {
          at += r.size();
          records++;
        }
        case BLANK -> at += r.size();
        case END_OF_DATA -> {
          return new Result(at, records, null);
        }
        case INVALID -> {
          return new Result(at, records, r.reason());
        }
        default -> throw new IllegalStateException("unknown verdict " + r.kind());
      }
    }
  }
}
