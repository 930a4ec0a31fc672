package io.wharfmq.bench.e2e;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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
public final class HostCpu {
  private HostCpu() {}

  /** {steal, total} in clock ticks since boot, or {0, 0} when unreadable. */
  public static long[] stealAndTotalTicks() {
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
  public static double processCpuSeconds(long pid) {
    try {
      return cpuOfStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * What one group of a JVM's threads used so far: CPU seconds (user + system), of which system,
   * and voluntary / involuntary context switches (how often its threads slept and woke, and how
   * often they were preempted).
   */
  record GroupUse(double cpu, double sys, long voluntary, long involuntary) {
    GroupUse plus(GroupUse o) {
      return new GroupUse(
          cpu + o.cpu, sys + o.sys, voluntary + o.voluntary, involuntary + o.involuntary);
    }

    GroupUse minus(GroupUse o) {
      return new GroupUse(
          cpu - o.cpu, sys - o.sys, voluntary - o.voluntary, involuntary - o.involuntary);
    }
  }

  /**
   * Use so far by each group of the threads of process {@code pid}, grouped by name with trailing
   * digits, '-' and '_' removed (the kernel keeps the first 15 characters of a thread's name).
   * Empty when unreadable (not Linux).
   */
  static Map<String, GroupUse> threadGroups(long pid) {
    Map<String, GroupUse> byName = new TreeMap<>();
    Path dir = Path.of("/proc", Long.toString(pid), "task");
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(dir)) {
      for (Path task : tasks) {
        try {
          String name = Files.readString(task.resolve("comm")).strip().replaceAll("[\\d_-]+$", "");
          double[] us = userAndSystem(Files.readString(task.resolve("stat")));
          long voluntary = 0;
          long involuntary = 0;
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
              voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
              involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
          }
          GroupUse use = new GroupUse(us[0] + us[1], us[1], voluntary, involuntary);
          byName.merge(name, use, GroupUse::plus);
        } catch (IOException | RuntimeException e) {
          // The thread ended meanwhile.
        }
      }
    } catch (IOException e) {
      // Not Linux: no figures.
    }
    return byName;
  }

  /**
   * The {@code n} groups that used most CPU between two {@link #threadGroups} readings, as "name
   * CPU s (sys s, voluntary+involuntary cs)".
   */
  static String topGroups(Map<String, GroupUse> before, Map<String, GroupUse> after, int n) {
    List<Map.Entry<String, GroupUse>> d = new ArrayList<>();
    GroupUse zero = new GroupUse(0, 0, 0, 0);
    after.forEach((k, v) -> d.add(Map.entry(k, v.minus(before.getOrDefault(k, zero)))));
    d.sort(
        Comparator.comparingDouble((Map.Entry<String, GroupUse> e) -> e.getValue().cpu())
            .reversed());
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(n, d.size()); i++) {
      GroupUse u = d.get(i).getValue();
      sb.append(
          String.format(
              Locale.ROOT,
              "%s%s %.1f s (sys %.1f, %,d+%,d cs)",
              i == 0 ? "" : ", ",
              d.get(i).getKey(),
              u.cpu(),
              u.sys(),
              u.voluntary(),
              u.involuntary()));
    }
    return sb.toString();
  }

  /**
   * CPU seconds the JIT compiler threads ({@code C1/C2 CompilerThread*}) of JVM {@code pid} used so
   * far: while they are busy, the JVM is still warming up. 0 when unreadable.
   */
  public static double compilerCpuSeconds(long pid) {
    double sum = 0;
    for (Map.Entry<String, GroupUse> e : threadGroups(pid).entrySet()) {
      if (e.getKey().startsWith("C1 CompilerThre") || e.getKey().startsWith("C2 CompilerThre")) {
        sum += e.getValue().cpu();
      }
    }
    return sum;
  }

  /** {user, system} CPU seconds from a {@code stat} file's text. */
  private static double[] userAndSystem(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after "pid (comm)"; USER_HZ is 100.
    return new double[] {Long.parseLong(f[11]) / 100.0, Long.parseLong(f[12]) / 100.0};
  }

  private static double cpuOfStat(String stat) {
    double[] us = userAndSystem(stat);
    return us[0] + us[1];
  }

  /** Steal between two readings as a percentage of all CPU time in between. */
  public static double percent(long[] before, long[] after) {
    long total = after[1] - before[1];
    return total <= 0 ? 0 : 100.0 * (after[0] - before[0]) / total;
  }
}
