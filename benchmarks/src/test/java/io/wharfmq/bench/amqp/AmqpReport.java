package io.wharfmq.bench.amqp;

import io.wharfmq.bench.e2e.Medians;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Markdown output of {@link AmqpBenchmark} and {@link JmsBenchmark}: the table and the goal lines.
 * Stateless.
 */
final class AmqpReport {
  private AmqpReport() {}

  /** Column letters of bin/bench-amqp's brokers. */
  private static final Map<String, String> LETTER =
      Map.of("wharf", "W", "artemis", "A", "rabbitmq", "R");

  /**
   * The table's columns: targets in order with their letters, the target the ratios are about
   * ({@code lead}) and its baselines, each with the throughput ratio the goal asks for.
   */
  record Columns(
      List<String> targets,
      Map<String, String> letters,
      String lead,
      Map<String, Double> throughputGoals) {
    /** Baselines that are columns of this table. */
    List<String> baselines() {
      return throughputGoals.keySet().stream()
          .filter(b -> targets.contains(lead) && targets.contains(b))
          .toList();
    }

    String pair(String baseline) {
      return letters.get(lead) + "/" + letters.get(baseline);
    }
  }

  /** bin/bench-amqp's columns: Wharf against Artemis (goal 1.5) and RabbitMQ (goal 2). */
  static Columns amqpColumns(List<String> targets) {
    Map<String, Double> goals = new LinkedHashMap<>();
    goals.put("artemis", 1.5);
    goals.put("rabbitmq", 2.0);
    return new Columns(targets, LETTER, "wharf", goals);
  }

  /**
   * One table row: one (durability, send mode, producers, load) cell measured on each broker of the
   * group, once per round.
   */
  record Row(
      String durability,
      String sends,
      int producers,
      String load,
      List<Map<String, JmsLoad.Result>> rounds) {
    boolean maxRate() {
      return load.equals("max");
    }

    /** Each broker's median round: by throughput in max-rate rows, by p99 at a set load. */
    Map<String, JmsLoad.Result> byTarget() {
      Map<String, JmsLoad.Result> m = new LinkedHashMap<>();
      for (String kind : rounds.get(0).keySet()) {
        List<JmsLoad.Result> all = new ArrayList<>();
        for (Map<String, JmsLoad.Result> r : rounds) {
          all.add(r.get(kind));
        }
        all.sort(
            Comparator.comparingDouble(maxRate() ? JmsLoad.Result::rate : JmsLoad.Result::p99Ms));
        m.put(kind, all.get((all.size() - 1) / 2));
      }
      return m;
    }

    boolean has(String kind) {
      return rounds.get(0).containsKey(kind);
    }

    /** Median over the rounds of f(a) / f(b); NaN when either broker is not in the row. */
    double ratio(String a, String b, ToDoubleFunction<JmsLoad.Result> f) {
      return Medians.of(roundRatios(a, b, f).stream().mapToDouble(Double::doubleValue).toArray());
    }

    List<Double> roundRatios(String a, String b, ToDoubleFunction<JmsLoad.Result> f) {
      List<Double> out = new ArrayList<>();
      if (has(a) && has(b)) {
        for (Map<String, JmsLoad.Result> r : rounds) {
          out.add(f.applyAsDouble(r.get(a)) / f.applyAsDouble(r.get(b)));
        }
      }
      return out;
    }
  }

  static String table(List<Row> rows, Map<String, String> setup, AmqpBenchmark.Options o) {
    return table(
        rows,
        setup,
        String.format(
            Locale.ROOT,
            "%nQpid JMS, persistent %d B BytesMessages to a durable queue (a fresh one per run), one"
                + " consumer"
                + " (AUTO_ACKNOWLEDGE); %d s warm-up + %d s measured per run, %d round(s) per cell"
                + " (each broker's median round shown, ratios = median of the per-round ratios)."
                + " msg/s: sends that returned in the window (blocking), messages the consumer"
                + " received in the window (async, jms.forceAsyncSend=true). send p50: time inside"
                + " MessageProducer.send. e2e: receive time - intended send time (ms). W = Wharf,"
                + " A = ActiveMQ Artemis, R = RabbitMQ (AMQP 1.0 plugin).%n%n",
            o.bodyBytes(),
            o.warmup().toSeconds(),
            o.measure().toSeconds(),
            o.rounds()),
        amqpColumns(o.targets()));
  }

