package io.wharfmq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A broker restarted in the middle of a stream, under Wharf's own client. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BrokerRestartTest {
  @TempDir Path dir;

  @Test
  void nothingAcknowledgedIsLostAndConsumptionResumesFromCommittedOffsets() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "broker-a")) {
      Broker first = cluster.brokers.get(0);
      BrokerConfig config = first.config().listenPort(first.port());
      cluster.createTopic("Restart", 4);
      Set<String> acked = ConcurrentHashMap.newKeySet();
      Set<String> consumed = ConcurrentHashMap.newKeySet();
      try (Producer producer =
              Producer.builder()
                  .namesrvAddr(cluster.namesrvAddr())
                  .producerGroup("pg-restart")
                  .sendTimeout(Duration.ofSeconds(5))
                  .build();
          PushConsumer consumer =
              PushConsumer.builder()
                  .namesrvAddr(cluster.namesrvAddr())
                  .consumerGroup("cg-restart")
                  .subscribe("Restart", "*")
                  .consumeFrom(ConsumeFrom.FIRST)
                  .commitInterval(Duration.ofMillis(200))
                  .listener(
                      msgs -> {
                        msgs.forEach(
                            m -> consumed.add(new String(m.body(), StandardCharsets.UTF_8)));
                        return ConsumeResult.SUCCESS;
                      })
                  .build()) {
        for (int i = 0; i < 200; i++) {
          send(producer, "before-" + i, acked);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> consumed.containsAll(acked));
        assertThat(consumer.assignment()).hasSize(4);

        first.close();
        cluster.brokers.set(0, Broker.start(config, InstantSource.system())); // same dir and port
        for (int i = 0; i < 200; i++) {
          send(producer, "after-" + i, acked);
        }
        assertThat(acked).hasSizeGreaterThanOrEqualTo(380);
        await("every acknowledged message consumed after the restart")
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(() -> assertThat(consumed).containsAll(acked));
      }
    }
  }

  private static void send(Producer producer, String body, Set<String> acked) {
    try {
      SendResult r = producer.send(Message.of("Restart", body.getBytes(StandardCharsets.UTF_8)));
      if (r.status() == SendStatus.SEND_OK) {
        acked.add(body);
      }
    } catch (ClientException e) {
      // not acknowledged: the broker was restarting
    }
  }
}
