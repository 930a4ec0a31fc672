package io.wharfmq.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Markdown output of {@link E2eBenchmark}: the table and the goal lines. Stateless. */
final class Report {
  private Report() {}

  static String table(List<E2eBenchmark.Row> rows, E2eBenchmark.Options o) {
    boolean withNative = o.targets().contains("native");
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%n%d B bodies, %d queues, %d s warm-up + %d s measured per run, %d round(s) per cell"
                + " (each target's median round shown, ratios = median of the per-round ratios);"
                + " pipelined window %d"
                + " sends per producer thread; latency = consume time - intended send time (ms);"
                + " msg/s = sends acknowledged in the window; CPU = broker JVM msgs per"
                + " CPU-second; W = official client on Wharf, R = official client on RocketMQ,"
                + " N = Wharf native client on Wharf.%n%n",
            o.bodyBytes(),
            o.queues(),
            o.warmup().toSeconds(),
            o.measure().toSeconds(),
            o.rounds(),
            o.window()));
    sb.append(
        "| mode | flush | producers | load | W msg/s | W p50 / p99 / p99.9 ms | R msg/s |"
            + " R p50 / p99 / p99.9 ms | msg/s W/R | p99 W/R | CPU W/R |");
    if (withNative) {
      sb.append(" N msg/s | N p50 / p99 / p99.9 ms | msg/s N/R | p99 N/R |");
    }
    sb.append(" notes |\n|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    if (withNative) {
      sb.append("---:|---:|---:|---:|");
    }
    sb.append("---|\n");
    for (E2eBenchmark.Row r : rows) {
      Map<String, LoadRun.Result> median = r.byTarget();
      LoadRun.Result w = median.get("wharf");
      LoadRun.Result q = median.get("rocketmq");
      List<String> notes = new ArrayList<>();
      median.forEach(
          (name, res) -> {
            if (!res.notes().isEmpty()) {
              notes.add(name + ": " + res.notes());
            }
          });
      if (r.rounds().size() > 1) {
        notes.add(
            (r.maxRate() ? "msg/s W/R per round " : "p99 W/R per round ")
                + joined(
                    r.roundRatios(
                        "wharf",
                        "rocketmq",
                        r.maxRate() ? LoadRun.Result::ackedPerSec : LoadRun.Result::p99Ms)));
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %s | %,.0f | %s | %,.0f | %s | %.2f | %.2f | %.2f |",
              r.mode(),
              r.flush(),
              r.producers(),
              r.load(),
              w.ackedPerSec(),
              percentiles(w),
              q.ackedPerSec(),
              percentiles(q),
              r.ratio("wharf", "rocketmq", LoadRun.Result::ackedPerSec),
              r.ratio("wharf", "rocketmq", LoadRun.Result::p99Ms),
              r.ratio("wharf", "rocketmq", Report::perCpu)));
      if (withNative) {
        LoadRun.Result n = r.byTarget().get("native");
        sb.append(
            String.format(
                Locale.ROOT,
                " %,.0f | %s | %.2f | %.2f |",
                n.ackedPerSec(),
                percentiles(n),
                r.ratio("native", "rocketmq", LoadRun.Result::ackedPerSec),
                r.ratio("native", "rocketmq", LoadRun.Result::p99Ms)));
      }
      sb.append(' ').append(String.join("; ", notes)).append(" |\n");
    }
    return sb.toString();
  }

  static String goals(List<E2eBenchmark.Row> rows) {
    StringBuilder sb =
        new StringBuilder(
            "Goals (official client, Wharf / RocketMQ in the same run: throughput >= 1.5 at max"
                + " rate, p99 <= 1.0 at the same offered load):\n");
    for (E2eBenchmark.Row r : rows) {
      double tput = r.ratio("wharf", "rocketmq", LoadRun.Result::ackedPerSec);
      double p99 = r.ratio("wharf", "rocketmq", LoadRun.Result::p99Ms);
      String head =
          String.format(
              Locale.ROOT, "- %s, %s, %d producer(s)", r.mode(), r.flush(), r.producers());
      if (r.maxRate()) {
        sb.append(
            String.format(
                Locale.ROOT,
                "%s, max rate: throughput %.2f (%s), p99 %.2f%n",
                head,
                tput,
                tput >= 1.5 ? "met" : "NOT met",
                p99));
      } else {
        sb.append(
            String.format(
                Locale.ROOT,
                "%s, same offered load %s: p99 %.2f (%s)%n",
                head,
                r.load(),
                p99,
                p99 <= 1.0 ? "met" : "NOT met"));
      }
    }
    return sb.toString();
  }

  static String joined(List<Double> values) {
    List<String> s = new ArrayList<>();
    for (double v : values) {
      s.add(String.format(Locale.ROOT, "%.2f", v));
    }
    return String.join(", ", s);
  }

  static String percentiles(LoadRun.Result r) {
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
