package io.wharfmq.bench.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * End-to-end benchmark: the official RocketMQ client (producer and push consumer in this JVM)
 * against a Wharf broker and an Apache RocketMQ broker, each with its name server in its own child
 * JVM with the same flags, started in the same run. For every flush mode and producer count: a
 * closed-loop run at maximum rate on each broker, then an open-loop run on each at a common target
 * rate (a fraction of the slower broker's maximum). Prints a markdown table with Wharf/RocketMQ
 * ratios on stdout; progress goes to stderr. Single-threaded driver.
 */
public final class E2eBenchmark {
  static final String TOPIC = "BenchE2E";
  static final List<String> KINDS = List.of("wharf", "rocketmq");

  private E2eBenchmark() {}

  record Options(
      List<String> flushModes,
      List<Integer> producers,
      int bodyBytes,
      int queues,
      Duration warmup,
      Duration measure,
      Duration initialWarmup,
      double rateFraction,
      Path dir,
      Path jfrWharf) {
    static Options parse(String[] args) {
      List<String> flush = List.of("ASYNC", "SYNC");
      List<Integer> producers = List.of(1, 4);
      int size = 1024;
      int queues = 8;
      Duration warmup = Duration.ofSeconds(3);
      Duration measure = Duration.ofSeconds(12);
      Duration initial = Duration.ofSeconds(5);
      double fraction = 0.5;
      Path dir = null;
      Path jfr = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--help" -> {
            System.out.println(USAGE);
            System.exit(0);
          }
          case "--quick" -> {
            flush = List.of("ASYNC");
            producers = List.of(4);
            warmup = Duration.ofSeconds(2);
            measure = Duration.ofSeconds(5);
            initial = Duration.ofSeconds(3);
          }
          case "--flush" -> flush = Arrays.asList(args[++i].toUpperCase(Locale.ROOT).split(","));
          case "--producers" ->
              producers = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
          case "--size" -> size = Integer.parseInt(args[++i]);
          case "--queues" -> queues = Integer.parseInt(args[++i]);
          case "--warmup-seconds" -> warmup = Duration.ofSeconds(Long.parseLong(args[++i]));
          case "--seconds" -> measure = Duration.ofSeconds(Long.parseLong(args[++i]));
          case "--initial-warmup-seconds" ->
              initial = Duration.ofSeconds(Long.parseLong(args[++i]));
          case "--rate-fraction" -> fraction = Double.parseDouble(args[++i]);
          case "--dir" -> dir = Path.of(args[++i]);
          case "--jfr-wharf" -> jfr = Path.of(args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
        }
      }
      if (size < Stamp.LENGTH) {
        throw new IllegalArgumentException("--size must be >= " + Stamp.LENGTH);
      }
      return new Options(
          flush, producers, size, queues, warmup, measure, initial, fraction, dir, jfr);
    }
  }

  static final String USAGE =
      """
      bin/bench-e2e [options]
        --quick                     ASYNC, 4 producers, 2 s warm-up + 5 s per run
        --flush ASYNC,SYNC          flush modes (both brokers restarted per mode)
        --producers 1,4             producer thread counts
        --size 1024                 body bytes
        --queues 8                  queues of the benchmark topic, created on both brokers
        --warmup-seconds 3          per run, not measured
        --seconds 12                measured part of each run
        --initial-warmup-seconds 5  one unmeasured run per broker before its first run
        --rate-fraction 0.5         open-loop rate = fraction x the slower broker's maximum
        --dir <dir>                 parent of the temp data directories (default: java.io.tmpdir)
        --jfr-wharf <file>          JFR profile of the Wharf broker JVM (settings=profile)
      """;

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Path root =
        o.dir() == null
            ? Files.createTempDirectory("wharf-bench-e2e-")
            : Files.createTempDirectory(Files.createDirectories(o.dir()), "wharf-bench-e2e-");
    // The RocketMQ client logs under ${user.home}/logs by default; keep its files in the run dir.
    System.setProperty("rocketmq.client.logRoot", root.resolve("client-logs").toString());
    System.setProperty("rocketmq.client.logLevel", "WARN");
    Instant started = Instant.now();
    List<Row> rows = new ArrayList<>();
    try {
      for (String flush : o.flushModes()) {
        rows.addAll(runFlushMode(o, flush, root));
      }
    } finally {
      BrokerProcess.deleteTree(root);
    }
    System.out.println(Report.table(rows, o));
    System.out.println(Report.goals(rows));
    progress("Done in %d s", Duration.between(started, Instant.now()).toSeconds());
    // Client threads (netty, rebalance) may linger after shutdown.
    System.exit(0);
  }

  /** One table row: one (flush, producers, load) cell measured on each broker. */
  record Row(String flush, int producers, String load, Map<String, LoadRun.Result> byKind) {}

  private static List<Row> runFlushMode(Options o, String flush, Path root) throws Exception {
    Map<String, BrokerProcess> brokers = new LinkedHashMap<>();
    Map<String, LatencyConsumer> consumers = new LinkedHashMap<>();
    List<Row> rows = new ArrayList<>();
    try {
      for (String kind : KINDS) {
        progress("Starting %s broker, flush %s", kind, flush);
        Path jfr =
            kind.equals("wharf") && o.jfrWharf() != null
                ? o.jfrWharf().resolveSibling(withSuffix(o.jfrWharf(), flush))
                : null;
        BrokerProcess b = BrokerProcess.start(kind, flush, root, jfr);
        brokers.put(kind, b);
        createTopic(b, o.queues());
        LatencyConsumer c = new LatencyConsumer(b.namesrvAddr, TOPIC, kind + "-" + flush);
        consumers.put(kind, c);
        c.awaitQueues(o.queues(), Duration.ofSeconds(60));
      }
      for (String kind : KINDS) {
        progress(
            "Warm-up %s (%d s, 4 producers, not measured)", kind, o.initialWarmup().toSeconds());
        LoadRun.run(
            brokers.get(kind),
            consumers.get(kind),
            TOPIC,
            new LoadRun.Spec(4, 0, o.bodyBytes(), Duration.ZERO, o.initialWarmup()),
            kind);
      }
      int turn = 0;
      for (int producers : o.producers()) {
        // Alternate which broker goes first, so neither always runs on a disk still busy with
        // the other's write-back.
        List<String> order = turn++ % 2 == 0 ? KINDS : reversed(KINDS);
        Map<String, LoadRun.Result> max = new LinkedHashMap<>();
        for (String kind : order) {
          max.put(
              kind,
              measured(
                  o,
                  brokers.get(kind),
                  consumers.get(kind),
                  new LoadRun.Spec(producers, 0, o.bodyBytes(), o.warmup(), o.measure())));
        }
        rows.add(new Row(flush, producers, "max", max));
        double slower =
            max.values().stream().mapToDouble(LoadRun.Result::ackedPerSec).min().orElse(0);
        double rate = Math.max(1, Math.round(slower * o.rateFraction()));
        Map<String, LoadRun.Result> open = new LinkedHashMap<>();
        for (String kind : reversed(order)) {
          open.put(
              kind,
              measured(
                  o,
                  brokers.get(kind),
                  consumers.get(kind),
                  new LoadRun.Spec(producers, rate, o.bodyBytes(), o.warmup(), o.measure())));
        }
        rows.add(new Row(flush, producers, String.format("%,.0f/s", rate), open));
      }
    } finally {
      for (LatencyConsumer c : consumers.values()) {
        c.close();
      }
      for (BrokerProcess b : brokers.values()) {
        b.close();
      }
    }
    return rows;
  }

  private static List<String> reversed(List<String> l) {
    List<String> r = new ArrayList<>(l);
    java.util.Collections.reverse(r);
    return r;
  }

  private static String withSuffix(Path file, String flush) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0
        ? name + "-" + flush
        : name.substring(0, dot) + "-" + flush + name.substring(dot);
  }

  private static LoadRun.Result measured(
      Options o, BrokerProcess b, LatencyConsumer c, LoadRun.Spec spec) throws Exception {
    LoadRun.Result r = LoadRun.run(b, c, TOPIC, spec, b.kind);
    progress(
        "%-8s %-5s %d producer(s) %-10s acked %,9.0f/s consumed %,9.0f/s  e2e p50 %.3f p99 %.3f"
            + " p99.9 %.3f max %.1f ms  ack p99 %.3f ms  broker CPU %.1f s %s",
        b.kind,
        b.flush,
        spec.producers(),
        spec.openLoop() ? String.format("%.0f/s", spec.rate()) : "max",
        r.ackedPerSec(),
        r.consumedPerSec(),
        r.p50Ms(),
        r.p99Ms(),
        r.p999Ms(),
        r.maxMs(),
        r.ackP99Ms(),
        r.brokerCpuSec(),
        r.notes());
    return r;
  }

  /** Creates the topic with the same queue count on the broker and waits for its route. */
  private static void createTopic(BrokerProcess b, int queues) throws Exception {
    createTopic(b, TOPIC, queues);
  }

  /** Creates {@code topic} with {@code queues} queues on the broker and waits for its route. */
  static void createTopic(BrokerProcess b, String topic, int queues) throws Exception {
    DefaultMQAdminExt admin = new DefaultMQAdminExt();
    admin.setNamesrvAddr(b.namesrvAddr);
    admin.setInstanceName("bench-admin-" + b.kind + "-" + b.flush);
    admin.start();
    try {
      admin.createAndUpdateTopicConfig(
          b.brokerAddr,
          new TopicConfig(topic, queues, queues, PermName.PERM_READ | PermName.PERM_WRITE));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      Object last = null;
      while (true) {
        try {
          TopicRouteData route = admin.examineTopicRouteInfo(topic);
          List<QueueData> qd = route.getQueueDatas();
          if (!qd.isEmpty() && qd.get(0).getWriteQueueNums() == queues) {
            return;
          }
          last = qd;
        } catch (Exception e) {
          // No route yet: the broker's registration is on its way.
          last = e;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "route of "
                  + topic
                  + " with "
                  + queues
                  + " queues not seen on "
                  + b.kind
                  + ": "
                  + last);
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    } finally {
      admin.shutdown();
    }
  }

  static void progress(String format, Object... args) {
    System.err.printf("[%tT] %s%n", System.currentTimeMillis(), String.format(format, args));
  }
}
