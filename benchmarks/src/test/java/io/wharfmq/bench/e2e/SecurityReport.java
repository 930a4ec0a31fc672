package io.wharfmq.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Markdown output of {@link E2eBenchmark} for issue 15: what access control costs each broker, from
 * the targets wharf, wharf-acl, rocketmq and rocketmq-acl measured in the same rounds. Every ratio
 * is the median of the per-round ratios, as in {@link Report}. Stateless.
 */
final class SecurityReport {
  /** Issue 15's goal: access control costs Wharf under 5 % of its throughput. */
  static final double ACL_MIN_THROUGHPUT_RATIO = 0.95;

  private SecurityReport() {}

  static String table(List<E2eBenchmark.Row> rows, E2eBenchmark.Options o) {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%nSecurity (issue 15): WA = official client on Wharf with access control on, RA ="
                    + " on RocketMQ with ACL 2.0 on, each signing (AclClientRPCHook) as a normal"
                    + " user with Pub,Sub on Topic:* and Group:*; W and R as above, same rounds"
                    + " (%d per cell). Ratios: median of the per-round ratios.%n%n",
                o.rounds()));
    sb.append(
        "| mode | flush | producers | load | WA msg/s | WA p50 / p99 / p99.9 ms | RA msg/s |"
            + " RA p50 / p99 / p99.9 ms | msg/s WA/W | p99 WA/W | msg/s RA/R | p99 RA/R |"
            + " msg/s WA/RA | p99 WA/RA | per round |\n"
            + "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (E2eBenchmark.Row r : rows) {
      Map<String, LoadRun.Result> median = r.byTarget();
      LoadRun.Result wa = median.get("wharf-acl");
      LoadRun.Result ra = median.get("rocketmq-acl");
      ToDoubleFunction<LoadRun.Result> tput = LoadRun.Result::ackedPerSec;
      ToDoubleFunction<LoadRun.Result> p99 = LoadRun.Result::p99Ms;
      ToDoubleFunction<LoadRun.Result> key = r.maxRate() ? tput : p99;
      String perRound =
          (r.maxRate() ? "msg/s" : "p99")
              + " WA/W "
              + Report.joined(r.roundRatios("wharf-acl", "wharf", key))
              + ", RA/R "
              + Report.joined(r.roundRatios("rocketmq-acl", "rocketmq", key));
      List<String> notes = new ArrayList<>(List.of(perRound));
      for (String t : List.of("wharf-acl", "rocketmq-acl")) {
        if (!median.get(t).notes().isEmpty()) {
          notes.add(t + ": " + median.get(t).notes());
        }
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %s | %,.0f | %s | %,.0f | %s | %.3f | %.2f | %.3f | %.2f | %.2f"
                  + " | %.2f | %s |%n",
              r.mode(),
              r.flush(),
              r.producers(),
              r.load(),
              wa.ackedPerSec(),
              Report.percentiles(wa),
              ra.ackedPerSec(),
              Report.percentiles(ra),
              r.ratio("wharf-acl", "wharf", tput),
              r.ratio("wharf-acl", "wharf", p99),
              r.ratio("rocketmq-acl", "rocketmq", tput),
              r.ratio("rocketmq-acl", "rocketmq", p99),
              r.ratio("wharf-acl", "rocketmq-acl", tput),
              r.ratio("wharf-acl", "rocketmq-acl", p99),
              String.join("; ", notes)));
    }
    return sb.toString();
  }

  static String goals(List<E2eBenchmark.Row> rows) {
    StringBuilder sb =
        new StringBuilder(
            "Security goals (issue 15, same run): access control costs Wharf under 5 % of"
                + " throughput (msg/s WA/W >= 0.95 at max rate); TLS under 25 %: pending (no TLS"
                + " target yet):\n");
    for (E2eBenchmark.Row r : rows) {
      if (!r.maxRate()) {
        continue;
      }
      double wharf = r.ratio("wharf-acl", "wharf", LoadRun.Result::ackedPerSec);
      double rocketmq = r.ratio("rocketmq-acl", "rocketmq", LoadRun.Result::ackedPerSec);
      sb.append(
          String.format(
              Locale.ROOT,
              "- %s, %s, %d producer(s), max rate: ACL on Wharf %.3f (%s, cost %.1f %%);"
                  + " on RocketMQ %.3f (cost %.1f %%)%n",
              r.mode(),
              r.flush(),
              r.producers(),
              wharf,
              wharf >= ACL_MIN_THROUGHPUT_RATIO ? "met" : "NOT met",
              (1 - wharf) * 100,
              rocketmq,
              (1 - rocketmq) * 100));
    }
    return sb.toString();
  }
}
