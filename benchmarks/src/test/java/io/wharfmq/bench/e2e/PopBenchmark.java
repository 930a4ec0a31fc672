package io.wharfmq.bench.e2e;

import io.wharfmq.testing.RocketMqPopCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.rocketmq.client.consumer.AckResult;
import org.apache.rocketmq.client.consumer.AckStatus;
import org.apache.rocketmq.client.consumer.PopResult;
import org.apache.rocketmq.client.consumer.PopStatus;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * POP benchmark and the full-scale POP acceptance run: N messages (1 KiB, unique keys) are stored
 * first; then C consumers (each its own official RocketMQ client instance, MQClientAPIImpl pop with
 * queueId -1 and pipelined asynchronous acks) drain them, leaving a random fraction of first
 * deliveries unacknowledged. Checked at the end: every key acknowledged exactly once, and every
 * left message delivered again only after its invisibility ended. Measured: pop+ack throughput of
 * the first pass (until every first delivery is in), total drain time, and ack round-trip latency.
 * Runs against a Wharf broker and an Apache RocketMQ 5.3.x broker (timer wheel on, as POP needs),
 * each in its own child JVM ({@link BrokerProcess}), in the same run. Prints markdown.
 */
public final class PopBenchmark {
  static final String TOPIC = "BenchPop";
  static final String GROUP = "bench-pop";

  private PopBenchmark() {}

