package io.wharfmq.bench.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;
import org.apache.rocketmq.remoting.protocol.admin.TopicOffset;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * Transactional send throughput: the official {@code TransactionMQProducer} (local transaction
 * always COMMIT_MESSAGE) against a Wharf broker and an Apache RocketMQ broker, each in its own
 * child JVM ({@link BrokerProcess}) started in the same run, with a plain blocking {@code send()}
 * on each broker as the same-run baseline. Every run is a closed-loop blocking {@link LoadRun} (N
 * threads, each one send at a time) on its own topic with a push consumer, so a committed message
 * that never becomes consumable shows as "not consumed". At the end every committed message must be
 * in the transactional topic (sum of its queues' max offsets = commits made) and every half message
 * must have been committed (half topic max offset = commits made). Prints markdown on stdout,
 * progress on stderr. Single-threaded driver.
 */
public final class TransactionBenchmark {
  static final String TX_TOPIC = "BenchTx";
  static final String PLAIN_TOPIC = "BenchTxPlain";
  static final String HALF_TOPIC = "RMQ_SYS_TRANS_HALF_TOPIC";
  static final List<String> BROKERS = List.of("wharf", "rocketmq");

  private TransactionBenchmark() {}

  record Options(
      List<Integer> producers,
      int bodyBytes,
      int queues,
      Duration warmup,
      Duration measure,
      Duration initialWarmup,
      int rounds) {
    static Options parse(String[] args) {
      List<Integer> producers = List.of(1, 4);
      int size = 1024;
      int queues = 8;
      Duration warmup = Duration.ofSeconds(3);
      Duration measure = Duration.ofSeconds(12);
      Duration initial = Duration.ofSeconds(5);
      int rounds = 1;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--help" -> {
            System.out.println(USAGE);
            System.exit(0);
          }
          case "--producers" ->
              producers = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
          case "--size" -> size = Integer.parseInt(args[++i]);
          case "--queues" -> queues = Integer.parseInt(args[++i]);
          case "--warmup-seconds" -> warmup = Duration.ofSeconds(Long.parseLong(args[++i]));
          case "--seconds" -> measure = Duration.ofSeconds(Long.parseLong(args[++i]));
          case "--initial-warmup-seconds" ->
              initial = Duration.ofSeconds(Long.parseLong(args[++i]));
          case "--rounds" -> rounds = Integer.parseInt(args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
        }
      }
      if (size < Stamp.LENGTH) {
        throw new IllegalArgumentException("--size must be >= " + Stamp.LENGTH);
      }
      return new Options(producers, size, queues, warmup, measure, initial, rounds);
    }
  }

  static final String USAGE =
      """
      bin/bench-tx [options]
        --producers 1,4             sender thread counts (each: one blocking send at a time)
        --size 1024                 body bytes
        --queues 8                  queues of both benchmark topics
        --warmup-seconds 3          per run, not measured
        --seconds 12                measured part of each run
        --initial-warmup-seconds 5  one unmeasured run per target before the first run
        --rounds 1                  runs per cell (medians reported)
      """;

  /** One broker: its child JVM, the plain and the transactional target, and the commit counters. */
  record Side(
      BrokerProcess broker, Target plain, Target tx, LongAdder committed, LongAdder checks) {
    LoadRun.Result run(boolean transactional, LoadRun.Spec spec) throws Exception {
      if (!transactional) {
        return LoadRun.run(plain, spec);
      }
      return LoadRun.run(
          tx,
          spec,
          runName ->
              new TransactionalProducer(
                  broker.namesrvAddr,
                  TX_TOPIC,
                  "bench-txg-" + broker.kind,
                  runName,
                  committed,
                  checks));
    }
  }

  /** Results of one (broker, producers, plain or tx) cell, one per round. */
  record Cell(String broker, int producers, boolean transactional, List<LoadRun.Result> runs) {
    double median(ToDoubleFunction<LoadRun.Result> f) {
      return Medians.of(runs.stream().mapToDouble(f).toArray());
    }

    String notes() {
      return String.join(
          "; ", runs.stream().map(LoadRun.Result::notes).filter(s -> !s.isEmpty()).toList());
    }
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Path root = Files.createTempDirectory("wharf-bench-tx-");
    System.setProperty("rocketmq.client.logRoot", root.resolve("client-logs").toString());
    System.setProperty("rocketmq.client.logLevel", "WARN");
    Map<String, Side> sides = new LinkedHashMap<>();
    Map<String, Cell> cells = new LinkedHashMap<>();
    Map<String, String> checks = new LinkedHashMap<>();
    try {
      for (String kind : BROKERS) {
        E2eBenchmark.progress("Starting %s broker", kind);
        BrokerProcess b = BrokerProcess.start(kind, "ASYNC", root, null);
        sides.put(kind, startSide(b, o));
      }
      LoadRun.Spec initial =
          new LoadRun.Spec(4, 0, 0, o.bodyBytes(), Duration.ZERO, o.initialWarmup());
      for (Side s : sides.values()) {
        for (boolean tx : List.of(false, true)) {
          E2eBenchmark.progress("Warm-up %s %s (not measured)", s.broker().kind, kindOf(tx));
          s.run(tx, initial);
        }
      }
      int turn = 0;
      for (int round = 0; round < o.rounds(); round++) {
        for (int producers : o.producers()) {
          LoadRun.Spec spec =
              new LoadRun.Spec(producers, 0, 0, o.bodyBytes(), o.warmup(), o.measure());
          List<Map.Entry<Side, Boolean>> order = new ArrayList<>();
          for (Side s : sides.values()) {
            order.add(Map.entry(s, false));
            order.add(Map.entry(s, true));
          }
          // Rotate the order, so no cell always runs right after the same neighbour.
          Collections.rotate(order, -(turn++ % order.size()));
          for (Map.Entry<Side, Boolean> e : order) {
            String kind = e.getKey().broker().kind;
            LoadRun.Result r = e.getKey().run(e.getValue(), spec);
            E2eBenchmark.progress(
                "%-8s %-5s %d thread(s): %,8.0f msg/s  send p50 %.3f p99 %.3f ms  e2e p50 %.3f"
                    + " ms  broker CPU %.1f s %s",
                kind,
                kindOf(e.getValue()),
                producers,
                r.ackedPerSec(),
                r.ackP50Ms(),
                r.ackP99Ms(),
                r.p50Ms(),
                r.brokerCpuSec(),
                r.notes());
            cells
                .computeIfAbsent(
                    kind + "/" + producers + "/" + e.getValue(),
                    k -> new Cell(kind, producers, e.getValue(), new ArrayList<>()))
                .runs()
                .add(r);
          }
        }
      }
      for (Side s : sides.values()) {
        checks.put(s.broker().kind, verify(s));
      }
    } finally {
      for (Side s : sides.values()) {
        s.plain().consumer().close();
        s.tx().consumer().close();
        s.broker().close();
      }
      BrokerProcess.deleteTree(root);
    }
    System.out.println(table(cells, checks, o));
    System.exit(0);
  }

  private static String kindOf(boolean transactional) {
    return transactional ? "tx" : "plain";
  }

  private static Side startSide(BrokerProcess b, Options o) throws Exception {
    Target plain =
        E2eBenchmark.startTarget(
            b.kind + "-plain", b, false, PLAIN_TOPIC, o.queues(), b.kind + "-txbench-plain");
    try {
      Target tx =
          E2eBenchmark.startTarget(
              b.kind + "-tx", b, false, TX_TOPIC, o.queues(), b.kind + "-txbench-tx");
      return new Side(b, plain, tx, new LongAdder(), new LongAdder());
    } catch (Exception | Error e) {
      plain.consumer().close();
      b.close();
      throw e;
    }
  }

  /**
   * Every commit made is a message of the transactional topic and every half message stored was
   * committed. END_TRANSACTION is oneway, so the offsets are awaited (30 s) rather than read once.
   */
  private static String verify(Side s) throws Exception {
    DefaultMQAdminExt admin = new DefaultMQAdminExt();
    admin.setNamesrvAddr(s.broker().namesrvAddr);
    admin.setInstanceName("bench-tx-verify-" + s.broker().kind);
    admin.start();
    try {
      long committed = s.committed().sum();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      long stored;
      while ((stored = messages(admin, s.broker(), TX_TOPIC)) != committed
          && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(100);
      }
      String halves;
      try {
        long h = messages(admin, s.broker(), HALF_TOPIC);
        halves =
            String.format(
                Locale.ROOT,
                h == committed ? "all %,d halves committed" : "FAILED: %,d halves stored",
                h);
      } catch (Exception e) {
        halves = "half topic not readable (" + e.getClass().getSimpleName() + ")";
      }
      return String.format(
          Locale.ROOT,
          "%s: %,d commits, %,d messages in %s; %s; %d check-backs",
          stored == committed ? "ok" : "FAILED",
          committed,
          stored,
          TX_TOPIC,
          halves,
          s.checks().sum());
    } finally {
      admin.shutdown();
    }
  }

  /** Sum of the max offsets of the topic's queues on the broker, i.e. messages ever stored. */
  private static long messages(DefaultMQAdminExt admin, BrokerProcess b, String topic)
      throws Exception {
    return admin.examineTopicStats(b.brokerAddr, topic).getOffsetTable().values().stream()
        .mapToLong(TopicOffset::getMaxOffset)
        .sum();
  }

  static String table(Map<String, Cell> cells, Map<String, String> checks, Options o) {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "Transactional vs plain blocking sends, official client, %d B bodies, %d queues,"
                + " ASYNC flush, %d s measured after %d s warm-up, medians of %d round(s)%n%n",
            o.bodyBytes(),
            o.queues(),
            o.measure().toSeconds(),
            o.warmup().toSeconds(),
            o.rounds()));
    s.append(
        "| threads | broker | tx msg/s | tx send p50 ms | tx send p99 ms | plain msg/s"
            + " | plain send p50 ms | plain send p99 ms | tx/plain | notes |\n");
    s.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (int producers : o.producers()) {
      Map<String, double[]> rates = new LinkedHashMap<>();
      for (String kind : BROKERS) {
        Cell tx = cells.get(kind + "/" + producers + "/true");
        Cell plain = cells.get(kind + "/" + producers + "/false");
        if (tx == null || plain == null) {
          continue;
        }
        double txRate = tx.median(LoadRun.Result::ackedPerSec);
        double plainRate = plain.median(LoadRun.Result::ackedPerSec);
        rates.put(kind, new double[] {txRate, plainRate});
        String notes = String.join(" ", tx.notes(), plain.notes()).trim();
        s.append(
            String.format(
                Locale.ROOT,
                "| %d | %s | %,.0f | %.3f | %.3f | %,.0f | %.3f | %.3f | %.2f | %s |%n",
                producers,
                kind,
                txRate,
                tx.median(LoadRun.Result::ackP50Ms),
                tx.median(LoadRun.Result::ackP99Ms),
                plainRate,
                plain.median(LoadRun.Result::ackP50Ms),
                plain.median(LoadRun.Result::ackP99Ms),
                txRate / plainRate,
                notes));
      }
      if (rates.size() == 2) {
        double[] w = rates.get("wharf");
        double[] r = rates.get("rocketmq");
        s.append(
            String.format(
                Locale.ROOT,
                "| %d | **Wharf/RocketMQ** | **%.2f** | | | **%.2f** | | | | |%n",
                producers,
                w[0] / r[0],
                w[1] / r[1]));
      }
    }
    s.append("\nChecks:\n\n");
    checks.forEach((k, v) -> s.append("- ").append(k).append(": ").append(v).append('\n'));
    return s.toString();
  }
}
