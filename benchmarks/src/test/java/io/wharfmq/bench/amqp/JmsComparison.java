package io.wharfmq.bench.amqp;

import io.wharfmq.bench.e2e.ComparisonRun;
import io.wharfmq.bench.e2e.HostCpu;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The measured rows of one durability group of bin/bench-amqp and bin/bench-jms, on targets that
 * are already running: a warm-up per target and send mode, then per send mode and producer count a
 * max-rate row and, for blocking sends, an open-loop row at the same offered load on each target (a
 * fraction of the slowest one's maximum), every cell {@code rounds} times with the targets in
 * rotating order. Used from the benchmark's main thread.
 */
final class JmsComparison {
  private JmsComparison() {}

  /** What to measure in each group. */
  record Settings(
      List<Integer> producers,
      List<String> sends,
      int bodyBytes,
      Duration warmup,
      Duration measure,
      Duration initialWarmup,
      double rateFraction,
      int rounds) {}

  /** One durability group: starts its brokers under {@code root}, measures, stops them. */
  @FunctionalInterface
  interface Group {
    List<AmqpReport.Row> run(String durability, Path root, Map<String, String> setup)
        throws Exception;
  }

  /**
   * Runs {@code group} for each durability in order, with data under a temp directory of {@code
   * parent} (default java.io.tmpdir) that is deleted afterwards; every group's rows in order.
   */
  static List<AmqpReport.Row> runGroups(
      Path parent, String prefix, List<String> durability, Map<String, String> setup, Group group)
      throws Exception {
    Path root = ComparisonRun.tempRoot(parent, prefix);
    List<AmqpReport.Row> rows = new ArrayList<>();
    try {
      for (String d : durability) {
        rows.addAll(group.run(d, root, setup));
      }
    } finally {
      ComparisonRun.deleteTree(root);
    }
    return rows;
  }

  /**
   * Warms up and measures every row of the group on {@code targets} (keyed by kind, in table
   * order). A target whose warm-up fails is left out of the rows and removed from {@code targets};
   * the reason goes to {@code setup} under "kind durability". Closing the brokers is the caller's.
   */
  static List<AmqpReport.Row> measure(
      Settings o, String durability, Map<String, JmsTarget> targets, Map<String, String> setup)
      throws Exception {
    List<JmsTarget> all = List.copyOf(targets.values());
    warmUp(o, all, targets, durability, setup);
    List<AmqpReport.Row> rows = new ArrayList<>();
    if (targets.isEmpty()) {
      return rows;
    }
    int turn = 0;
    for (String sends : o.sends()) {
      boolean async = sends.equals("async");
      for (int producers : o.producers()) {
        JmsLoad.Spec maxSpec =
            new JmsLoad.Spec(producers, 0, async, o.bodyBytes(), o.warmup(), o.measure());
        AmqpReport.Row max =
            new AmqpReport.Row(durability, sends, producers, "max", new ArrayList<>());
        for (int k = 0; k < o.rounds(); k++) {
          max.rounds()
              .add(measureEach(all, ComparisonRun.rotated(targets.values(), turn++), maxSpec));
        }
        rows.add(max);
        if (async) {
          continue; // the consumer's rate is the figure; no equal-load row
        }
        double slowest =
            max.byTarget().values().stream().mapToDouble(JmsLoad.Result::rate).min().orElse(0);
        double rate = Math.max(1, Math.round(slowest * o.rateFraction()));
        JmsLoad.Spec openSpec =
            new JmsLoad.Spec(producers, rate, false, o.bodyBytes(), o.warmup(), o.measure());
        AmqpReport.Row open =
            new AmqpReport.Row(
                durability,
                sends,
                producers,
                String.format(Locale.ROOT, "%,.0f/s", rate),
                new ArrayList<>());
        for (int k = 0; k < o.rounds(); k++) {
          List<JmsTarget> order = ComparisonRun.rotated(targets.values(), turn++);
          Collections.reverse(order);
          open.rounds().add(measureEach(all, order, openSpec));
        }
        rows.add(open);
      }
    }
    return rows;
  }

  /**
   * Unmeasured runs, each send mode once per target with 4 producers, so the JIT of the driver and
   * of the Java brokers has compiled both paths before the first measured run; then prints how much
   * of a CPU the driver's JIT compiler threads still used.
   */
  private static void warmUp(
      Settings o,
      List<JmsTarget> all,
      Map<String, JmsTarget> targets,
      String durability,
      Map<String, String> setup)
      throws Exception {
    double jit0 = HostCpu.compilerCpuSeconds(ProcessHandle.current().pid());
    long start = System.nanoTime();
    for (JmsTarget b : all) {
      for (String sends : o.sends()) {
        progress(
            "Warm-up: %s (%d s, 4 producers, %s sends, not measured)",
            b.kind(), o.initialWarmup().toSeconds(), sends);
        JmsLoad.Spec spec =
            new JmsLoad.Spec(
                4, 0, sends.equals("async"), o.bodyBytes(), Duration.ZERO, o.initialWarmup());
        try {
          alone(all, b, () -> JmsLoad.run(b, spec));
        } catch (Exception e) {
          // A target the client cannot work with is reported, not allowed to end the run.
          String why = "failed in the warm-up: " + e;
          progress("%s %s", b.kind(), why);
          setup.put(b.kind() + " " + durability, why);
          targets.remove(b.kind());
          break;
        }
      }
    }
    double share =
        (HostCpu.compilerCpuSeconds(ProcessHandle.current().pid()) - jit0)
            / ((System.nanoTime() - start) / 1e9);
    progress("Warm-up: the driver's JIT compiler threads used %.0f %% of a CPU", share * 100);
  }

  /** Runs {@code spec} on each target in {@code order}; results keyed by kind. */
  private static Map<String, JmsLoad.Result> measureEach(
      List<JmsTarget> all, List<JmsTarget> order, JmsLoad.Spec spec) throws Exception {
    Map<String, JmsLoad.Result> byKind = new LinkedHashMap<>();
    for (JmsTarget b : order) {
      JmsLoad.Result r = alone(all, b, () -> JmsLoad.run(b, spec));
      progress(
          "%-8s %-8s %d producer(s) %-8s sent %,8.0f/s consumed %,8.0f/s  send p50 %.3f p99 %.3f"
              + "  e2e p50 %.3f p99 %.3f p99.9 %.3f max %.1f ms  broker CPU %.1f s  %s",
          b.kind(),
          spec.asyncSends() ? "async" : "blocking",
          spec.producers(),
          spec.openLoop() ? String.format(Locale.ROOT, "%.0f/s", spec.rate()) : "max",
          r.sentPerSec(),
          r.consumedPerSec(),
          r.sendP50Ms(),
          r.sendP99Ms(),
          r.p50Ms(),
          r.p99Ms(),
          r.p999Ms(),
          r.maxMs(),
          r.brokerCpuSec(),
          r.notes());
      byKind.put(b.kind(), r);
    }
    return byKind;
  }

  @FunctionalInterface
  interface Measurement<T> {
    T call() throws Exception;
  }

  /**
   * Runs {@code m} against {@code b} with every other broker process of the group at nice 19
   * meanwhile (all stay up for the whole group; their idle background work should take only CPU
   * nobody else wants). Targets that share {@code b}'s process (two clients of one broker) are not
   * reniced.
   */
  static <T> T alone(Iterable<? extends JmsTarget> all, JmsTarget b, Measurement<T> m)
      throws Exception {
    Map<Long, String> others = new LinkedHashMap<>();
    for (JmsTarget o : all) {
      if (o.pid() != b.pid()) {
        others.putIfAbsent(o.pid(), o.kind());
      }
    }
    others.forEach((pid, kind) -> ChildProcess.renice(pid, 19, kind));
    try {
      return m.call();
    } finally {
      others.forEach((pid, kind) -> ChildProcess.renice(pid, 0, kind));
    }
  }

  static void progress(String format, Object... args) {
    ComparisonRun.progress(format, args);
  }
}
