package io.wharfmq.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small ext4 file system of its own for a test: an image file made with {@code mkfs.ext4} in the
 * test's directory and loop-mounted there, so that a test can fill a real disk without touching the
 * machine's. Mounting needs root and loop devices; where they are missing (or mkfs.ext4 is), {@link
 * #mount} aborts the test through a JUnit assumption with the command's own error as the reason, so
 * the test is reported as skipped, never as passed.
 *
 * <p>Shared with other modules' tests through core-store's test jar. Not thread-safe: one test
 * creates it in its setup and closes it in its teardown.
 */
public final class LoopMountedDisk implements AutoCloseable {
  private final Path mount;

  private LoopMountedDisk(Path mount) {
    this.mount = mount;
  }

  /**
   * Makes an ext4 image of {@code bytes} in {@code dir} with {@code reservedPercent} of its blocks
   * reserved for root ({@code mkfs.ext4 -m}), and mounts it at {@code dir/mnt}.
   */
  public static LoopMountedDisk mount(Path dir, long bytes, int reservedPercent)
      throws IOException, InterruptedException {
    Path image = dir.resolve("disk.img");
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(bytes);
    }
    Path mount = Files.createDirectories(dir.resolve("mnt"));
    String mkfs =
        run("mkfs.ext4", "-q", "-F", "-m", Integer.toString(reservedPercent), image.toString());
    assumeTrue(mkfs.isEmpty(), "mkfs.ext4 -m " + reservedPercent + " on a file failed: " + mkfs);
    String out = run("mount", "-o", "loop", image.toString(), mount.toString());
    assumeTrue(out.isEmpty(), "loop-mounting an ext4 image needs root and loop devices: " + out);
    return new LoopMountedDisk(mount);
  }

  /** Where the file system is mounted. */
  public Path path() {
    return mount;
  }

  /**
   * Grows a filler file ({@code filler-<pct>}) until df's ratio (used / (used + available)) reaches
   * about {@code pct}; does nothing if the disk is that full already.
   */
  public void fillTo(int pct) throws IOException {
    FileStore fs = Files.getFileStore(mount);
    long used = fs.getTotalSpace() - fs.getUnallocatedSpace();
    long entire = used + fs.getUsableSpace();
    long more = entire * pct / 100 - used;
    if (more <= 0) {
      return;
    }
    Path filler = mount.resolve("filler-" + pct);
    try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
      byte[] chunk = new byte[64 * 1024];
      for (long done = 0; done < more; done += chunk.length) {
        f.write(chunk, 0, (int) Math.min(chunk.length, more - done));
      }
      f.getFD().sync();
    }
  }

  /** The Use% that {@code df} prints for the file system. */
  public int dfUsePercent() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("df", "--output=pcent", mount.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("df failed: " + out);
    }
    String[] lines = out.trim().split("\n");
    return Integer.parseInt(lines[lines.length - 1].trim().replace("%", ""));
  }

  /** Unmounts (lazily if something still holds a file open there). */
  @Override
  public void close() {
    try {
      if (!run("umount", mount.toString()).isEmpty()) {
        run("umount", "-l", mount.toString());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs a command; returns "" if it succeeded, else its exit code and output. */
  private static String run(String... cmd) throws InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      return e.getMessage();
    }
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      out = e.getMessage();
    }
    int code = p.waitFor();
    return code == 0 ? "" : "exit " + code + ": " + out.trim();
  }
}
