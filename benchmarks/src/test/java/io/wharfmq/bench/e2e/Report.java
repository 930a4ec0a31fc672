package io.wharfmq.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Markdown output of {@link E2eBenchmark}: the table and the goal lines. Stateless. */
final class Report {
  private Report() {}

  static String table(List<E2eBenchmark.Row> rows, E2eBenchmark.Options o) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%n%d B bodies, %d queues, %d s warm-up + %d s measured per run; latency = consume time"
                + " - intended send time (ms); msg/s = sends acknowledged in the window; CPU ="
                + " broker JVM msgs per CPU-second.%n%n",
            o.bodyBytes(),
            o.queues(),
            o.warmup().toSeconds(),
            o.measure().toSeconds()));
    sb.append(
        "| flush | producers | load | Wharf msg/s | Wharf p50 / p99 / p99.9 ms | RocketMQ msg/s |"
            + " RocketMQ p50 / p99 / p99.9 ms | msg/s W/R | p99 W/R | CPU W/R | notes |\n");
    sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (E2eBenchmark.Row r : rows) {
      LoadRun.Result w = r.byKind().get("wharf");
      LoadRun.Result q = r.byKind().get("rocketmq");
      List<String> notes = new ArrayList<>();
      if (!w.notes().isEmpty()) {
        notes.add("Wharf: " + w.notes());
      }
      if (!q.notes().isEmpty()) {
        notes.add("RocketMQ: " + q.notes());
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %,.0f | %s | %,.0f | %s | %.2f | %.2f | %.2f | %s |%n",
              r.flush(),
              r.producers(),
              r.load(),
              w.ackedPerSec(),
              percentiles(w),
              q.ackedPerSec(),
              percentiles(q),
              w.ackedPerSec() / q.ackedPerSec(),
              w.p99Ms() / q.p99Ms(),
              perCpu(w) / perCpu(q),
              String.join("; ", notes)));
    }
    return sb.toString();
  }

  static String goals(List<E2eBenchmark.Row> rows) {
    StringBuilder sb = new StringBuilder("Goals (Wharf / RocketMQ in the same run):\n");
    for (E2eBenchmark.Row r : rows) {
      LoadRun.Result w = r.byKind().get("wharf");
      LoadRun.Result q = r.byKind().get("rocketmq");
      double tput = w.ackedPerSec() / q.ackedPerSec();
      double p99 = w.p99Ms() / q.p99Ms();
      if (r.load().equals("max")) {
        sb.append(
            String.format(
                Locale.ROOT,
                "- %s, %d producer(s), max rate: throughput %.2f (goal >= 1.5: %s), p99 %.2f%n",
                r.flush(),
                r.producers(),
                tput,
                tput >= 1.5 ? "met" : "NOT met",
                p99));
      } else {
        sb.append(
            String.format(
                Locale.ROOT,
                "- %s, %d producer(s), same offered load %s: p99 %.2f (goal <= 1.0: %s)%n",
                r.flush(),
                r.producers(),
                r.load(),
                p99,
                p99 <= 1.0 ? "met" : "NOT met"));
      }
    }
    return sb.toString();
  }

  private static String percentiles(LoadRun.Result r) {
    return String.format(Locale.ROOT, "%s / %s / %s", ms(r.p50Ms()), ms(r.p99Ms()), ms(r.p999Ms()));
  }

  private static double perCpu(LoadRun.Result r) {
    return r.ackedPerSec() * r.spec().measure().toNanos() / 1e9 / r.brokerCpuSec();
  }

  /** Three significant digits, no more than three decimals. */
  static String ms(double v) {
    if (v >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (v >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (v >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
