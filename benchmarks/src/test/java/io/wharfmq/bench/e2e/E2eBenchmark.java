package io.wharfmq.bench.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * End-to-end benchmark: the official RocketMQ client (producer and push consumer in this JVM)
 * against a Wharf broker and an Apache RocketMQ broker, each with its name server in its own child
 * JVM with the same flags, started in the same run, plus Wharf's native client against the same
 * Wharf broker. For every send mode (blocking, pipelined), flush mode and producer count: a
 * closed-loop run at maximum rate on each target, then an open-loop run on each at a common target
 * rate (a fraction of the slowest target's maximum). Prints a markdown table with Wharf/RocketMQ
 * ratios on stdout; progress goes to stderr. Single-threaded driver.
 */
public final class E2eBenchmark {
  static final String TOPIC = "BenchE2E";

  /** The native client's topic on the Wharf broker, so the two Wharf consumers never overlap. */
  static final String NATIVE_TOPIC = "BenchE2ENative";

  /**
   * Table columns: official client on Wharf, on RocketMQ, Wharf's native client on Wharf; the
   * official client on each broker with access control on (issue 15).
   */
  static final List<String> TARGETS =
      List.of("wharf", "wharf-acl", "rocketmq", "rocketmq-acl", "native");

  static final List<String> DEFAULT_TARGETS = List.of("wharf", "rocketmq", "native");

  /** --security: each broker plain and with access control, official client only. */
  static final List<String> SECURITY_TARGETS =
      List.of("wharf", "wharf-acl", "rocketmq", "rocketmq-acl");

  static final List<String> MODES = List.of("blocking", "pipelined");

  private E2eBenchmark() {}

  record Options(
      List<String> flushModes,
      List<Integer> producers,
      List<String> modes,
      List<String> targets,
      int window,
      int bodyBytes,
      int queues,
      Duration warmup,
      Duration measure,
      Duration initialWarmup,
      double rateFraction,
      int rounds,
      Path dir,
      Path jfrWharf) {
    static Options parse(String[] args) {
      // Run lengths in seconds: unmeasured start of each run, measured part, initial warm-up.
      ComparisonOptions c = new ComparisonOptions(args, USAGE, DEFAULT_TARGETS, 3, 12, 10);
      List<String> flush = List.of("ASYNC", "SYNC");
      List<String> modes = MODES;
      int window = 32;
      int queues = 8;
      Path jfr = null;
      for (String a = c.next(); a != null; a = c.next()) {
        switch (a) {
          case "--quick" -> {
            flush = List.of("ASYNC");
            c.producers(List.of(4));
            c.runLengths(2, 5, 3);
          }
          case "--security" -> c.targets(SECURITY_TARGETS);
          case "--flush" -> flush = Arrays.asList(c.value().toUpperCase(Locale.ROOT).split(","));
          case "--modes" -> modes = Arrays.asList(c.value().toLowerCase(Locale.ROOT).split(","));
          case "--window" -> window = Integer.parseInt(c.value());
          case "--queues" -> queues = Integer.parseInt(c.value());
          case "--jfr-wharf" -> jfr = Path.of(c.value());
          default -> throw c.unknown(a);
        }
      }
      c.check(TARGETS);
      if (!MODES.containsAll(modes) || window < 1) {
        throw new IllegalArgumentException("bad --modes or --window\n" + USAGE);
      }
      if (!c.targets().contains("wharf") || !c.targets().contains("rocketmq")) {
        throw new IllegalArgumentException("--targets must include wharf and rocketmq");
      }
      if (c.targets().contains("wharf-acl") != c.targets().contains("rocketmq-acl")) {
        throw new IllegalArgumentException("--targets: wharf-acl and rocketmq-acl go together");
      }
      return new Options(
          flush,
          c.producers(),
          modes,
          c.targets(),
          window,
          c.bodyBytes(),
          queues,
          c.warmup(),
          c.measure(),
          c.initialWarmup(),
          c.rateFraction(),
          c.rounds(),
          c.dir(),
          jfr);
    }
  }

  static final String USAGE =
      """
      bin/bench-e2e [options]
        --quick                     ASYNC, 4 producers, 2 s warm-up + 5 s per run
        --flush ASYNC,SYNC          flush modes (both brokers restarted per mode)
        --producers 1,4             producer thread counts
        --modes blocking,pipelined  blocking: one send at a time per thread (sync send);
                                    pipelined: up to --window async sends in flight per thread
        --window 32                 in-flight sends per producer thread in pipelined mode
        --targets wharf,rocketmq,native
                                    wharf/rocketmq: official client; native: Wharf's own
                                    client against the Wharf broker; wharf-acl/rocketmq-acl:
                                    official client signing (AclClientRPCHook) as a normal
                                    user with Pub,Sub on Topic:* and Group:*, on a broker of
                                    its own with access control on (RocketMQ: ACL 2.0)
        --security                  targets wharf,wharf-acl,rocketmq,rocketmq-acl (issue 15;
                                    TLS targets pending)
        --size 1024                 body bytes
        --queues 8                  queues of the benchmark topic, created on both brokers
        --warmup-seconds 3          per run, not measured
        --seconds 12                measured part of each run
        --initial-warmup-seconds 10 one unmeasured run per target and send mode before the
                                    first measured run (JIT warm-up of driver and brokers),
                                    repeated at half length while the driver's JIT compiler
                                    threads use more than 10 % of a CPU (at most 6 passes)
        --rate-fraction 0.5         open-loop rate = fraction x the slower broker's maximum
        --rounds 1                  measure every cell this many times, targets in rotating
                                    order; the table shows each target's median round and the
                                    median of the per-round ratios (steady against a host
                                    whose speed drifts between runs)
        --dir <dir>                 parent of the temp data directories (default: java.io.tmpdir)
        --jfr-wharf <file>          JFR profile of each Wharf broker JVM (settings=profile;
                                    file name + -FLUSH, -acl-FLUSH for wharf-acl's)
      """;

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Path root = ComparisonRun.tempRoot(o.dir(), "wharf-bench-e2e-");
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
      ComparisonRun.deleteTree(root);
    }
    System.out.println(Report.table(rows, o));
    System.out.println(Report.goals(rows));
    if (o.targets().contains("wharf-acl")) {
      System.out.println(SecurityReport.table(rows, o));
      System.out.println(SecurityReport.goals(rows));
    }
    progress("Done in %d s", Duration.between(started, Instant.now()).toSeconds());
    // Client threads (netty, rebalance) may linger after shutdown.
    System.exit(0);
  }

  /**
   * One table row: one (mode, flush, producers, load) cell measured on each target, once per round.
   */
  record Row(
      String mode,
      String flush,
      int producers,
      String load,
      List<Map<String, LoadRun.Result>> rounds) {
    boolean maxRate() {
      return load.equals("max");
    }

    /**
     * The round that represents each target: its median round by throughput (max-rate rows) or by
     * p99 (rows at a set load).
     */
    Map<String, LoadRun.Result> byTarget() {
      Map<String, LoadRun.Result> m = new LinkedHashMap<>();
      for (String name : rounds.get(0).keySet()) {
        List<LoadRun.Result> all = new ArrayList<>();
        for (Map<String, LoadRun.Result> r : rounds) {
          all.add(r.get(name));
        }
        all.sort(
            Comparator.comparingDouble(
                maxRate() ? LoadRun.Result::ackedPerSec : LoadRun.Result::p99Ms));
        m.put(name, all.get((all.size() - 1) / 2));
      }
      return m;
    }

    /** Median over the rounds of f(a) / f(b), each round's two figures from the same round. */
    double ratio(String a, String b, ToDoubleFunction<LoadRun.Result> f) {
      return Medians.of(roundRatios(a, b, f).stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The per-round values of f(a) / f(b), for the notes. */
    List<Double> roundRatios(String a, String b, ToDoubleFunction<LoadRun.Result> f) {
      List<Double> out = new ArrayList<>();
      for (Map<String, LoadRun.Result> r : rounds) {
        out.add(f.applyAsDouble(r.get(a)) / f.applyAsDouble(r.get(b)));
      }
      return out;
    }
  }

  private static List<Row> runFlushMode(Options o, String flush, Path root) throws Exception {
    Map<String, BrokerProcess> brokers = new LinkedHashMap<>();
    Map<String, Target> targets = new LinkedHashMap<>();
    List<Row> rows = new ArrayList<>();
    try {
      for (String kind : brokerKinds(o.targets())) {
        progress("Starting %s broker, flush %s", kind, flush);
        String suffix = BenchSecurity.of(kind).acl() ? "acl-" + flush : flush;
        Path jfr =
            kind.startsWith("wharf") && o.jfrWharf() != null
                ? o.jfrWharf().resolveSibling(withSuffix(o.jfrWharf(), suffix))
                : null;
        brokers.put(kind, BrokerProcess.start(kind, flush, root, jfr));
      }
      for (String name : o.targets()) {
        targets.put(name, startTarget(o, name, flush, brokers));
      }
      warmUp(o, targets.values(), brokers.values());
      int turn = 0;
      for (String mode : o.modes()) {
        int window = mode.equals("pipelined") ? o.window() : 0;
        for (int producers : o.producers()) {
          LoadRun.Spec maxSpec =
              new LoadRun.Spec(producers, 0, window, o.bodyBytes(), o.warmup(), o.measure());
          Row max = new Row(mode, flush, producers, "max", new ArrayList<>());
          for (int k = 0; k < o.rounds(); k++) {
            max.rounds()
                .add(measureEach(ComparisonRun.rotated(targets.values(), turn++), o, maxSpec));
          }
          rows.add(max);
          double slowest =
              max.byTarget().values().stream()
                  .mapToDouble(LoadRun.Result::ackedPerSec)
                  .min()
                  .orElse(0);
          double rate = Math.max(1, Math.round(slowest * o.rateFraction()));
          LoadRun.Spec openSpec =
              new LoadRun.Spec(producers, rate, window, o.bodyBytes(), o.warmup(), o.measure());
          Row open =
              new Row(mode, flush, producers, String.format("%,.0f/s", rate), new ArrayList<>());
          for (int k = 0; k < o.rounds(); k++) {
            List<Target> order = ComparisonRun.rotated(targets.values(), turn++);
            Collections.reverse(order);
            open.rounds().add(measureEach(order, o, openSpec));
          }
          rows.add(open);
        }
      }
    } finally {
      for (Target t : targets.values()) {
        t.consumer().close();
      }
      for (BrokerProcess b : brokers.values()) {
        b.close();
      }
    }
    return rows;
  }

  /**
   * Unmeasured runs, each send mode once per target, so the JIT has compiled both paths of the
   * driver and the brokers before the first measured run; repeated (at most {@link
   * #MAX_WARMUP_PASSES} times) while the driver's JIT compiler threads still use more than {@link
   * #JIT_SETTLED_SHARE} of a CPU. The driver runs one client library against every target, and runs
   * against a second target recompile what the first one's type profile shaped: with one pass, the
   * first measured round ran at half speed while the driver's C2 took a third of a CPU. The
   * brokers' own JIT is part of what each costs (RocketMQ's broker kept compiling at 15–35 % of a
   * CPU through six passes) and is printed, not waited for.
   */
  private static void warmUp(
      Options o, Collection<Target> targets, Collection<BrokerProcess> brokers) throws Exception {
    Duration length = o.initialWarmup();
    for (int pass = 1; ; pass++) {
      double[] jit0 = jitSeconds(brokers);
      long start = System.nanoTime();
      for (Target t : targets) {
        for (String mode : o.modes()) {
          progress(
              "Warm-up %d: %s (%d s, 4 %s producers, not measured)",
              pass, t.name(), length.toSeconds(), mode);
          int window = mode.equals("pipelined") ? o.window() : 0;
          LoadRun.run(t, new LoadRun.Spec(4, 0, window, o.bodyBytes(), Duration.ZERO, length));
        }
      }
      double[] jit1 = jitSeconds(brokers);
      List<String> labels = new ArrayList<>(List.of("driver"));
      brokers.forEach(b -> labels.add(b.kind + " broker"));
      double seconds = (System.nanoTime() - start) / 1e9;
      StringBuilder each = new StringBuilder();
      double share = 0;
      double driverShare = (jit1[0] - jit0[0]) / seconds;
      for (int i = 0; i < jit1.length; i++) {
        double d = (jit1[i] - jit0[i]) / seconds;
        share += d;
        each.append(String.format("%s%s %.0f %%", i == 0 ? "" : ", ", labels.get(i), d * 100));
      }
      progress(
          "Warm-up %d: JIT compiler threads used %.0f %% of a CPU (%s)", pass, share * 100, each);
      if (driverShare <= JIT_SETTLED_SHARE || pass == MAX_WARMUP_PASSES) {
        return;
      }
      length = Duration.ofSeconds(Math.max(3, o.initialWarmup().toSeconds() / 2));
    }
  }

  static final double JIT_SETTLED_SHARE = 0.10;
  static final int MAX_WARMUP_PASSES = 6;

  /** JIT compiler CPU seconds so far: the driver's, then each broker JVM's. */
  private static double[] jitSeconds(Collection<BrokerProcess> brokers) {
    double[] s = new double[brokers.size() + 1];
    s[0] = HostCpu.compilerCpuSeconds(ProcessHandle.current().pid());
    int i = 1;
    for (BrokerProcess b : brokers) {
      s[i++] = HostCpu.compilerCpuSeconds(b.pid());
    }
    return s;
  }

  /** The brokers {@code targets} run on, in order: one per kind, native on the plain Wharf. */
  static List<String> brokerKinds(List<String> targets) {
    Set<String> kinds = new LinkedHashSet<>(List.of("wharf", "rocketmq"));
    for (String t : targets) {
      kinds.add(t.equals("native") ? "wharf" : t);
    }
    return List.copyOf(kinds);
  }

  /** Creates the target's topic, starts its consumer and waits until it owns every queue. */
  private static Target startTarget(
      Options o, String name, String flush, Map<String, BrokerProcess> brokers) throws Exception {
    boolean nativeClient = name.equals("native");
    BrokerProcess b = brokers.get(nativeClient ? "wharf" : name);
    String topic = nativeClient ? NATIVE_TOPIC : TOPIC;
    return startTarget(name, b, nativeClient, topic, o.queues(), name + "-" + flush);
  }

  /**
   * Creates {@code topic} on {@code b}, starts a consumer of the target's client library named
   * {@code consumerName} on it and waits until it owns every queue.
   */
  static Target startTarget(
      String name,
      BrokerProcess b,
      boolean nativeClient,
      String topic,
      int queues,
      String consumerName)
      throws Exception {
    createTopic(b, topic, queues);
    ConsumeTimer timer = new ConsumeTimer();
    BenchConsumer c =
        nativeClient
            ? new NativeLatencyConsumer(b.namesrvAddr, topic, consumerName, timer)
            : new LatencyConsumer(
                b.namesrvAddr, topic, consumerName, timer, BenchSecurity.of(b.kind).clientHook());
    Target t = new Target(name, b, nativeClient, topic, timer, c);
    try {
      c.awaitQueues(queues, Duration.ofSeconds(60));
    } catch (RuntimeException | InterruptedException e) {
      c.close();
      throw e;
    }
    return t;
  }

  /** Runs {@code spec} on each target in {@code order}; results in table order. */
  private static Map<String, LoadRun.Result> measureEach(
      List<Target> order, Options o, LoadRun.Spec spec) throws Exception {
    Map<String, LoadRun.Result> byTarget = new LinkedHashMap<>();
    for (Target t : order) {
      byTarget.put(t.name(), alone(order, t, () -> measured(t, spec)));
    }
    Map<String, LoadRun.Result> m = new LinkedHashMap<>();
    for (String name : o.targets()) {
      m.put(name, byTarget.get(name));
    }
    return m;
  }

  /**
   * Runs {@code m} against {@code t} with every other broker of {@code all} at nice 19 meanwhile:
   * both brokers of a flush mode stay up for the whole run (the targets' order rotates), and the
   * idle one's background threads would otherwise take CPU from the one measured. RocketMQ's idle
   * broker used 5–20 % of a core during Wharf's runs (service threads, JIT), Wharf's idle broker
   * about 1 % during RocketMQ's.
   */
  static <T> T alone(Collection<Target> all, Target t, Callable<T> m) throws Exception {
    Set<BrokerProcess> others = new LinkedHashSet<>();
    for (Target o : all) {
      if (o.broker() != t.broker()) {
        others.add(o.broker());
      }
    }
    others.forEach(b -> b.renice(19));
    try {
      return m.call();
    } finally {
      others.forEach(b -> b.renice(0));
    }
  }

  private static String withSuffix(Path file, String flush) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0
        ? name + "-" + flush
        : name.substring(0, dot) + "-" + flush + name.substring(dot);
  }

  private static LoadRun.Result measured(Target t, LoadRun.Spec spec) throws Exception {
    LoadRun.Result r = LoadRun.run(t, spec);
    progress(
        "%-8s %-5s %-9s %d producer(s) %-10s acked %,9.0f/s consumed %,9.0f/s  e2e p50 %.3f p99 %.3f"
            + " p99.9 %.3f max %.1f ms  ack p99 %.3f ms  broker CPU %.1f s  driver CPU %.1f s"
            + "  msgs/pull %.2f  steal %.0f%% %s%n    threads: %s",
        t.name(),
        t.broker().flush,
        spec.pipelined() ? "pipe" + spec.window() : "blocking",
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
        r.driverCpuSec(),
        r.messagesPerPull(),
        r.stealPercent(),
        r.notes(),
        r.threadUse());
    return r;
  }

  /** Creates {@code topic} with {@code queues} queues on the broker and waits for its route. */
  static void createTopic(BrokerProcess b, String topic, int queues) throws Exception {
    RPCHook signer = BenchSecurity.of(b.kind).adminHook(b.kind);
    DefaultMQAdminExt admin =
        signer == null ? new DefaultMQAdminExt() : new DefaultMQAdminExt(signer);
    admin.setNamesrvAddr(b.namesrvAddr);
    admin.setInstanceName("bench-admin-" + b.kind + "-" + b.flush + "-" + topic);
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
    ComparisonRun.progress(format, args);
  }
}
