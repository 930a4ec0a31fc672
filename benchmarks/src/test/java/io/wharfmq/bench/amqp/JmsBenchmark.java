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
 * JMS provider benchmark (bin/bench-jms, issue 14): Wharf's own jakarta.jms provider over the
 * native protocol against a real Wharf process ("ours"), Qpid JMS against the same process's AMQP
 * listener ("qpid") and the Artemis JMS client over its core protocol against ActiveMQ Artemis
 * embedded in a child JVM with persistence on ("artemis"), all started in the same run on free
 * 127.0.0.1 ports with data in temp directories deleted afterwards. Persistent 1 KiB messages to a
 * queue (a fresh one per run), 1 and 4 producer sessions (one connection each) and one consumer;
 * the load, the rows and the rounds are bin/bench-amqp's ({@link JmsComparison}, {@link JmsLoad}).
 *
 * <p>Durability groups, each compared only within itself: <b>SYNC</b> (Wharf {@code
 * flushDiskType=SYNC_FLUSH}, Artemis' synchronous journal, its default) and <b>ASYNC</b> (Wharf
 * ASYNC_FLUSH, Artemis with {@code journal-sync-non-transactional=false}). Asynchronous sends are
 * {@code send(message, CompletionListener)} for our provider and Artemis, {@code
 * jms.forceAsyncSend} for Qpid JMS; the consumer's rate is their figure. Prints a markdown table
 * with the ratios ours/Artemis and ours/Qpid-on-Wharf on stdout; progress on stderr.
 */
public final class JmsBenchmark {
  /** Table columns, in order. */
  static final List<String> TARGETS = List.of("ours", "qpid", "artemis");

  private static final Map<String, String> LETTER =
      Map.of("ours", "O", "qpid", "Q", "artemis", "A");

  private JmsBenchmark() {}

  static final String USAGE =
      """
      bin/bench-jms [options]
        --quick                     2 s warm-up + 5 s per run (both durability groups)
        --durability SYNC,ASYNC     SYNC: Wharf SYNC_FLUSH, Artemis' synchronous journal;
                                    ASYNC: Wharf ASYNC_FLUSH, Artemis journal sync off
        --producers 1,4             producer sessions (one connection each); one consumer
        --sends blocking,async      blocking: MessageProducer.send; async: send with a
                                    CompletionListener (ours, Artemis) or jms.forceAsyncSend
                                    (Qpid JMS), the consumer's rate is the figure
        --targets ours,qpid,artemis ours: Wharf's provider on Wharf; qpid: Qpid JMS on Wharf's
                                    AMQP listener; artemis: Artemis JMS client, core protocol
      """
          + AmqpBenchmark.RUN_USAGE;