  record Options(
      List<String> kinds,
      int messages,
      int consumers,
      int bodyBytes,
      int queues,
      double unacked,
      Duration invisible,
      int rounds) {
    static Options parse(String[] args) {
      List<String> kinds = List.of("wharf", "rocketmq-pop");
      int messages = 100_000;
      int consumers = 4;
      int size = 1024;
      int queues = 8;
      double unacked = 0.1;
      Duration invisible = Duration.ofSeconds(10);
      int rounds = 1;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--help" -> {
            System.out.println(USAGE);
            System.exit(0);
          }
          case "--brokers" -> kinds = Arrays.asList(args[++i].toLowerCase(Locale.ROOT).split(","));
          case "--messages" -> messages = Integer.parseInt(args[++i]);
          case "--consumers" -> consumers = Integer.parseInt(args[++i]);
          case "--size" -> size = Integer.parseInt(args[++i]);
          case "--queues" -> queues = Integer.parseInt(args[++i]);
          case "--unacked" -> unacked = Double.parseDouble(args[++i]);
          case "--invisible-seconds" -> invisible = Duration.ofSeconds(Long.parseLong(args[++i]));
          case "--rounds" -> rounds = Integer.parseInt(args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
        }
      }
      return new Options(kinds, messages, consumers, size, queues, unacked, invisible, rounds);
    }
  }

  static final String USAGE =
      """
      bin/bench-pop [options]
        --brokers wharf,rocketmq-pop  brokers to measure (each in its own child JVM, ASYNC flush)
        --messages 100000             messages stored before the consumers start
        --consumers 4                 consumers (one official client instance each)
        --size 1024                   body bytes
        --queues 8                    queues of the topic
        --unacked 0.1                 fraction of first deliveries left unacknowledged
        --invisible-seconds 10        invisibility time of every pop
        --rounds 1                    runs per broker (fresh broker each; medians reported)
      """;

  /** One broker's run. */
  record Result(
      String kind,
      double firstPassSeconds,
      double totalSeconds,
      double popAckPerSecond,
      long left,
      double ackP50Ms,
      double ackP99Ms,
      double minComebackSeconds,
      String verdict) {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Path root = Files.createTempDirectory("wharf-bench-pop-");
    System.setProperty("rocketmq.client.logRoot", root.resolve("client-logs").toString());
    System.setProperty("rocketmq.client.logLevel", "WARN");
    List<Result> results = new ArrayList<>();
    try {
      for (int round = 0; round < o.rounds(); round++) {
        for (String kind : o.kinds()) {
          try (BrokerProcess b = BrokerProcess.start(kind, "ASYNC", root, null)) {
            createTopic(b, o.queues());
            results.add(run(b, o));
          }
        }
      }
    } finally {
      BrokerProcess.deleteTree(root);
    }
    System.out.println(table(results, o));
    System.exit(0);
  }

  /** Creates the topic, trying again when the shared machine is too busy to answer in time. */
  private static void createTopic(BrokerProcess b, int queues) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        E2eBenchmark.createTopic(b, TOPIC, queues);
        return;
      } catch (org.apache.rocketmq.remoting.exception.RemotingException e) {
        if (attempt == 5) {
          throw e;
        }
        E2eBenchmark.progress("%s: topic creation timed out, again", b.kind);
      }
    }
  }

  private static Result run(BrokerProcess b, Options o) throws Exception {
    String brokerName = b.kind.equals("wharf") ? "wharf-a" : "rocketmq-a";
    E2eBenchmark.progress("%s: storing %d messages", b.kind, o.messages());
    List<DefaultMQProducer> clients = new ArrayList<>();
    try {
      for (int c = 0; c <= o.consumers(); c++) {
        DefaultMQProducer p = new DefaultMQProducer("bench-pop-client-" + c);
        p.setNamesrvAddr(b.namesrvAddr);
        p.setInstanceName("bench-pop-" + b.kind + "-" + c + "-" + System.nanoTime());
        p.start();
        clients.add(p);
      }
      preload(clients.get(0), o);
      return drain(b, brokerName, clients.subList(1, clients.size()), o);
    } finally {
      for (DefaultMQProducer p : clients) {
        p.shutdown();
      }
    }
  }

  private static void preload(DefaultMQProducer p, Options o) throws Exception {
    byte[] body = new byte[o.bodyBytes()];
    int batch = 32;
    for (int i = 0; i < o.messages(); i += batch) {
      List<Message> msgs = new ArrayList<>();
      for (int j = i; j < Math.min(o.messages(), i + batch); j++) {
        Message m = new Message(TOPIC, "T", body);
        m.setKeys("k" + j);
        msgs.add(m);
      }
      if (p.send(msgs).getSendStatus() != SendStatus.SEND_OK) {
        throw new IllegalStateException("preload batch at " + i + " not stored");
      }
    }
  }

  @SuppressWarnings("deprecation") // getDefaultMQProducerImpl: the way to the client's API object
  private static Result drain(
      BrokerProcess b, String brokerName, List<DefaultMQProducer> clients, Options o)
      throws Exception {
    Map<String, AtomicInteger> acks = new ConcurrentHashMap<>();
    Map<String, Long> leftUntil = new ConcurrentHashMap<>();
    Map<String, Long> comebackAfter = new ConcurrentHashMap<>();
    Map<String, Boolean> seen = new ConcurrentHashMap<>();
    Histogram ackLatency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong firstPassEnd = new AtomicLong();
    AtomicInteger ackFailures = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(o.consumers());
    List<Future<?>> workers = new ArrayList<>();
    E2eBenchmark.progress("%s: %d consumers draining", b.kind, o.consumers());
    long start = System.nanoTime();
    for (int c = 0; c < o.consumers(); c++) {
      MQClientAPIImpl api =
          clients.get(c).getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl();
      Random random = new Random(c);
      Semaphore window = new Semaphore(256);
      workers.add(
          pool.submit(
              () -> {
                while (!done.get()) {
                  PopResult r = pop(api, b.brokerAddr, brokerName, o.invisible().toMillis());
                  if (r.getPopStatus() != PopStatus.FOUND) {
                    continue;
                  }
                  long now = System.currentTimeMillis();
                  for (MessageExt m : r.getMsgFoundList()) {
                    String key = m.getKeys();
                    if (seen.putIfAbsent(key, Boolean.TRUE) == null
                        && seen.size() == o.messages()) {
                      firstPassEnd.compareAndSet(0, System.nanoTime());
                    }
                    if (m.getReconsumeTimes() == 0 && random.nextDouble() < o.unacked()) {
                      leftUntil.putIfAbsent(key, r.getPopTime() + r.getInvisibleTime());
                      continue;
                    }
                    Long until = leftUntil.get(key);
                    if (until != null) {
                      comebackAfter.putIfAbsent(key, now - until);
                    }
                    window.acquireUninterruptibly();
                    long sent = System.nanoTime();
                    ack(api, b.brokerAddr, m)
                        .whenComplete(
                            (a, e) -> {
                              window.release();
                              if (e == null && a.getStatus() == AckStatus.OK) {
                                RunWindow.record(ackLatency, System.nanoTime() - sent);
                                acks.computeIfAbsent(key, k -> new AtomicInteger())
                                    .incrementAndGet();
                              } else {
                                ackFailures.incrementAndGet();
                              }
                            });
                  }
                }
                return null;
              }));
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (acks.size() < o.messages() && System.nanoTime() < deadline) {
      for (Future<?> w : workers) {
        if (w.isDone()) {
          w.get(); // a worker failed: surface it
        }
      }
      TimeUnit.MILLISECONDS.sleep(20); // benchmark driver polling its own counters
    }
    long end = System.nanoTime();
    done.set(true);
    pool.shutdown();
    pool.awaitTermination(30, TimeUnit.SECONDS);
    long twice = acks.values().stream().filter(n -> n.get() != 1).count();
    long early = comebackAfter.values().stream().filter(ms -> ms < 0).count();
    String verdict =
        acks.size() == o.messages() && twice == 0 && early == 0
            ? "ok: every key acked exactly once"
            : "FAILED: acked "
                + acks.size()
                + "/"
                + o.messages()
                + ", acked more than once "
                + twice
                + ", back before invisibility end "
                + early
                + ", ack failures "
                + ackFailures.get();
    double firstPass = ((firstPassEnd.get() == 0 ? end : firstPassEnd.get()) - start) / 1e9;
    long min = comebackAfter.values().stream().mapToLong(Long::longValue).min().orElse(-1);
    Result r =
        new Result(
            b.kind,
            firstPass,
            (end - start) / 1e9,
            o.messages() / firstPass,
            leftUntil.size(),
            ackLatency.getValueAtPercentile(50) / 1e6,
            ackLatency.getValueAtPercentile(99) / 1e6,
            min / 1000.0 + o.invisible().toSeconds(),
            verdict);
    E2eBenchmark.progress("%s: %s", b.kind, r);
    return r;
  }

  private static PopResult pop(
      MQClientAPIImpl api, String addr, String brokerName, long invisibleMillis) throws Exception {
    return RocketMqPopCalls.pop(
        api,
        brokerName,
        addr,
        RocketMqPopCalls.request(GROUP, TOPIC, -1, invisibleMillis, 1000),
        15_000);
  }

  private static CompletableFuture<AckResult> ack(MQClientAPIImpl api, String addr, MessageExt m)
      throws Exception {
    return RocketMqPopCalls.ack(api, addr, GROUP, m, 10_000);
  }

  static String table(List<Result> results, Options o) {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "POP: %d messages of %d B, %d consumers, %d queues, %.0f%% of first deliveries left"
                + " unacknowledged, invisibility %d s%n%n",
            o.messages(),
            o.bodyBytes(),
            o.consumers(),
            o.queues(),
            o.unacked() * 100,
            o.invisible().toSeconds()));
    s.append(
        "| broker | first pass s | pop+ack msg/s | total drain s | left | ack p50 ms | ack p99 ms"
            + " | earliest comeback s | check |\n");
    s.append("|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      s.append(
          String.format(
              Locale.ROOT,
              "| %s | %.1f | %.0f | %.1f | %d | %.2f | %.2f | %.1f | %s |%n",
              r.kind(),
              r.firstPassSeconds(),
              r.popAckPerSecond(),
              r.totalSeconds(),
              r.left(),
              r.ackP50Ms(),
              r.ackP99Ms(),
              r.minComebackSeconds(),
              r.verdict()));
    }
    Map<String, List<Double>> rates = new ConcurrentHashMap<>();
    for (Result r : results) {
      rates.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r.popAckPerSecond());
    }
    if (rates.containsKey("wharf") && rates.containsKey("rocketmq-pop")) {
      s.append(
          String.format(
              Locale.ROOT,
              "%nMedian pop+ack throughput Wharf / RocketMQ: %.2f%n",
              median(rates.get("wharf")) / median(rates.get("rocketmq-pop"))));
    }
    return s.toString();
  }

  private static double median(List<Double> v) {
    return Medians.of(v.stream().mapToDouble(Double::doubleValue).toArray());
  }
}
