package io.wharfmq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Delivery times set with {@link Message.Builder#deliverAt} and {@link Message.Builder#delay}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimerMessageTest {
  @TempDir Path dir;
  TestCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(dir, "broker-a");
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void timedMessagesArriveNotBeforeTheirTime() throws Exception {
    String topic = "T_timer";
    cluster.createTopic(topic, 2);
    Map<String, Long> arrived = new ConcurrentHashMap<>();
    try (Producer producer = Producer.builder().namesrvAddr(cluster.namesrvAddr()).build();
        PushConsumer consumer =
            PushConsumer.builder()
                .namesrvAddr(cluster.namesrvAddr())
                .consumerGroup("cg_timer")
                .subscribe(topic, "*")
                .consumeFrom(ConsumeFrom.FIRST)
                .listener(
                    msgs -> {
                      long now = System.currentTimeMillis();
                      msgs.forEach(
                          m -> arrived.put(new String(m.body(), StandardCharsets.UTF_8), now));
                      return ConsumeResult.SUCCESS;
                    })
                .build()) {
      long sentAt = System.currentTimeMillis();
      Instant at = Instant.ofEpochMilli(sentAt + 1_500);
      producer.send(Message.builder(topic).deliverAt(at).body(bytes("at")).build());
      producer.send(
          Message.builder(topic).delay(Duration.ofMillis(700)).body(bytes("delayed")).build());
      producer.send(Message.builder(topic).body(bytes("plain")).build());
      await().atMost(Duration.ofSeconds(20)).until(() -> arrived.size() == 3);
      assertThat(arrived.get("at")).isGreaterThanOrEqualTo(at.toEpochMilli());
      assertThat(arrived.get("delayed")).isGreaterThanOrEqualTo(sentAt + 700);
      assertThat(arrived.get("plain")).isLessThan(arrived.get("delayed"));
      assertThat(consumer.assignment()).hasSize(2);
    }
  }

  @Test
  void aDelayBeyondTheMaximumIsRefused() throws Exception {
    try (Producer producer = Producer.builder().namesrvAddr(cluster.namesrvAddr()).build()) {
      Message tooLate =
          Message.builder("T_timer_far").delay(Duration.ofDays(30)).body(bytes("x")).build();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> producer.send(tooLate))
          .hasMessageContaining("max delay");
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
