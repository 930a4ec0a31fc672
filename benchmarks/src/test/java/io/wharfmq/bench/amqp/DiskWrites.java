package io.wharfmq.bench.amqp;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a broker writes to disk, from Linux' counters (elsewhere they read as unknown). Two views,
 * because neither is enough alone:
 *
 * <ul>
 *   <li>{@link #deviceWrittenBytes}: bytes written to the block device that holds a directory
 *       ({@code /sys/dev/block/MAJ:MIN/stat}, sectors written x 512): what reached the disk,
 *       file-system journal included, but from every process on the machine.
 *   <li>{@link #writeBytes}: a process' {@code write_bytes} ({@code /proc/<pid>/io}): its own, but
 *       counted when it dirties page-cache memory, a whole folio at a time. On kernels with large
 *       folios in the page cache (6.x ext4: a file written in big sequential writes, as Wharf
 *       zero-fills its commit log) a 1 KiB write plus fdatasync into a clean 2 MiB folio counts 2
 *       MiB while the disk gets a few KiB, so it overstates such writers by orders of magnitude.
 * </ul>
 *
 * Stateless.
 */
final class DiskWrites {
  private DiskWrites() {}

  /**
   * The {@code stat} file of the block device holding {@code dir}, or null when there is none (not
   * Linux, or a file system without a block device of its own, such as tmpfs or overlayfs).
   */
  static Path deviceStat(Path dir) {
    try {
      long dev = ((Number) Files.getAttribute(dir, "unix:dev")).longValue();
      // Linux' dev_t encoding (glibc gnu_dev_major / gnu_dev_minor).
      long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
      long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
      Path stat = Path.of("/sys/dev/block", major + ":" + minor, "stat");
      return Files.isReadable(stat) ? stat : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Bytes written to the device of {@code stat} since boot; -1 when unreadable. */
  static long deviceWrittenBytes(Path stat) {
    if (stat == null) {
      return -1;
    }
    try {
      String[] f = Files.readString(stat).trim().split("\\s+");
      return Long.parseLong(f[6]) * 512; // field 7: sectors written
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The device's name for the table, e.g. {@code vda}; "?" when unknown. */
  static String deviceName(Path stat) {
    try {
      return stat == null ? "?" : stat.getParent().toRealPath().getFileName().toString();
    } catch (IOException e) {
      return "?";
    }
  }

  /**
   * {write_bytes, cancelled_write_bytes} of process {@code pid} ({@code /proc/<pid>/io}, every
   * thread of the process, live or exited), or {-1, -1} when unreadable (not Linux, no permission).
   */
  static long[] writeBytes(long pid) {
    long write = -1;
    long cancelled = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "io"))) {
        if (line.startsWith("write_bytes:")) {
          write = Long.parseLong(line.substring("write_bytes:".length()).strip());
        } else if (line.startsWith("cancelled_write_bytes:")) {
          cancelled = Long.parseLong(line.substring("cancelled_write_bytes:".length()).strip());
        }
      }
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
    return write < 0 || cancelled < 0 ? new long[] {-1, -1} : new long[] {write, cancelled};
  }

  /**
   * write_bytes of each thread of process {@code pid} summed by thread name with digit runs as
   * {@code #} ({@code amqp-io-#-#}, {@code #_scheduler}); empty when unreadable. Threads that exit
   * between two readings drop out of the difference (the process total keeps them).
   */
  static Map<String, Long> threadWrites(long pid) {
    Map<String, Long> byName = new TreeMap<>();
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        try {
          String name = Files.readString(task.resolve("comm")).strip().replaceAll("\\d+", "#");
          for (String line : Files.readAllLines(task.resolve("io"))) {
            if (line.startsWith("write_bytes:")) {
              long bytes = Long.parseLong(line.substring("write_bytes:".length()).strip());
              byName.merge(name, bytes, Long::sum);
            }
          }
        } catch (IOException | RuntimeException e) {
          // The thread exited meanwhile.
        }
      }
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    return byName;
  }

  /** The three thread names that wrote most between two readings, with their share. */
  static String topWriters(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> delta = new TreeMap<>();
    after.forEach(
        (name, bytes) -> {
          long d = bytes - before.getOrDefault(name, 0L);
          if (d > 0) {
            delta.put(name, d);
          }
        });
    long total = delta.values().stream().mapToLong(Long::longValue).sum();
    if (total == 0) {
      return "";
    }
    List<String> top = new ArrayList<>();
    delta.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(3)
        .forEach(
            e ->
                top.add(
                    String.format(
                        Locale.ROOT, "%s %.0f %%", e.getKey(), 100.0 * e.getValue() / total)));
    return String.join(", ", top);
  }
}
