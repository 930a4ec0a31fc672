package io.wharfmq.store.bench;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/** File-system chores of the benchmark. Stateless; thread-safe. */
final class DataDirs {
  private DataDirs() {}

  /**
   * fsyncs every regular file under {@code dir}, so the zeros written by pre-allocation are on disk
   * before timing starts instead of being written back during the measured run.
   */
  static void sync(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
          ch.force(true);
        } catch (java.nio.file.NoSuchFileException e) {
          // A temp file the store renamed meanwhile (checkpoint.tmp): nothing to sync.
        }
      }
    }
  }

  /**
   * Waits until the store's background allocator has created the next commit-log segment, so its
   * zero-fill does not run during the measured run.
   */
  static void awaitPreallocatedSegment(Path commitLogDir, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<String> names;
      try (Stream<Path> files = Files.list(commitLogDir)) {
        names = files.map(p -> p.getFileName().toString()).toList();
      }
      if (names.size() >= 2 && names.stream().noneMatch(n -> n.endsWith(".alloc"))) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "next commit-log segment not pre-allocated within " + timeout + ": " + names);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  /** Deletes {@code dir} and everything in it. */
  static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new IOException("could not delete benchmark data in " + dir, e);
    }
  }
}