  record Options(
      List<String> durability, List<String> targets, JmsComparison.Settings settings, Path dir) {
    static Options parse(String[] args) {
      ComparisonOptions c = new ComparisonOptions(args, USAGE, TARGETS, 3, 10, 8);
      List<String> durability = List.of("SYNC", "ASYNC");
      List<String> sends = AmqpBenchmark.SENDS;
      for (String a = c.next(); a != null; a = c.next()) {
        switch (a) {
          case "--quick" -> c.runLengths(2, 5, 4);
          case "--durability" ->
              durability = Arrays.asList(c.value().toUpperCase(Locale.ROOT).split(","));
          case "--sends" -> sends = Arrays.asList(c.value().toLowerCase(Locale.ROOT).split(","));
          default -> throw c.unknown(a);
        }
      }
      c.check(TARGETS);
      if (!AmqpBenchmark.SENDS.containsAll(sends)
          || !List.of("SYNC", "ASYNC").containsAll(durability)) {
        throw new IllegalArgumentException("bad --sends or --durability\n" + USAGE);
      }
      return new Options(
          durability,
          TARGETS.stream().filter(c.targets()::contains).toList(),
          new JmsComparison.Settings(
              c.producers(),
              sends,
              c.bodyBytes(),
              c.warmup(),
              c.measure(),
              c.initialWarmup(),
              c.rateFraction(),
              c.rounds()),
          c.dir());
    }
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Instant started = Instant.now();
    Map<String, String> setup = new LinkedHashMap<>();
    List<AmqpReport.Row> rows =
        JmsComparison.runGroups(
            o.dir(),
            "wharf-bench-jms-",
            o.durability(),
            setup,
            (d, root, st) -> runGroup(o, d, root, st));
    JmsComparison.Settings s = o.settings();
    AmqpReport.Columns cols = new AmqpReport.Columns(o.targets(), LETTER, "ours", goals());
    String intro =
        String.format(
            Locale.ROOT,
            "%nPersistent %d B BytesMessages to a queue (a fresh one per run), one consumer"
                + " (AUTO_ACKNOWLEDGE, a MessageListener); %d s warm-up + %d s measured per run,"
                + " %d round(s) per cell (each target's median round shown, ratios = median of the"
                + " per-round ratios). msg/s: sends that returned in the window (blocking),"
                + " messages the consumer received in the window (async: CompletionListener for O"
                + " and A, at most %d in flight per producer; jms.forceAsyncSend for Q). send p50:"
                + " time inside MessageProducer.send. e2e: receive time - intended send time (ms)."
                + " O = Wharf's JMS provider (native protocol), Q = Qpid JMS on Wharf's AMQP"
                + " listener, A = Artemis JMS client on ActiveMQ Artemis (core protocol).%n%n",
            s.bodyBytes(),
            s.warmup().toSeconds(),
            s.measure().toSeconds(),
            s.rounds(),
            JmsLoad.ASYNC_IN_FLIGHT);
    System.out.println(AmqpReport.table(rows, setup, intro, cols));
    System.out.println(
        AmqpReport.goals(
            rows,
            "Goal (issue 14: ours / Artemis >= 1.5 in throughput at max rate, p99 <= 1.0 at the"
                + " same offered load; ours / Qpid-on-Wharf for information):\n",
            new AmqpReport.Columns(o.targets(), LETTER, "ours", Map.of("artemis", 1.5))));
    ComparisonRun.progress("Done in %d s", Duration.between(started, Instant.now()).toSeconds());
    // JMS client threads may linger.
    System.exit(0);
  }

  /** Ratio columns: ours against Artemis (goal 1.5) and against Qpid JMS on the same Wharf. */
  private static Map<String, Double> goals() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("artemis", 1.5);
    m.put("qpid", Double.NaN);
    return m;
  }

  /** Starts Wharf and Artemis for the group, measures every row, stops them. */
  private static List<AmqpReport.Row> runGroup(
      Options o, String durability, Path root, Map<String, String> setup) throws Exception {
    boolean sync = durability.equals("SYNC");
    List<AmqpBroker> started = new ArrayList<>();
    try {
      Map<String, JmsTarget> targets = new LinkedHashMap<>();
      boolean wantsWharf = o.targets().contains("ours") || o.targets().contains("qpid");
      if (wantsWharf) {
        ComparisonRun.progress("Starting wharf, %s group", durability);
        WharfBroker w = WharfBroker.start(root, sync ? "SYNC_FLUSH" : "ASYNC_FLUSH");
        started.add(w);
        setup.put("wharf " + durability, w.durability());
        if (o.targets().contains("ours")) {
          targets.put("ours", JmsClients.wharfProvider(w));
        }
        if (o.targets().contains("qpid")) {
          targets.put("qpid", JmsClients.qpidOnWharf(w));
        }
      }
      if (o.targets().contains("artemis")) {
        ComparisonRun.progress("Starting artemis, %s group", durability);
        ArtemisBroker a = ArtemisBroker.start(root, sync);
        started.add(a);
        setup.put("artemis " + durability, a.durability());
        targets.put("artemis", JmsClients.artemisCore(a));
      }
      return JmsComparison.measure(o.settings(), durability, targets, setup);
    } finally {
      for (AmqpBroker b : started) {
        ComparisonRun.progress("Stopping %s", b.kind());
        b.close();
      }
    }
  }
}
