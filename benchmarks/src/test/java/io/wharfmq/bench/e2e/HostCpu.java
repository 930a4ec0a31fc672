package io.wharfmq.bench.e2e;

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
 * CPU accounting from {@code /proc}: a process's CPU time, and the time the hypervisor gave to
 * other guests ("steal", the eighth value of the {@code cpu} line of {@code /proc/stat}): on a
 * shared virtual machine it is the part of a run's slowdown that neither broker caused. Linux only;
 * elsewhere it reads as 0. Stateless.
 */
final class HostCpu {
  private HostCpu() {}

  /** {steal, total} in clock ticks since boot, or {0, 0} when unreadable. */
  static long[] stealAndTotalTicks() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (line.startsWith("cpu ")) {
          String[] f = line.trim().split("\\s+");
          long total = 0;
          for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
          }
          return new long[] {f.length > 8 ? Long.parseLong(f[8]) : 0, total};
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or an unexpected format: no figure.
    }
    return new long[] {0, 0};
  }

  /** CPU seconds (user + system) process {@code pid} used so far; NaN when unreadable. */
  static double processCpuSeconds(long pid) {
    try {
      return cpuOfStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * CPU seconds used so far by each group of this JVM's threads, grouped by name with trailing
   * digits, '-' and '_' removed (the kernel keeps the first 15 characters of a thread's name).
   */
  static Map<String, Double> threadCpuSeconds() {
    Map<String, Double> byName = new TreeMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          String name = Files.readString(task.resolve("comm")).strip().replaceAll("[\\d_-]+$", "");
          byName.merge(name, cpuOfStat(Files.readString(task.resolve("stat"))), Double::sum);
        } catch (IOException | RuntimeException e) {
          // The thread ended meanwhile.
        }
      }
    } catch (IOException e) {
      // Not Linux: no figures.
    }
    return byName;
  }

  /** The groups that used most CPU between two {@link #threadCpuSeconds} readings. */
  static String topThreads(Map<String, Double> before, Map<String, Double> after, int n) {
    List<Map.Entry<String, Double>> d = new ArrayList<>();
    after.forEach((k, v) -> d.add(Map.entry(k, v - before.getOrDefault(k, 0.0))));
    d.sort(Map.Entry.<String, Double>comparingByValue().reversed());
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(n, d.size()); i++) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%s%s %.1f",
              i == 0 ? "" : ", ",
              d.get(i).getKey(),
              d.get(i).getValue()));
    }
    return sb.toString();
  }

  private static double cpuOfStat(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after "pid (comm)"; USER_HZ is 100.
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  /** Steal between two readings as a percentage of all CPU time in between. */
  static double percent(long[] before, long[] after) {
    long total = after[1] - before[1];
    return total <= 0 ? 0 : 100.0 * (after[0] - before[0]) / total;
  }
}
