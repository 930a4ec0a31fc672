package io.wharfmq.store.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Names of index files: the creation time as {@code yyyyMMddHHmmssSSS}, so that name order is
 * creation order. Stateless; thread-safe.
 */
final class IndexFileNames {
  private IndexFileNames() {}

  private static final int NAME_LENGTH = 17;

  // UTC rather than local time: local names repeat or go backwards when daylight saving time ends,
  // and then name order would no longer be creation order.
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS").withZone(ZoneOffset.UTC);

  static String nameOf(long epochMillis) {
    return FORMAT.format(Instant.ofEpochMilli(epochMillis));
  }

  /** Creation time encoded in a name, or -1 if it is not an index file name. */
  static long millisOf(String name) {
    if (name.length() != NAME_LENGTH || !name.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    try {
      return LocalDateTime.parse(name, FORMAT).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException e) {
      return -1;
    }
  }

  /**
   * Index files of a directory in creation order, deleting leftovers of interrupted pre-allocations
   * ({@code *.alloc}).
   */
  static List<Path> list(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (name.endsWith(".alloc")) {
          Files.deleteIfExists(p);
        } else if (millisOf(name) >= 0) {
          files.add(p);
        }
      }
    }
    files.sort(null);
    return files;
  }

  /**
   * Path for a new file created at {@code epochMillis}. The name is moved forward 1 ms at a time
   * past the newest existing file and past any file already there, so a fast rollover or a clock
   * stepping back never reuses a name or breaks creation order.
   */
  static Path newFile(Path dir, Path newest, long epochMillis) {
    long millis = epochMillis;
    if (newest != null) {
      millis = Math.max(millis, millisOf(newest.getFileName().toString()) + 1);
    }
    while (Files.exists(dir.resolve(nameOf(millis)))) {
      millis++;
    }
    return dir.resolve(nameOf(millis));
  }
}
