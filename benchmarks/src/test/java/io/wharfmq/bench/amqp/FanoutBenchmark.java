package io.wharfmq.bench.amqp;

import io.wharfmq.bench.e2e.ComparisonOptions;
import io.wharfmq.bench.e2e.ComparisonRun;
import io.wharfmq.bench.e2e.Medians;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Fan-out mode of bin/bench-amqp ({@code --fanout 10,100}, issue 13): a durable topic exchange with
 * N bound durable queues, one consumer each, persistent 1 KiB messages published with blocking
 * sends, against Wharf and RabbitMQ started in the same run (the same Qpid JMS client for both,
 * each broker's own address strings; see {@link FanoutLoad} and {@link ExchangeBroker}). Figures:
 * publish throughput, delivered messages per second (all consumers together) and the bytes written
 * to the data directory's block device per published message ({@link DiskWrites}); ratios
 * Wharf/RabbitMQ. SYNC durability only (Wharf {@code SYNC_FLUSH}; RabbitMQ's defaults, which have
 * no asynchronous mode for persistent messages). Markdown on stdout, progress on stderr.
 * Single-threaded driver.
 */
final class FanoutBenchmark {
  static final List<String> TARGETS = List.of("wharf", "rabbitmq");

  private FanoutBenchmark() {}

  record Options(
      List<Integer> queues,
      List<Integer> producers,
      List<String> targets,
      int bodyBytes,
      Duration warmup,
      Duration measure,
      Duration initialWarmup,
      int rounds,
      Path dir) {
    static Options parse(String[] args) {
      // Run lengths in seconds: unmeasured start of each run, measured part, initial warm-up.
      ComparisonOptions c = new ComparisonOptions(args, USAGE, TARGETS, 3, 10, 5);
      c.producers(List.of(4));
      List<Integer> queues = List.of(10, 100);
      for (String a = c.next(); a != null; a = c.next()) {
        switch (a) {
          case "--fanout" ->
              queues = Arrays.stream(c.value().split(",")).map(Integer::valueOf).toList();
          case "--quick" -> c.runLengths(2, 5, 3);
          default -> throw c.unknown(a);
        }
      }
      c.check(TARGETS);
      if (queues.stream().anyMatch(q -> q < 1)) {
        throw new IllegalArgumentException("--fanout needs queue counts >= 1\n" + USAGE);
      }
      List<String> targets = TARGETS.stream().filter(c.targets()::contains).toList();
      return new Options(
          queues,
          c.producers(),
          targets,
          c.bodyBytes(),
          c.warmup(),
          c.measure(),
          c.initialWarmup(),
          c.rounds(),
          c.dir());
    }
  }

  static final String USAGE =
      """
      bin/bench-amqp --fanout 10,100 [options]
        --fanout 10,100             queues bound to one topic exchange (one row per count), one
                                    consumer each; persistent messages, blocking sends, SYNC
                                    durability (Wharf SYNC_FLUSH, RabbitMQ defaults)
        --quick                     2 s warm-up + 5 s per run
        --producers 4               producer threads (one connection each); one row per count
        --targets wharf,rabbitmq
        --size 1024                 body bytes
        --warmup-seconds 3          per run, not measured
        --seconds 10                measured part of each run
        --initial-warmup-seconds 5  one unmeasured run per broker (smallest queue count) after
                                    the brokers have started
        --rounds 1                  measure every cell this many times, brokers in rotating
                                    order; each broker's median round is shown, ratios are the
                                    median of the per-round ratios
        --dir <dir>                 parent of the temp data directories (default java.io.tmpdir)
      Figures per broker: pub/s = blocking sends that returned in the window; deliv/s = messages
      all consumers together received in the window; B/msg = bytes written to the block device
      holding the broker's data directory (/sys/dev/block/MAJ:MIN/stat) over the window /
      messages published in it: every writer of that device counts, so run it on a quiet
      machine. The notes add the broker process' own write_bytes (/proc/<pid>/io; beam.smp for
      RabbitMQ), which counts whole page-cache folios, and the threads that dirtied most.
      """;

  /** One table row: one (queues, producers) cell measured on each broker, once per round. */
  record Row(int queues, int producers, List<Map<String, FanoutLoad.Result>> rounds) {
    boolean has(String kind) {
      return rounds.get(0).containsKey(kind);
    }

    /** Each broker's median round by delivered messages per second. */
    FanoutLoad.Result median(String kind) {
      List<FanoutLoad.Result> all = new ArrayList<>();
      for (Map<String, FanoutLoad.Result> r : rounds) {
        all.add(r.get(kind));
      }
      all.sort(Comparator.comparingDouble(FanoutLoad.Result::deliveredPerSec));
      return all.get((all.size() - 1) / 2);
    }

    /** Median over the rounds of f(wharf) / f(rabbitmq); NaN unless both are in the row. */
    double ratio(ToDoubleFunction<FanoutLoad.Result> f) {
      return Medians.of(roundRatios(f).stream().mapToDouble(Double::doubleValue).toArray());
    }

    List<Double> roundRatios(ToDoubleFunction<FanoutLoad.Result> f) {
      List<Double> out = new ArrayList<>();
      if (has("wharf") && has("rabbitmq")) {
        for (Map<String, FanoutLoad.Result> r : rounds) {
          out.add(f.applyAsDouble(r.get("wharf")) / f.applyAsDouble(r.get("rabbitmq")));
        }
      }
      return out;
    }
  }

  static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Path root = ComparisonRun.tempRoot(o.dir(), "wharf-bench-fanout-");
    Instant started = Instant.now();
    Map<String, String> setup = new LinkedHashMap<>();
    List<Row> rows = new ArrayList<>();
    Map<String, ExchangeBroker> brokers = new LinkedHashMap<>();
    try {
      for (String kind : o.targets()) {
        AmqpBenchmark.progress("Starting %s", kind);
        try {
          ExchangeBroker b = start(kind, root);
          brokers.put(kind, b);
          setup.put(
              kind,
              b.durability()
                  + "; "
                  + b.topologyNote()
                  + "; data on device "
                  + DiskWrites.deviceName(DiskWrites.deviceStat(b.dataDir())));
        } catch (WharfBroker.NotAvailableException
            | AmqpBenchmark.RabbitMqNotInstalledException e) {
          setup.put(kind, "not available: " + e.getMessage());
          AmqpBenchmark.progress("%s not available: %s", kind, e.getMessage());
        }
      }
      warmUp(o, brokers, setup);
      idleDeviceWrites(brokers, setup);
      int turn = 0;
      for (int queues : o.queues()) {
        for (int producers : o.producers()) {
          if (brokers.isEmpty()) {
            break;
          }
          FanoutLoad.Spec spec =
              new FanoutLoad.Spec(queues, producers, o.bodyBytes(), o.warmup(), o.measure());
          Row row = new Row(queues, producers, new ArrayList<>());
          for (int k = 0; k < o.rounds(); k++) {
            row.rounds()
                .add(measureEach(ComparisonRun.rotated(brokers.values(), turn++), brokers, spec));
          }
          rows.add(row);
        }
      }
    } finally {
      for (ExchangeBroker b : brokers.values()) {
        AmqpBenchmark.progress("Stopping %s", b.kind());
        b.close();
      }
      ComparisonRun.deleteTree(root);
    }
    System.out.println(table(rows, setup, o));
    System.out.println(goals(rows));
    AmqpBenchmark.progress("Done in %d s", Duration.between(started, Instant.now()).toSeconds());
    // Qpid JMS client threads may linger.
    System.exit(0);
  }

  private static ExchangeBroker start(String kind, Path root) throws Exception {
    return switch (kind) {
      case "wharf" -> WharfBroker.start(root, "SYNC_FLUSH");
      case "rabbitmq" -> {
        if (!RabbitMqBroker.installed()) {
          throw new AmqpBenchmark.RabbitMqNotInstalledException(
              "rabbitmq-server is not installed (bin/install-bench-deps installs it, as root)");
        }
        yield RabbitMqBroker.start(root);
      }
      default -> throw new IllegalArgumentException(kind);
    };
  }

  /**
   * One unmeasured run per broker with the smallest queue count. A broker whose warm-up fails (for
   * Wharf: a build without exchanges, the management node or v2 addresses) is stopped and left out
   * with the reason in the table's header, so one broker never ends the run.
   */
  private static void warmUp(
      Options o, Map<String, ExchangeBroker> brokers, Map<String, String> setup) throws Exception {
    int queues = o.queues().stream().mapToInt(Integer::intValue).min().orElse(10);
    FanoutLoad.Spec spec =
        new FanoutLoad.Spec(
            queues, o.producers().get(0), o.bodyBytes(), Duration.ZERO, o.initialWarmup());
    for (ExchangeBroker b : new ArrayList<>(brokers.values())) {
      AmqpBenchmark.progress(
          "Warm-up: %s (%d s, %d queues, not measured)",
          b.kind(), o.initialWarmup().toSeconds(), queues);
      try {
        FanoutLoad.Result r =
            JmsComparison.alone(brokers.values(), b, () -> FanoutLoad.run(b, spec));
        if (r.published() == 0) {
          throw new IllegalStateException("no send returned: " + r.notes());
        }
      } catch (Exception e) {
        String why = "failed in the warm-up: " + e;
        AmqpBenchmark.progress("%s %s", b.kind(), why);
        setup.put(b.kind(), why);
        brokers.remove(b.kind());
        b.close();
      }
    }
  }

  /**
   * What the data directories' devices get while no run is going (both brokers idle, 3 s): every
   * process on the machine counts in B/msg, so the table's header says how much that is.
   */
  private static void idleDeviceWrites(
      Map<String, ExchangeBroker> brokers, Map<String, String> setup) throws InterruptedException {
    Map<String, Path> devices = new LinkedHashMap<>();
    for (ExchangeBroker b : brokers.values()) {
      Path stat = DiskWrites.deviceStat(b.dataDir());
      if (stat != null) {
        devices.putIfAbsent(DiskWrites.deviceName(stat), stat);
      }
    }
    for (Map.Entry<String, Path> d : devices.entrySet()) {
      long before = DiskWrites.deviceWrittenBytes(d.getValue());
      long start = System.nanoTime();
      TimeUnit.SECONDS.sleep(3);
      double seconds = (System.nanoTime() - start) / 1e9;
      long bytes = DiskWrites.deviceWrittenBytes(d.getValue()) - before;
      String line =
          String.format(
              Locale.ROOT,
              "%,.0f B/s written to it with both brokers idle (3 s before the runs)",
              bytes / seconds);
      AmqpBenchmark.progress("device %s: %s", d.getKey(), line);
      setup.put("device " + d.getKey(), line);
    }
  }

  private static Map<String, FanoutLoad.Result> measureEach(
      List<ExchangeBroker> order, Map<String, ExchangeBroker> all, FanoutLoad.Spec spec)
      throws Exception {
    Map<String, FanoutLoad.Result> byKind = new LinkedHashMap<>();
    for (ExchangeBroker b : order) {
      FanoutLoad.Result r = JmsComparison.alone(all.values(), b, () -> FanoutLoad.run(b, spec));
      AmqpBenchmark.progress(
          "%-8s %3d queues %d producer(s): published %,8.0f/s delivered %,9.0f/s  %,9.0f B/msg"
              + "  broker CPU %.1f s (%.1f us/delivery)  %s",
          b.kind(),
          spec.queues(),
          spec.producers(),
          r.publishedPerSec(),
          r.deliveredPerSec(),
          r.bytesPerMessage(),
          r.brokerCpuSec(),
          r.cpuMicrosPerDelivery(),
          r.notes());
      byKind.put(b.kind(), r);
    }
    return byKind;
  }

  static String table(List<Row> rows, Map<String, String> setup, Options o) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%nFan-out: Qpid JMS, persistent %d B BytesMessages with blocking sends to a durable"
                + " topic exchange (routing key bench.fanout) with N durable queues bound with"
                + " bench.*, one consumer per queue (AUTO_ACKNOWLEDGE); a fresh exchange and queues"
                + " per run; %d s warm-up + %d s measured per run, %d round(s) per cell (each"
                + " broker's median round by deliveries, ratios = median of the per-round ratios)."
                + " pub/s: sends that returned in the window; deliv/s: messages all consumers"
                + " received in the window; B/msg: bytes written to the block device holding the"
                + " broker's data directory (/sys/dev/block/MAJ:MIN/stat; every writer of the"
                + " device counts) over the window / messages published in it; notes: the broker"
                + " process' write_bytes per message (/proc/<pid>/io, beam.smp for RabbitMQ;"
                + " whole page-cache folios, so it overstates small synced writes) and the threads"
                + " that dirtied most. W = Wharf, R = RabbitMQ 3.10 (AMQP 1.0 plugin).%n%n",
            o.bodyBytes(),
            o.warmup().toSeconds(),
            o.measure().toSeconds(),
            o.rounds()));
    setup.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
    sb.append('\n');
    sb.append(
        "| queues | producers | W pub/s | W deliv/s | W B/msg | R pub/s | R deliv/s | R B/msg"
            + " | pub/s W/R | deliv/s W/R | B/msg W/R | notes |\n");
    sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "| %d | %d |", r.queues(), r.producers()));
      List<String> notes = new ArrayList<>();
      for (String t : TARGETS) {
        if (!r.has(t)) {
          sb.append(" n/a | n/a | n/a |");
          continue;
        }
        FanoutLoad.Result x = r.median(t);
        sb.append(
            String.format(
                Locale.ROOT,
                " %,.0f | %,.0f | %s |",
                x.publishedPerSec(),
                x.deliveredPerSec(),
                Double.isFinite(x.bytesPerMessage())
                    ? String.format(Locale.ROOT, "%,.0f", x.bytesPerMessage())
                    : "—"));
        if (!x.notes().isEmpty()) {
          notes.add((t.equals("wharf") ? "W: " : "R: ") + x.notes());
        }
      }
      sb.append(
          String.format(
              Locale.ROOT,
              " %s | %s | %s |",
              ratio(r.ratio(FanoutLoad.Result::publishedPerSec)),
              ratio(r.ratio(FanoutLoad.Result::deliveredPerSec)),
              ratio(r.ratio(FanoutLoad.Result::bytesPerMessage), 4)));
      if (r.rounds().size() > 1 && r.has("wharf") && r.has("rabbitmq")) {
        List<String> each = new ArrayList<>();
        for (double v : r.roundRatios(FanoutLoad.Result::deliveredPerSec)) {
          each.add(ratio(v));
        }
        notes.add("deliv/s W/R per round " + String.join(", ", each));
      }
      sb.append(' ').append(String.join("; ", notes)).append(" |\n");
    }
    return sb.toString();
  }

  /**
   * Goals of issue 13 at the largest queue count measured (the issue names 100): Wharf writes at
   * least 20x fewer bytes per message (B/msg W/R <= 0.05) and delivers at least 2x the messages per
   * second (deliv/s W/R >= 2).
   */
  static String goals(List<Row> rows) {
    StringBuilder sb =
        new StringBuilder(
            "Goals (issue 13, at 100 queues: B/msg W/R <= 0.05, i.e. 20x fewer bytes, and deliv/s"
                + " W/R >= 2):\n");
    boolean any = false;
    for (Row r : rows) {
      if (!r.has("wharf") || !r.has("rabbitmq")) {
        continue;
      }
      any = true;
      double bytes = r.ratio(FanoutLoad.Result::bytesPerMessage);
      double delivered = r.ratio(FanoutLoad.Result::deliveredPerSec);
      sb.append(
          String.format(
              Locale.ROOT,
              "- %d queues, %d producer(s)%s: B/msg W/R %s (%s), deliv/s W/R %s (%s)%n",
              r.queues(),
              r.producers(),
              r.queues() == 100 ? "" : " (the goal names 100 queues)",
              ratio(bytes, 4),
              Double.isFinite(bytes) ? (bytes <= 0.05 ? "met" : "NOT met") : "no ratio",
              ratio(delivered),
              Double.isFinite(delivered) ? (delivered >= 2 ? "met" : "NOT met") : "no ratio"));
    }
    if (!any) {
      sb.append("- not assessed: no row has Wharf beside RabbitMQ\n");
    }
    return sb.toString();
  }

  private static String ratio(double v) {
    return ratio(v, 2);
  }

  private static String ratio(double v, int decimals) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "—";
  }
}
