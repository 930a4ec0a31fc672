package io.wharfmq.bench.nativeclient;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.client.ConsumeFrom;
import io.wharfmq.client.ConsumeResult;
import io.wharfmq.client.Message;
import io.wharfmq.client.MessageListener;
import io.wharfmq.client.Producer;
import io.wharfmq.client.PushConsumer;
import io.wharfmq.namesrv.NameServer;
import io.wharfmq.namesrv.NamesrvConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * What the native push consumer's retry and lock features cost, against a Wharf name server and
 * broker in this JVM: the time to consume a pre-filled topic (N messages, 4 queues, 100 sharding
 * keys) with a concurrent listener (baseline), an orderly listener holding broker queue locks, and
 * a concurrent listener that fails every message once so that each is sent back
 * (CONSUMER_SEND_MSG_BACK) before its redelivery. Each scenario runs in a fresh consumer group,
 * several times; medians and ratios to the baseline go to stdout as a markdown table.
 *
 * <pre>
 * ./mvnw -q -B -pl benchmarks -am install -DskipTests
 * ./mvnw -q -B -pl benchmarks dependency:build-classpath -Dmdep.includeScope=test \
 *     -Dmdep.outputFile=$PWD/benchmarks/target/bench-classpath.txt
 * java -Xmx1g -cp benchmarks/target/test-classes:$(cat benchmarks/target/bench-classpath.txt) \
 *     io.wharfmq.bench.nativeclient.NativeConsumeBenchmark [messages] [runs]
 * </pre>
 *
 * Not thread-safe; a main program.
 */
public final class NativeConsumeBenchmark {
  private static final String TOPIC = "Bench";
  private static final int KEYS = 100;

  private NativeConsumeBenchmark() {}

  /** One way of consuming: builds the listener for a run that must see {@code n} bodies. */
  private record Scenario(String name, boolean orderly, Function<Set<String>, MessageListener> l) {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path dir = Files.createTempDirectory("wharf-native-bench");
    NameServer namesrv = new NameServer(new NamesrvConfig().listenPort(0).bindAddress("127.0.0.1"));
    namesrv.start();
    String ns = "127.0.0.1:" + namesrv.port();
    BrokerConfig config =
        new BrokerConfig(dir.resolve("broker-a"))
            .brokerName("broker-a")
            .listenPort(0)
            .bindAddress("127.0.0.1")
            .brokerIP1("127.0.0.1")
            .namesrvAddr(ns)
            // Retries come back after level 3: 30 ms here, so the run measures send-back work.
            .messageDelayLevel("10ms 20ms 30ms 40ms 50ms 60ms");
    Broker broker = Broker.start(config, InstantSource.system());
    broker.registerNow();
    try (Producer producer = Producer.builder().namesrvAddr(ns).producerGroup("bench-pg").build()) {
      for (int i = 0; i < n; i++) {
        String key = "k" + (i % KEYS);
        byte[] body = (key + ":" + i).getBytes(StandardCharsets.UTF_8);
        producer.send(Message.builder(TOPIC).body(body).build(), key);
      }
    }
    List<Scenario> scenarios =
        List.of(
            new Scenario("concurrent, all succeed (baseline)", false, seen -> succeed(seen)),
            new Scenario("orderly with broker locks", true, seen -> succeed(seen)),
            new Scenario("concurrent, each fails once (send-back)", false, seen -> failOnce(seen)));
    System.err.printf("%d messages on 4 queues, %d runs per scenario%n", n, runs);
    System.out.println("| scenario | median s | msg/s | ratio to baseline |");
    System.out.println("|---|---|---|---|");
    double baseline = 0;
    int group = 0;
    for (Scenario s : scenarios) {
      List<Double> seconds = new ArrayList<>();
      for (int r = 0; r < runs; r++) {
        seconds.add(run(ns, "bench-cg-" + group++, s, n));
        System.err.printf("%s run %d: %.2f s%n", s.name(), r + 1, seconds.get(r));
      }
      Collections.sort(seconds);
      double median = seconds.get(seconds.size() / 2);
      if (baseline == 0) {
        baseline = median;
      }
      System.out.printf(
          "| %s | %.2f | %.0f | %.2f |%n", s.name(), median, n / median, median / baseline);
    }
    broker.close();
    namesrv.shutdown();
  }

  private static MessageListener succeed(Set<String> seen) {
    return msgs -> {
      msgs.forEach(m -> seen.add(new String(m.body(), StandardCharsets.UTF_8)));
      return ConsumeResult.SUCCESS;
    };
  }

  private static MessageListener failOnce(Set<String> seen) {
    return msgs -> {
      if (msgs.get(0).reconsumeTimes() == 0) {
        return ConsumeResult.RETRY_LATER;
      }
      msgs.forEach(m -> seen.add(new String(m.body(), StandardCharsets.UTF_8)));
      return ConsumeResult.SUCCESS;
    };
  }

  /** Seconds from the consumer's start until it has consumed all {@code n} messages. */
  private static double run(String ns, String group, Scenario s, int n) throws Exception {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    CompletableFuture<Void> all = new CompletableFuture<>();
    MessageListener inner = s.l().apply(seen);
    MessageListener listener =
        msgs -> {
          ConsumeResult r = inner.consume(msgs);
          if (seen.size() >= n) {
            all.complete(null);
          }
          return r;
        };
    long start = System.nanoTime();
    PushConsumer.Builder b =
        PushConsumer.builder()
            .namesrvAddr(ns)
            .consumerGroup(group)
            .subscribe(TOPIC, "*")
            .consumeFrom(ConsumeFrom.FIRST);
    try (PushConsumer c =
        (s.orderly() ? b.orderlyListener(listener) : b.listener(listener)).build()) {
      try {
        all.get(5, TimeUnit.MINUTES);
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            s.name() + ": " + c.clientId() + " consumed only " + seen.size() + " of " + n, e);
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }
}
