package io.wharfmq.store.tool;

import io.wharfmq.store.format.RecordValidator;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.mapped.FileNames;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dump}: one line per commit-log entry in log order, from an offset. Records whose structure
 * is valid are shown even when their body CRC is not ({@code crc=BAD}); an invalid entry ends its
 * segment, as it does for recovery. Single-threaded.
 */
@Command(
    name = "dump",
    mixinStandardHelpOptions = true,
    description = "Prints commit-log records, one line each, in log order.")
final class DumpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dir", required = true, description = "Data directory (storePathRootDir).")
  Path dir;

  @Option(
      names = "--from",
      defaultValue = "-1",
      description = "Physical offset of the first record (default: start of the oldest segment).")
  long from;

  @Option(
      names = "--limit",
      defaultValue = "" + Long.MAX_VALUE,
      description = "Print at most this many records.")
  long limit;

  @Option(names = "--topic", description = "Only records of this topic.")
  String topic;

  @Option(
      names = "--body-preview",
      defaultValue = "0",
      paramLabel = "BYTES",
      description = "Show this many leading body bytes (default ${DEFAULT-VALUE}: none).")
  int bodyPreview;

  private long printed;

  @Override
  public Integer call() throws Exception {
    StoreDirectory store = StoreDirectory.open(dir);
    PrintWriter out = spec.commandLine().getOut();
    List<Path> segments = store.segmentFiles();
    if (segments.isEmpty()) {
      out.println("no commit-log segments in " + store.commitLogDir());
      out.flush();
      return StoreTool.OK;
    }
    long at = from < 0 ? FileNames.offsetOf(segments.get(0)) : from;
    for (Path segment : segments) {
      long base = FileNames.offsetOf(segment);
      if (printed >= limit || base + Files.size(segment) <= at) {
        continue;
      }
      dumpSegment(out, base, StoreDirectory.mapReadOnly(segment), (int) Math.max(0, at - base));
    }
    out.flush();
    return StoreTool.OK;
  }

  private void dumpSegment(PrintWriter out, long base, ByteBuffer buf, int start) {
    int pos = start;
    while (printed < limit) {
      long offset = base + pos;
      RecordValidator.Result r = RecordValidator.check(buf, pos, buf.limit(), offset, false);
      switch (r.kind()) {
        case RECORD -> {
          StoredMessage m = StoredMessage.decode(buf, pos);
          if (topic == null || topic.equals(m.topic())) {
            boolean crcOk =
                RecordValidator.check(buf, pos, buf.limit(), offset, true).kind()
                    == RecordValidator.Kind.RECORD;
            out.println(RecordFormat.line(m, crcOk, bodyPreview));
            printed++;
          }
          pos += r.size();
        }
        case BLANK -> {
          out.println("offset=" + offset + " size=" + r.size() + " BLANK (end-of-segment marker)");
          return;
        }
        case END_OF_DATA -> {
          out.println("offset=" + offset + " END (no more data in this segment)");
          return;
        }
        case INVALID -> {
          out.println("offset=" + offset + " INVALID " + r.reason() + " (rest of segment skipped)");
          return;
        }
        default -> throw new IllegalStateException("unknown verdict " + r.kind());
      }
    }
  }
}
