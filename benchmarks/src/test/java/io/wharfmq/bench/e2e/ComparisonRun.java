package io.wharfmq.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a benchmark run does around its measurements: its temp directory, the rotating order of
 * targets, progress lines on stderr. Stateless; thread-safe.
 */
public final class ComparisonRun {
  private ComparisonRun() {}

  /** A fresh temp directory for the run, under {@code parent} (created if missing) or tmpdir. */
  public static Path tempRoot(Path parent, String prefix) throws IOException {
    return parent == null
        ? Files.createTempDirectory(prefix)
        : Files.createTempDirectory(Files.createDirectories(parent), prefix);
  }

  /**
   * {@code targets} in the order of turn {@code turn}: which goes first rotates, so none always
   * runs on a disk still busy with the previous one's write-back.
   */
  public static <T> List<T> rotated(Collection<T> targets, int turn) {
    List<T> order = new ArrayList<>(targets);
    Collections.rotate(order, -(turn % order.size()));
    return order;
  }

  /** Deletes {@code dir} and everything below it; nothing when it does not exist. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A progress line on stderr, with the time of day. */
  public static void progress(String format, Object... args) {
    System.err.printf("[%tT] %s%n", System.currentTimeMillis(), String.format(format, args));
  }
}
