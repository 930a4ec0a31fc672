package io.wharfmq.store.tool;

import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.mapped.FileNames;
import io.wharfmq.store.recovery.StoreLock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Read-only access to a data directory for the offline tool. Unlike the store's own loaders it
 * never creates, deletes (not even {@code *.alloc} leftovers) or maps a file for writing.
 * Single-threaded.
 */
final class StoreDirectory {
  /** Commit-log segment size when it cannot be detected (no segment yet). */
  static final int DEFAULT_SEGMENT_SIZE = new StoreConfig(Path.of(".")).mappedFileSizeCommitLog();

  private final Path root;
  private final StoreConfig paths;

  private StoreDirectory(Path root) {
    this.root = root;
    this.paths = new StoreConfig(root);
  }

  /**
   * Opens a data directory for reading after checking that no store holds its lock.
   *
   * @throws ToolFailure if it is not a data directory or a running store holds it
   */
  static StoreDirectory open(Path root) throws ToolFailure, IOException {
    StoreDirectory dir = new StoreDirectory(root);
    if (!Files.isDirectory(dir.commitLogDir())) {
      throw new ToolFailure(
          root
              + " is not a Wharf data directory (no commitlog/ inside). Pass --dir the store's"
              + " storePathRootDir.");
    }
    dir.checkNotInUse();
    return dir;
  }

  /** Fails if a store holds the {@code lock} file (the tool never keeps a store from starting). */
  private void checkNotInUse() throws ToolFailure, IOException {
    if (StoreLock.isHeld(root)) {
      throw new ToolFailure(
          "Data directory "
              + root
              + " is in use: a running store holds its lock file. Stop the broker first; this"
              + " tool only reads a store that is shut down.");
    }
  }

  Path root() {
    return root;
  }

  Path commitLogDir() {
    return paths.commitLogDir();
  }

  Path consumeQueueDir() {
    return paths.consumeQueueDir();
  }

  Path queueDir(String topic, int queueId) {
    return consumeQueueDir().resolve(topic).resolve(Integer.toString(queueId));
  }

  /** Commit-log segment files in offset order. */
  List<Path> segmentFiles() throws IOException {
    return offsetFiles(commitLogDir());
  }

  /** The segment size: the first segment's length, or the default when there is none. */
  int detectSegmentSize() throws IOException {
    List<Path> segments = segmentFiles();
    if (segments.isEmpty()) {
      return DEFAULT_SEGMENT_SIZE;
    }
    long size = Files.size(segments.get(0));
    return size > 0 && size <= Integer.MAX_VALUE ? (int) size : DEFAULT_SEGMENT_SIZE;
  }

  /** Queue directories as {@code consumequeue/<topic>/<queueId>}, sorted. */
  List<Path> queueDirs() throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (Path topic : sortedChildren(consumeQueueDir())) {
      List<Path> ids = new ArrayList<>();
      for (Path id : sortedChildren(topic)) {
        if (Files.isDirectory(id) && id.getFileName().toString().matches("\\d{1,9}")) {
          ids.add(id);
        }
      }
      ids.sort(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())));
      dirs.addAll(ids);
    }
    return dirs;
  }

  /**
   * Offset-named files of a directory in offset order; like {@link FileNames#listOffsetFiles} but
   * leaves {@code *.alloc} files alone.
   */
  static List<Path> offsetFiles(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path p : sortedChildren(dir)) {
      if (FileNames.isOffsetName(p.getFileName().toString()) && Files.isRegularFile(p)) {
        files.add(p);
      }
    }
    return files;
  }

  /** Maps a whole file read-only. Files over 2 GiB cannot be mapped as one buffer. */
  static ByteBuffer mapReadOnly(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        throw new IOException(file + " is " + size + " bytes, more than one buffer can map");
      }
      return ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
    }
  }

  private static List<Path> sortedChildren(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
