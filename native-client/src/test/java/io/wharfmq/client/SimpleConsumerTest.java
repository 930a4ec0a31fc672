package io.wharfmq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.remoting.protocol.ResponseCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Wharf's SimpleConsumer (POP consumption) against a real broker. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SimpleConsumerTest {
  @TempDir Path dir;

  private static Producer producer(TestCluster cluster) {
    return Producer.builder().namesrvAddr(cluster.namesrvAddr()).producerGroup("pg-pop").build();
  }

  private static SimpleConsumer consumer(TestCluster cluster, String group, String topic) {
    return SimpleConsumer.builder()
        .namesrvAddr(cluster.namesrvAddr())
        .consumerGroup(group)
        .subscribe(topic, "*")
        .awaitDuration(Duration.ofSeconds(2))
        .build();
  }

  private static String body(ReceivedMessage m) {
    return new String(m.view().body(), StandardCharsets.UTF_8);
  }

  /** Receives until {@code n} messages arrived (or fails at the deadline). */
  private static List<ReceivedMessage> receive(SimpleConsumer c, int n, Duration invisible) {
    List<ReceivedMessage> got = new ArrayList<>();
    await("receive " + n)
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              got.addAll(c.receive(32, invisible));
              return got.size() >= n;
            });
    return got;
  }

  @Test
  void receiveAckAndChangeInvisibility() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "broker-a");
        Producer producer = producer(cluster);
        SimpleConsumer consumer = consumer(cluster, "cg-simple", "Simple")) {
      cluster.createTopic("Simple", 4);
      for (int i = 0; i < 10; i++) {
        producer.send(Message.of("Simple", ("m" + i).getBytes(StandardCharsets.UTF_8)));
      }
      List<ReceivedMessage> got = receive(consumer, 10, Duration.ofSeconds(30));
      assertThat(got).extracting(SimpleConsumerTest::body).hasSize(10).doesNotHaveDuplicates();
      assertThat(got).allSatisfy(m -> assertThat(m.view().reconsumeTimes()).isZero());
      ReceivedMessage kept = got.get(0);
      for (ReceivedMessage m : got.subList(1, got.size())) {
        consumer.ack(m);
      }
      consumer.ack(got.get(1)); // acknowledging twice is harmless
      assertThat(consumer.receive(32, Duration.ofSeconds(30))).isEmpty(); // all invisible or done

      long changedAt = System.currentTimeMillis();
      ReceivedMessage renewed = consumer.changeInvisibleDuration(kept, Duration.ofMillis(300));
      assertThat(renewed.receiptHandle()).isNotEqualTo(kept.receiptHandle());
      List<ReceivedMessage> again = receive(consumer, 1, Duration.ofSeconds(30));
      assertThat(System.currentTimeMillis() - changedAt).isGreaterThanOrEqualTo(300);
      assertThat(again).extracting(SimpleConsumerTest::body).containsExactly(body(kept));
      assertThat(again.get(0).view().reconsumeTimes()).isEqualTo(1);
      assertThatThrownBy(() -> consumer.ack(renewed))
          .isInstanceOfSatisfying(
              ClientException.class, e -> assertThat(e.code()).isEqualTo(ResponseCode.NO_MESSAGE));
      consumer.ack(again.get(0));
      Broker broker = cluster.brokers.get(0);
      for (int q = 0; q < 4; q++) {
        assertThat(broker.pops().inFlight("cg-simple", "Simple", q)).isZero();
      }
    }
  }

  @Test
  void inFlightMessagesComeBackAfterARestartAndAckedOnesDoNot() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "broker-a")) {
      cluster.createTopic("Durable", 2);
      try (Producer producer = producer(cluster)) {
        for (int i = 0; i < 20; i++) {
          producer.send(Message.of("Durable", ("d" + i).getBytes(StandardCharsets.UTF_8)));
        }
      }
      Map<String, ReceivedMessage> inFlight = new HashMap<>();
      try (SimpleConsumer consumer = consumer(cluster, "cg-durable", "Durable")) {
        for (ReceivedMessage m : receive(consumer, 20, Duration.ofSeconds(3))) {
          if (body(m).compareTo("d15") >= 0 && body(m).length() == 3) {
            inFlight.put(body(m), m); // d15..d19 stay unacknowledged
          } else {
            consumer.ack(m);
          }
        }
      }
      assertThat(inFlight).hasSize(5);
      Broker first = cluster.brokers.get(0);
      BrokerConfig config = first.config().listenPort(first.port());
      first.close();
      cluster.brokers.set(0, Broker.start(config, InstantSource.system())); // same dir and port
      cluster.brokers.get(0).registerNow();

      try (SimpleConsumer consumer = consumer(cluster, "cg-durable", "Durable")) {
        List<ReceivedMessage> back = receive(consumer, 5, Duration.ofSeconds(30));
        assertThat(back)
            .extracting(SimpleConsumerTest::body)
            .containsExactlyInAnyOrderElementsOf(inFlight.keySet());
        assertThat(back).allSatisfy(m -> assertThat(m.view().reconsumeTimes()).isEqualTo(1));
        // Came back only once their invisibility (3 s from the first receive) ended.
        for (ReceivedMessage m : back) {
          assertThat(System.currentTimeMillis())
              .isGreaterThanOrEqualTo(inFlight.get(body(m)).invisibleUntil().toEpochMilli());
          consumer.ack(m);
        }
        assertThat(consumer.receive(32, Duration.ofSeconds(30))).isEmpty();
      }
    }
  }

  @Test
  void batchAckedMessagesNeverComeBackAndTheOthersDoAfterTheirInvisibleTime() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, "broker-a");
        Producer producer = producer(cluster);
        SimpleConsumer consumer = consumer(cluster, "cg-batch", "Batch")) {
      cluster.createTopic("Batch", 2);
      for (int i = 0; i < 40; i++) {
        producer.send(Message.of("Batch", ("b" + i).getBytes(StandardCharsets.UTF_8)));
      }
      Duration invisible = Duration.ofSeconds(2);
      List<ReceivedMessage> got = receive(consumer, 40, invisible);
      assertThat(got).extracting(SimpleConsumerTest::body).hasSize(40).doesNotHaveDuplicates();
      // Several pops on both queues: one BATCH_ACK_MESSAGE with an entry per queue and pop.
      List<ReceivedMessage> acked = new ArrayList<>();
      Map<String, ReceivedMessage> kept = new HashMap<>();
      for (int i = 0; i < got.size(); i++) {
        if (i % 5 == 4) {
          kept.put(body(got.get(i)), got.get(i));
        } else {
          acked.add(got.get(i));
        }
      }
      consumer.ackAll(acked);
      consumer.ackAll(acked.subList(0, 3)); // acknowledging twice is harmless

      // Only the unacknowledged ones come back, once their invisible time is over.
      List<ReceivedMessage> back = receive(consumer, kept.size(), invisible);
      assertThat(back)
          .extracting(SimpleConsumerTest::body)
          .containsExactlyInAnyOrderElementsOf(kept.keySet());
      for (ReceivedMessage m : back) {
        assertThat(m.view().reconsumeTimes()).isEqualTo(1);
        assertThat(System.currentTimeMillis())
            .isGreaterThanOrEqualTo(kept.get(body(m)).invisibleUntil().toEpochMilli());
      }
      // The handles of the first delivery are stale now: the broker says so.
      assertThatThrownBy(() -> consumer.ackAll(List.copyOf(kept.values())))
          .isInstanceOfSatisfying(
              ClientException.class, e -> assertThat(e.code()).isEqualTo(ResponseCode.NO_MESSAGE));
      consumer.ackAll(back);
      // Past every invisible time given so far, nothing is left to deliver.
      long end = back.get(0).invisibleUntil().toEpochMilli() + 500;
      await("past the last invisible time")
          .atMost(Duration.ofSeconds(20))
          .until(() -> System.currentTimeMillis() > end);
      assertThat(consumer.receive(32, invisible, Duration.ZERO)).isEmpty();
      Broker broker = cluster.brokers.get(0);
      for (int q = 0; q < 2; q++) {
        assertThat(broker.pops().inFlight("cg-batch", "Batch", q)).isZero();
      }
    }
  }
}
