package io.wharfmq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TwoBrokersTest {
  @TempDir Path dir;

  @Test
  void producerSpreadsOverBrokersAndSurvivesOneClosing() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "broker-a", "broker-b")) {
      String topic = "T_two";
      cluster.createTopic(topic, 4);
      // A dead name server first: the producer must fail over to the live one.
      String namesrv = "127.0.0.1:1;" + cluster.namesrvAddr();
      try (Producer producer =
          Producer.builder().namesrvAddr(namesrv).sendTimeout(Duration.ofSeconds(5)).build()) {
        Set<String> brokers = new HashSet<>();
        for (int i = 0; i < 16; i++) {
          SendResult r =
              producer.send(Message.of(topic, ("m" + i).getBytes(StandardCharsets.UTF_8)));
          brokers.add(r.queue().brokerName());
        }
        assertThat(brokers).containsExactlyInAnyOrder("broker-a", "broker-b");

        cluster.brokers.get(0).close();
        // Closing unregisters: the name server routes only broker-b now.
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.routedBrokers(topic) == 1);
        for (int i = 0; i < 16; i++) {
          SendResult r =
              producer.send(Message.of(topic, ("after" + i).getBytes(StandardCharsets.UTF_8)));
          assertThat(r.status()).isEqualTo(SendStatus.SEND_OK);
          assertThat(r.queue().brokerName()).isEqualTo("broker-b");
        }
      }
    }
  }
}
