package io.wharfmq.store.tool;

import io.wharfmq.store.mapped.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The commit-log segments of a data directory, mapped read-only on first use and kept mapped, so
 * that consume-queue entries can be checked against the records they point to. Single-threaded.
 */
final class CommitLogFiles {
  private final TreeMap<Long, Path> segments = new TreeMap<>();
  private final Map<Long, ByteBuffer> mapped = new HashMap<>();

  CommitLogFiles(List<Path> segmentFiles) {
    for (Path p : segmentFiles) {
      segments.put(FileNames.offsetOf(p), p);
    }
  }

  /** Segment files by start offset. */
  TreeMap<Long, Path> segments() {
    return segments;
  }

  /** Start offset of the oldest segment, 0 without segments. */
  long minOffset() {
    return segments.isEmpty() ? 0 : segments.firstKey();
  }

  /** The mapped segment starting at {@code base}. */
  ByteBuffer map(long base) throws IOException {
    ByteBuffer buf = mapped.get(base);
    if (buf == null) {
      buf = StoreDirectory.mapReadOnly(segments.get(base));
      mapped.put(base, buf);
    }
    return buf;
  }

  /** Start offset of the segment file holding {@code offset}, or -1. */
  long baseOf(long offset) throws IOException {
    Map.Entry<Long, Path> e = segments.floorEntry(offset);
    if (e == null || offset - e.getKey() >= map(e.getKey()).limit()) {
      return -1;
    }
    return e.getKey();
  }
}
