package io.wharfmq.store.mapped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed-size file mapped into memory: a commit-log segment, a consume-queue file or an index
 * file.
 *
 * <p>New files get disk blocks for their whole length before they are mapped ({@link
 * BlockReservation}: fallocate where the file system supports it, zeros otherwise), so the blocks
 * exist before anyone writes through the mapping: a full disk shows up as an IOException at
 * allocation time (which the caller turns into a status) instead of a SIGBUS on a later write.
 * Pre-allocation works on a temporary name and renames, so a crash never leaves a short file
 * behind.
 *
 * <p>Lifetime is reference counted. The owner holds one reference; readers {@link #retain()} while
 * they use the mapping and {@link #release()} after. {@link #destroy()} drops the owner's
 * reference; the mapping is unmapped and the file deleted when the last reader lets go, so a reader
 * never sees an unmapped buffer.
 *
 * <p>Thread-safe for retain/release/destroy and absolute reads; writes are the owner's business.
 */
public final class MappedFile {
  private static final Logger log = LoggerFactory.getLogger(MappedFile.class);

  private final Path path;
  private final long baseOffset;
  private final int size;
  private final MappedByteBuffer buffer;
  private final FileChannel channel;
  private final AtomicInteger refs = new AtomicInteger(1);
  private volatile boolean deleteOnRelease;

  /** Every block was written (zeros or data), not just reserved. */
  private final boolean zeroWritten;

  private MappedFile(
      Path path,
      long baseOffset,
      int size,
      MappedByteBuffer buffer,
      FileChannel channel,
      boolean zeroWritten) {
    this.path = path;
    this.zeroWritten = zeroWritten;
    this.baseOffset = baseOffset;
    this.size = size;
    this.buffer = buffer;
    this.channel = channel;
  }

  /**
   * Creates a zero-filled file of {@code size} bytes and maps it: every block written once, so
   * writes through the mapping never wait for the file system to convert blocks. Fails with an
   * IOException (often "No space left on device") before creating anything visible under {@code
   * path}.
   */
  public static MappedFile create(Path path, long baseOffset, int size) throws IOException {
    return allocate(path, baseOffset, size, true);
  }

  /**
   * Creates a file of {@code size} bytes whose blocks are reserved but, where the file system
   * allows it, not written ({@link BlockReservation}): milliseconds instead of writing {@code size}
   * bytes of zeros. It reads as zeros and a full disk still fails here, not later. Writing through
   * the mapping into never-written blocks is slower, so a hot file is zeroed ahead of its writer
   * ({@link #zeroWritten()} says whether that is needed).
   */
  public static MappedFile reserve(Path path, long baseOffset, int size) throws IOException {
    return allocate(path, baseOffset, size, false);
  }

  private static MappedFile allocate(Path path, long baseOffset, int size, boolean zeroFill)
      throws IOException {
    Path tmp = path.resolveSibling(path.getFileName() + ".alloc");
    long usable = Files.getFileStore(path.getParent()).getUsableSpace();
    if (usable < size) {
      throw new IOException(
          "No space left on device: need " + size + " bytes for " + path + ", " + usable + " free");
    }
    BlockReservation.Method method;
    try {
      method =
          zeroFill ? BlockReservation.zeroFill(tmp, size) : BlockReservation.reserve(tmp, size);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
    return map(path, baseOffset, size, method == BlockReservation.Method.ZERO_FILL);
  }

  /** Maps an existing file, which must be exactly {@code size} bytes long. */
  public static MappedFile open(Path path, long baseOffset, int size) throws IOException {
    return map(path, baseOffset, size, true);
  }

  private static MappedFile map(Path path, long baseOffset, int size, boolean zeroWritten)
      throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      long actual = ch.size();
      if (actual != size) {
        throw new IOException(
            path + " is " + actual + " bytes, expected " + size + " (configured file size)");
      }
      return new MappedFile(
          path, baseOffset, size, ch.map(FileChannel.MapMode.READ_WRITE, 0, size), ch, zeroWritten);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  /** Logical offset of byte 0 of this file (log offset, or byte offset within a queue). */
  public long baseOffset() {
    return baseOffset;
  }

  public int size() {
    return size;
  }

  /**
   * The mapping. Use absolute get/put only: the buffer's position and limit are shared. Valid while
   * the caller holds a reference.
   */
  public ByteBuffer buffer() {
    return buffer;
  }

  /**
   * Whether every block of the file has been written (with zeros or data). False for a file made by
   * {@link #reserve} with fallocate: it reads as zeros, but a first write into each block costs the
   * file system extra work. Files opened from disk count as written.
   */
  public boolean zeroWritten() {
    return zeroWritten;
  }

  /**
   * Writes zeros over bytes [from, to) through the file channel (positional writes, which leave the
   * channel position alone). Only for a range no one else writes at the same time.
   */
  public void writeZeros(int from, int to) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate(Math.min(1 << 20, Math.max(0, to - from)));
    long pos = from;
    while (pos < to) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), to - pos));
      pos += channel.write(zeros, pos);
    }
  }

  /** Takes a reader reference; false if the file is already gone. */
  public boolean retain() {
    while (true) {
      int n = refs.get();
      if (n <= 0) {
        return false;
      }
      if (refs.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one unmaps the file, and deletes it if it was destroyed. */
  public void release() {
    int n = refs.decrementAndGet();
    if (n == 0) {
      unmap(buffer);
      try {
        channel.close();
      } catch (IOException e) {
        log.warn("Could not close {}: {}", path, e.toString());
      }
      if (deleteOnRelease) {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          log.warn("Could not delete {}: {}", path, e.toString());
        }
      }
    } else if (n < 0) {
      throw new IllegalStateException("released more often than retained: " + path);
    }
  }

  /** Drops the owner's reference and deletes the file once no reader holds it. */
  public void destroy() {
    deleteOnRelease = true;
    release();
  }

  /** Drops the owner's reference without deleting (store shutdown). */
  public void close() {
    release();
  }

  /**
   * Writes {@code sources} at {@code position} through the file channel (a write() system call)
   * instead of the mapping. The page cache is shared, so readers of the mapping see the bytes. SYNC
   * flushing uses this: on Linux, fdatasync after write() costs a fraction of msync after writes
   * through a mapping, which must re-protect and fault every page it flushed.
   */
  public void write(int position, ByteBuffer[] sources) throws IOException {
    long remaining = 0;
    for (ByteBuffer b : sources) {
      remaining += b.remaining();
    }
    channel.position(position);
    while (remaining > 0) {
      remaining -= channel.write(sources);
    }
  }

  /** fdatasync: everything written to the file, through the channel or the mapping, to disk. */
  public void sync() throws IOException {
    channel.force(false);
  }

  /** Writes bytes [from, to) of the mapping to disk (msync). */
  public void force(int from, int to) {
    if (to > from) {
      buffer.force(from, to - from);
    }
  }

  @Override
  public String toString() {
    return path.toString();
  }

  private static final Method INVOKE_CLEANER;
  private static final Object UNSAFE;

  static {
    Method invokeCleaner = null;
    Object unsafe = null;
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
      theUnsafe.setAccessible(true);
      unsafe = theUnsafe.get(null);
      invokeCleaner = unsafeClass.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn(
          "Cannot unmap files explicitly ({}); deleted files keep their disk space until GC",
          e.toString());
    }
    INVOKE_CLEANER = invokeCleaner;
    UNSAFE = unsafe;
  }

  /**
   * Unmaps now rather than at some later GC, so deleted segments give their disk space back at once
   * (the point of retention under a full disk). Safe only because reference counting guarantees no
   * one still reads the mapping.
   */
  private static void unmap(MappedByteBuffer buffer) {
    if (INVOKE_CLEANER == null) {
      return;
    }
    try {
      INVOKE_CLEANER.invoke(UNSAFE, buffer);
    } catch (ReflectiveOperationException e) {
      throw new UncheckedIOException(new IOException("unmap failed", e));
    }
  }
}
