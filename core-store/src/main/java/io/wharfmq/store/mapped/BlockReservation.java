package io.wharfmq.store.mapped;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a new file real disk blocks for its whole length before it is mapped, so a full disk is an
 * IOException here and never a SIGBUS on a later write through the mapping.
 *
 * <p>Where the file system supports it, the blocks are reserved with fallocate(2) (through the
 * util-linux {@code fallocate} command: Java 17 has no API for it): allocated but unwritten, they
 * read as zeros, cost no data writes and take milliseconds for a 1 GiB segment. Where it does not
 * (no {@code fallocate} command, or a file system that refuses the call), the file is zero-filled
 * as before, which writes its whole length. The outcome is remembered per file system, so a store
 * that cannot use fallocate tries it once, says so once, and zero-fills from then on.
 *
 * <p>Thread-safe.
 */
public final class BlockReservation {
  private static final Logger log = LoggerFactory.getLogger(BlockReservation.class);
  private static final int ZERO_CHUNK = 1 << 20;
  private static final long COMMAND_TIMEOUT_SECONDS = 60;

  /** File systems on which fallocate worked (true) or was refused (false). */
  private static final Map<FileStore, Boolean> FALLOCATE_WORKS = new ConcurrentHashMap<>();

  /** Set when the command itself is missing: no file system can use it then. */
  private static volatile boolean commandMissing;

  private BlockReservation() {}

  /** How a file got its blocks. */
  public enum Method {
    /** fallocate(2): blocks reserved, nothing written. */
    FALLOCATE,
    /** Zeros written over the whole length. */
    ZERO_FILL
  }

  /**
   * Creates (or truncates) {@code file} and gives it {@code size} bytes of allocated, zero-reading
   * blocks. Fails with an IOException ("No space left on device") when the disk cannot hold it; the
   * caller deletes the partial file.
   */
  public static Method reserve(Path file, long size) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      // Opened first so that permission problems show as such, not as a fallocate failure.
      FileStore store = Files.getFileStore(file);
      if (!commandMissing && FALLOCATE_WORKS.getOrDefault(store, true)) {
        if (fallocate(file, size, store) && ch.size() == size) {
          return Method.FALLOCATE;
        }
        ch.truncate(0);
      }
      zeroFill(ch, size);
      return Method.ZERO_FILL;
    }
  }

  /** Returns true when the blocks were reserved; false when fallocate cannot be used here. */
  private static boolean fallocate(Path file, long size, FileStore store) throws IOException {
    Process p;
    try {
      p =
          new ProcessBuilder("fallocate", "-l", Long.toString(size), file.toString())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      commandMissing = true;
      log.info(
          "No fallocate command ({}): new store files are zero-filled, which writes their whole"
              + " size once",
          e.getMessage());
      return false;
    }
    String output;
    try {
      p.getOutputStream().close();
      output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("fallocate of " + file + " did not finish");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reserving disk blocks for " + file, e);
    }
    if (p.exitValue() == 0) {
      FALLOCATE_WORKS.putIfAbsent(store, true);
      return true;
    }
    if (output.contains("No space left")) {
      throw new IOException(
          "No space left on device: cannot reserve " + size + " bytes for " + file);
    }
    if (FALLOCATE_WORKS.put(store, false) == null) {
      log.info(
          "fallocate refused on {} ({}): new store files there are zero-filled, which writes their"
              + " whole size once",
          store,
          output);
    }
    return false;
  }

  /** Creates (or truncates) {@code file} and writes {@code size} bytes of zeros into it. */
  public static Method zeroFill(Path file, long size) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      zeroFill(ch, size);
    }
    return Method.ZERO_FILL;
  }

  private static void zeroFill(FileChannel ch, long size) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_CHUNK, size));
    long written = 0;
    while (written < size) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), size - written));
      written += ch.write(zeros, written);
    }
  }
}
