package io.wharfmq.bench.amqp;

import io.wharfmq.bench.e2e.ComparisonOptions;
import io.wharfmq.bench.e2e.ComparisonRun;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * AMQP 1.0 benchmark (bin/bench-amqp): one client, Qpid JMS, against Wharf's AMQP listener,
 * ActiveMQ Artemis (embedded in a child JVM, AMQP acceptor, persistence on) and RabbitMQ 3.10 with
 * its AMQP 1.0 plugin (Debian's package, its own node), all started in the same run on free
 * 127.0.0.1 ports with data in temp directories deleted afterwards. Persistent 1 KiB messages to a
 * durable queue (a fresh one per run, deleted after it), 1 and 4 producers and one consumer.
 *
 * <p>Two durability groups, each compared only within itself: <b>SYNC</b> (a send is answered once
 * the broker has synced it: Wharf {@code flushDiskType=SYNC_FLUSH}, Artemis' and RabbitMQ's
 * defaults) and <b>ASYNC</b> (answered once written, synced later: Wharf ASYNC_FLUSH, Artemis with
 * {@code journal-sync-non-transactional=false}; RabbitMQ has no such mode for persistent messages
 * on a classic queue and is left out). Per group, send mode and producer count: a max-rate run on
 * each broker and, for blocking sends, an open-loop run on each at the same offered load (a
 * fraction of the slowest broker's maximum), so p99s compare. Prints a markdown table with the
 * ratios Wharf/Artemis and Wharf/RabbitMQ on stdout; progress on stderr. Single-threaded driver.
 */
public final class AmqpBenchmark {
  /** Prefix of the queue names: each run sends to and consumes from a fresh durable queue. */
  static final String QUEUE = "BenchAmqp";

  /** Table columns, in order. */
  static final List<String> TARGETS = List.of("wharf", "artemis", "rabbitmq");

  static final List<String> SENDS = List.of("blocking", "async");

  private AmqpBenchmark() {}

  record Options(
      List<String> durability,
      List<Integer> producers,
      List<String> sends,
      List<String> targets,
      int bodyBytes,
      Duration warmup,
      Duration measure,
      Duration initialWarmup,
      double rateFraction,
      int rounds,
      Path dir) {
    static Options parse(String[] args) {
      // Run lengths in seconds: unmeasured start of each run, measured part, initial warm-up.
      ComparisonOptions c = new ComparisonOptions(args, USAGE, TARGETS, 3, 10, 8);
      List<String> durability = List.of("SYNC", "ASYNC");
      List<String> sends = SENDS;
      for (String a = c.next(); a != null; a = c.next()) {
        switch (a) {
          case "--quick" -> {
            durability = List.of("SYNC");
            c.runLengths(2, 5, 4);
          }
          case "--durability" ->
              durability = Arrays.asList(c.value().toUpperCase(Locale.ROOT).split(","));
          case "--sends" -> sends = Arrays.asList(c.value().toLowerCase(Locale.ROOT).split(","));
          default -> throw c.unknown(a);
        }
      }
      c.check(TARGETS);
      if (!SENDS.containsAll(sends) || !List.of("SYNC", "ASYNC").containsAll(durability)) {
        throw new IllegalArgumentException("bad --sends or --durability\n" + USAGE);
      }
      // Table order, whatever order was given.
      List<String> targets = TARGETS.stream().filter(c.targets()::contains).toList();
      return new Options(
          durability,
          c.producers(),
          sends,
          targets,
          c.bodyBytes(),
          c.warmup(),
          c.measure(),
          c.initialWarmup(),
          c.rateFraction(),
          c.rounds(),
          c.dir());
    }

    JmsComparison.Settings settings() {
      return new JmsComparison.Settings(
          producers, sends, bodyBytes, warmup, measure, initialWarmup, rateFraction, rounds);
    }
  }

  /** The usage lines of the options {@link JmsComparison} runs by, shared with bin/bench-jms. */
  static final String RUN_USAGE =
      """
        --size 1024                 body bytes
        --warmup-seconds 3          per run, not measured
        --seconds 10                measured part of each run
        --initial-warmup-seconds 8  one unmeasured run per target and send mode after the
                                    brokers of a group have started (JIT warm-up)
        --rate-fraction 0.5         equal-load rows: this fraction of the slowest target's
                                    maximum (blocking sends only)
        --rounds 1                  measure every cell this many times, targets in rotating
                                    order; each target's median round is shown, ratios are the
                                    median of the per-round ratios
        --dir <dir>                 parent of the temp data directories (default java.io.tmpdir)
      """;

  static final String USAGE =
      """
      bin/bench-amqp [options]
        --quick                     SYNC group only, 2 s warm-up + 5 s per run
        --durability SYNC,ASYNC     SYNC: Wharf SYNC_FLUSH, Artemis and RabbitMQ defaults;
                                    ASYNC: Wharf ASYNC_FLUSH, Artemis journal sync off
                                    (RabbitMQ has no such mode: not in this group)
        --producers 1,4             producer threads (one connection each); one consumer
        --sends blocking,async      blocking: Qpid JMS' default persistent send (returns once the
                                    broker accepted the message); async: jms.forceAsyncSend=true,
                                    the consumer's rate is the figure
        --targets wharf,artemis,rabbitmq
      """
          + RUN_USAGE
          + """
            --fanout 10,100             fan-out mode instead: a topic exchange with that many bound
                                        queues, Wharf against RabbitMQ (--fanout 10 --help for its
                                        options)
          """;

  public static void main(String[] args) throws Exception {
    if (Arrays.asList(args).contains("--fanout")) {
      FanoutBenchmark.main(args);
      return;
    }
    Options o = Options.parse(args);
    Instant started = Instant.now();
    Map<String, String> setup = new LinkedHashMap<>();
    List<AmqpReport.Row> rows =
        JmsComparison.runGroups(
            o.dir(),
            "wharf-bench-amqp-",
            o.durability(),
            setup,
            (d, root, st) -> runGroup(o, d, root, st));
    System.out.println(AmqpReport.table(rows, setup, o));
    System.out.println(AmqpReport.goals(rows));
    progress("Done in %d s", Duration.between(started, Instant.now()).toSeconds());
    // Qpid JMS and Artemis client threads may linger.
    System.exit(0);
  }

  /**
   * Starts the group's brokers, warms them up and measures every row ({@link JmsComparison}). A
   * broker that cannot run here (no AMQP listener in this Wharf build, RabbitMQ not installed) is
   * recorded in {@code setup} and left out of the group's rows.
   */
  private static List<AmqpReport.Row> runGroup(
      Options o, String durability, Path root, Map<String, String> setup) throws Exception {
    List<AmqpBroker> started = new ArrayList<>();
    try {
      Map<String, JmsTarget> brokers = new LinkedHashMap<>();
      for (String kind : o.targets()) {
        String key = kind + " " + durability;
        if (kind.equals("rabbitmq") && durability.equals("ASYNC")) {
          continue;
        }
        progress("Starting %s, %s group", kind, durability);
        try {
          AmqpBroker b = start(kind, durability, root);
          started.add(b);
          brokers.put(kind, b);
          setup.put(key, b.durability());
        } catch (WharfBroker.NotAvailableException e) {
          setup.put(key, "not available: " + e.getMessage());
          progress("%s not available: %s", kind, e.getMessage());
        } catch (RabbitMqNotInstalledException e) {
          setup.put(key, "not available: " + e.getMessage());
          progress("%s not available: %s", kind, e.getMessage());
        }
      }
      return JmsComparison.measure(o.settings(), durability, brokers, setup);
    } finally {
      for (AmqpBroker b : started) {
        progress("Stopping %s", b.kind());
        b.close();
      }
    }
  }

  /** RabbitMQ's package is missing and this run may not install it. */
  static final class RabbitMqNotInstalledException extends Exception {
    private static final long serialVersionUID = 1L;

    RabbitMqNotInstalledException(String message) {
      super(message);
    }
  }

  private static AmqpBroker start(String kind, String durability, Path root) throws Exception {
    boolean sync = durability.equals("SYNC");
    return switch (kind) {
      case "wharf" -> WharfBroker.start(root, sync ? "SYNC_FLUSH" : "ASYNC_FLUSH");
      case "artemis" -> ArtemisBroker.start(root, sync);
      case "rabbitmq" -> {
        if (!RabbitMqBroker.installed()) {
          throw new RabbitMqNotInstalledException(
              "rabbitmq-server is not installed (bin/install-bench-deps installs it, as root)");
        }
        yield RabbitMqBroker.start(root);
      }
      default -> throw new IllegalArgumentException(kind);
    };
  }

  static void progress(String format, Object... args) {
    ComparisonRun.progress(format, args);
  }
}
