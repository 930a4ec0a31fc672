package io.wharfmq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The POP acceptance scenario at test-suite scale (10,000 messages; the 100,000-message run is
 * PopBenchmark in the benchmarks module): 4 consumers share a topic, each leaves a random 10% of
 * first deliveries unacknowledged; in the end every message is acknowledged exactly once and the
 * unacknowledged ones came back only after their invisibility time, with reconsumeTimes 1.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PopAcceptanceTest {
  static final int MESSAGES = 10_000;
  static final Duration INVISIBLE = Duration.ofMillis(1500);

  @TempDir Path dir;

  @Test
  void everyMessageIsAcknowledgedExactlyOnce() throws Exception {
    long seed = System.nanoTime();
    try (TestCluster cluster = new TestCluster(dir, "broker-a");
        Producer producer =
            Producer.builder().namesrvAddr(cluster.namesrvAddr()).producerGroup("pg").build()) {
      cluster.createTopic("Accept", 8);
      byte[] pad = new byte[200];
      for (int i = 0; i < MESSAGES; i += 50) {
        List<Message> batch = new ArrayList<>();
        for (int j = i; j < i + 50; j++) {
          batch.add(Message.builder("Accept").keys("k" + j).body(pad).build());
        }
        assertThat(producer.sendBatch(batch).status()).isEqualTo(SendStatus.SEND_OK);
      }
      Map<String, AtomicInteger> acks = new ConcurrentHashMap<>();
      Map<String, Long> leftUntil = new ConcurrentHashMap<>();
      Map<String, Long> cameBackAfter = new ConcurrentHashMap<>();
      Map<String, Integer> reconsumeTimes = new ConcurrentHashMap<>();
      AtomicBoolean done = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> workers = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        Random random = new Random(seed + c);
        workers.add(
            pool.submit(
                () -> {
                  try (SimpleConsumer consumer =
                      SimpleConsumer.builder()
                          .namesrvAddr(cluster.namesrvAddr())
                          .consumerGroup("cg-accept")
                          .subscribe("Accept", "*")
                          .awaitDuration(Duration.ofMillis(500))
                          .build()) {
                    while (!done.get()) {
                      for (ReceivedMessage m : consumer.receive(32, INVISIBLE)) {
                        String key = m.view().keys().get(0);
                        long now = System.currentTimeMillis();
                        if (m.view().reconsumeTimes() == 0 && random.nextInt(10) == 0) {
                          leftUntil.put(key, m.invisibleUntil().toEpochMilli());
                          continue;
                        }
                        if (m.view().reconsumeTimes() > 0) {
                          Long left = leftUntil.get(key);
                          cameBackAfter.put(key, left == null ? -1 : now - left);
                          reconsumeTimes.put(key, m.view().reconsumeTimes());
                        }
                        consumer.ack(m);
                        acks.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                      }
                    }
                  }
                  return null;
                }));
      }
      try {
        await("every message acknowledged (seed " + seed + ")")
            .atMost(Duration.ofSeconds(90))
            .until(() -> acks.size() == MESSAGES || workers.stream().anyMatch(Future::isDone));
      } finally {
        done.set(true);
        for (Future<?> w : workers) {
          w.get(30, TimeUnit.SECONDS); // surfaces a worker's exception
        }
        pool.shutdown();
      }
      assertThat(acks).hasSize(MESSAGES);
      assertThat(acks.values()).allSatisfy(n -> assertThat(n).hasValue(1));
      assertThat(leftUntil).hasSizeBetween(MESSAGES / 20, MESSAGES / 5);
      assertThat(cameBackAfter.keySet()).isEqualTo(leftUntil.keySet());
      // Back only once the first delivery's invisibility (popTime + 1.5 s, broker clock) ended.
      assertThat(cameBackAfter.values()).allSatisfy(ms -> assertThat(ms).isNotNegative());
      assertThat(reconsumeTimes.values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
    }
  }
}
