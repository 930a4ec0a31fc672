package io.wharfmq.store.mapped;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Names of offset-named files: 20-digit zero-padded decimal start offsets. Stateless. */
public final class FileNames {
  private FileNames() {}

  public static String offsetName(long offset) {
    return String.format("%020d", offset);
  }

  /** Whether a file name is a 20-digit offset name. */
  public static boolean isOffsetName(String name) {
    if (name.length() != 20) {
      return false;
    }
    for (int i = 0; i < 20; i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Lists offset-named files in a directory in offset order, deleting leftovers of interrupted
   * pre-allocations ({@code *.alloc}).
   */
  public static List<Path> listOffsetFiles(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (name.endsWith(".alloc")) {
          Files.deleteIfExists(p);
        } else if (isOffsetName(name)) {
          files.add(p);
        }
      }
    }
    files.sort(null);
    return files;
  }

  public static long offsetOf(Path file) {
    return Long.parseLong(file.getFileName().toString());
  }
}