  /** The markdown table: {@code intro}, the setup lines, then one line per row. */
  static String table(List<Row> rows, Map<String, String> setup, String intro, Columns cols) {
    StringBuilder sb = new StringBuilder(intro);
    setup.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
    sb.append('\n');
    List<String> targets = cols.targets();
    Map<String, String> letter = cols.letters();
    String lead = cols.lead();
    StringBuilder head = new StringBuilder("| durability | sends | producers | load |");
    StringBuilder align = new StringBuilder("|---|---|---:|---|");
    for (String t : targets) {
      String l = letter.get(t);
      head.append(String.format(" %s msg/s | %s send p50 | %s e2e p50 / p99 |", l, l, l));
      align.append("---:|---:|---:|");
    }
    for (String base : cols.baselines()) {
      String ab = cols.pair(base);
      head.append(String.format(" msg/s %s | p99 %s | CPU %s |", ab, ab, ab));
      align.append("---:|---:|---:|");
    }
    sb.append(head).append(" notes |\n").append(align).append("---|\n");
    for (Row r : rows) {
      Map<String, JmsLoad.Result> median = r.byTarget();
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %s |",
              r.durability(),
              r.sends(),
              r.producers(),
              r.load()));
      List<String> notes = new ArrayList<>();
      for (String t : targets) {
        JmsLoad.Result x = median.get(t);
        if (x == null) {
          sb.append(" n/a | n/a | n/a |");
          continue;
        }
        sb.append(
            String.format(
                Locale.ROOT,
                " %,.0f | %s | %s |",
                x.rate(),
                ms(x.sendP50Ms()),
                // No message of the window reached the consumer: nothing to time.
                x.p99Ms() == 0 ? "—" : ms(x.p50Ms()) + " / " + ms(x.p99Ms())));
        if (!x.notes().isEmpty()) {
          notes.add(letter.get(t) + ": " + x.notes());
        }
      }
      for (String base : cols.baselines()) {
        sb.append(
            String.format(
                Locale.ROOT,
                " %s | %s | %s |",
                ratio(r.ratio(lead, base, JmsLoad.Result::rate)),
                ratio(r.ratio(lead, base, AmqpReport::timedP99)),
                ratio(r.ratio(lead, base, JmsLoad.Result::perCpuSecond))));
        if (r.rounds().size() > 1 && r.has(lead) && r.has(base)) {
          List<String> each = new ArrayList<>();
          for (double v :
              r.roundRatios(
                  lead, base, r.maxRate() ? JmsLoad.Result::rate : AmqpReport::timedP99)) {
            each.add(ratio(v));
          }
          notes.add(
              (r.maxRate() ? "msg/s " : "p99 ")
                  + cols.pair(base)
                  + " per round "
                  + String.join(", ", each));
        }
      }
      sb.append(' ').append(String.join("; ", notes)).append(" |\n");
    }
    return sb.toString();
  }

  /** Goals of issue 12 section 7: W/A >= 1.5 and W/R >= 2 in throughput, p99 <= 1 at equal load. */
  static String goals(List<Row> rows) {
    return goals(
        rows,
        "Goals (Wharf / Artemis >= 1.5 and Wharf / RabbitMQ >= 2 in throughput at max rate,"
            + " p99 <= 1.0 at the same offered load):\n",
        amqpColumns(AmqpBenchmark.TARGETS));
  }

  /**
   * One line per row and baseline: the lead's throughput ratio at max rate against the baseline's
   * goal, its p99 ratio at a set load against 1.0.
   */
  static String goals(List<Row> rows, String header, Columns cols) {
    StringBuilder sb = new StringBuilder(header);
    String lead = cols.lead();
    boolean any = false;
    for (Row r : rows) {
      for (Map.Entry<String, Double> p : cols.throughputGoals().entrySet()) {
        if (!r.has(lead) || !r.has(p.getKey())) {
          continue;
        }
        any = true;
        String head =
            String.format(
                Locale.ROOT,
                "- %s, %s sends, %d producer(s), %s, %s",
                r.durability(),
                r.sends(),
                r.producers(),
                r.load(),
                cols.letters().get(lead) + "/" + cols.letters().get(p.getKey()));
        if (r.maxRate()) {
          double v = r.ratio(lead, p.getKey(), JmsLoad.Result::rate);
          if (!Double.isFinite(v)) {
            sb.append(head).append(": no ratio (the other consumer got no message)\n");
            continue;
          }
          sb.append(
              String.format(
                  Locale.ROOT,
                  "%s: throughput %.2f (%s)%n",
                  head,
                  v,
                  v >= p.getValue() ? "met" : "NOT met"));
        } else {
          double v = r.ratio(lead, p.getKey(), AmqpReport::timedP99);
          sb.append(
              String.format(
                  Locale.ROOT, "%s: p99 %.2f (%s)%n", head, v, v <= 1.0 ? "met" : "NOT met"));
        }
      }
    }
    if (!any) {
      sb.append("- not assessed: no row has ").append(lead).append(" beside a baseline\n");
    }
    return sb.toString();
  }

  /** p99 in ms, or NaN when no message of the window reached the consumer (no ratio then). */
  static double timedP99(JmsLoad.Result r) {
    return r.p99Ms() == 0 ? Double.NaN : r.p99Ms();
  }

  private static String ratio(double v) {
    // NaN or infinite: a broker is missing, or its consumer got nothing to divide by.
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "—";
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
