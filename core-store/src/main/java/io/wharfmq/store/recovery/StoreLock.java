package io.wharfmq.store.recovery;

import io.wharfmq.store.mapped.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The {@code lock} file (one process per data directory) and the {@code abort} marker: present
 * while a store is open, deleted on clean shutdown, so its presence at start means the last run
 * crashed. Layout in docs/formats.md, tables "Lock file" and "Abort marker". Owned by the thread
 * that opens and closes the store.
 */
public final class StoreLock implements AutoCloseable {
  public static final String LOCK_FILE = "lock";
  public static final String ABORT_FILE = "abort";

  private final Path root;
  private final FileChannel channel;
  private final FileLock lock;
  private final boolean crashed;

  private StoreLock(Path root, FileChannel channel, FileLock lock, boolean crashed) {
    this.root = root;
    this.channel = channel;
    this.lock = lock;
    this.crashed = crashed;
  }

  /** Locks the directory; fails if another process holds it. Does not yet write the marker. */
  public static StoreLock acquire(Path root) throws IOException {
    Files.createDirectories(root);
    FileChannel ch =
        FileChannel.open(
            root.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      lock = null; // held by this very JVM
    }
    if (lock == null) {
      ch.close();
      throw new IOException(
          "Data directory "
              + root
              + " is in use by another process (lock file held). Stop it, or use another"
              + " storePathRootDir.");
    }
    return new StoreLock(root, ch, lock, Files.exists(root.resolve(ABORT_FILE)));
  }

  /** Whether the previous run ended without a clean shutdown. */
  /**
   * Whether a process holds the {@code lock} file of {@code root}, reading only: a shared lock on a
   * read-only channel conflicts with a store's exclusive lock in another process, and inside one
   * JVM the attempt throws instead. The probe's lock is released at once, so it never keeps a store
   * from starting. False when there is no lock file.
   */
  public static boolean isHeld(Path root) throws IOException {
    Path lockFile = root.resolve(LOCK_FILE);
    if (!Files.exists(lockFile)) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.READ)) {
      FileLock lock;
      try {
        lock = ch.tryLock(0, Long.MAX_VALUE, true);
      } catch (java.nio.channels.OverlappingFileLockException e) {
        return true;
      }
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    }
  }

  public boolean previousRunCrashed() {
    return crashed;
  }

  /** Writes the abort marker: from now on, a crash will be detected at the next start. */
  public void markRunning(Instant now) throws IOException {
    String content = "pid=" + ProcessHandle.current().pid() + " started=" + now + "\n";
    AtomicFiles.write(root.resolve(ABORT_FILE), content.getBytes(StandardCharsets.UTF_8));
  }

  /** Removes the abort marker after a clean shutdown. */
  public void markCleanShutdown() throws IOException {
    Files.deleteIfExists(root.resolve(ABORT_FILE));
    AtomicFiles.fsyncDirectory(root);
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}
