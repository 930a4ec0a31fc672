package io.wharfmq.interop;

import static io.wharfmq.interop.NativeClients.push;
import static io.wharfmq.interop.NativeClients.text;
import static io.wharfmq.interop.NativeClients.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.client.ConsumeResult;
import io.wharfmq.client.Message;
import io.wharfmq.client.MessageView;
import io.wharfmq.client.Producer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native client's broker-side retries (CONSUMER_SEND_MSG_BACK, %RETRY%group, DLQ) and delay
 * levels; mirrors {@link RetryAndDelayInteropTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NativeRetryAndDelayInteropTest {
  @TempDir Path dir;
  WharfCluster cluster;
  final NativeClients clients = new NativeClients();

  /** One delivery as the listener saw it. */
  record Delivery(long atMillis, int reconsumeTimes, String topic, String queueTopic) {}

  @BeforeEach
  void start() throws Exception {
    cluster = new WharfCluster(dir);
    // Short levels so retries (level 3 + n) come back in a test's time.
    cluster.startBroker(
        cluster.brokerConfig("broker-a").messageDelayLevel("100ms 200ms 300ms 400ms 500ms 600ms"));
  }

  @AfterEach
  void stop() throws java.io.IOException {
    clients.close();
    cluster.close();
  }

  @Test
  void failuresComeBackThroughTheRetryTopicWithGrowingDelaysThenDeadLetter() throws Exception {
    Producer producer = clients.producer(cluster.namesrvAddr());
    for (String body : List.of("ok", "flaky", "poison")) {
      producer.send(Message.builder("Jobs").tags("T").body(utf8(body)).build());
    }
    Map<String, List<Delivery>> deliveries = new ConcurrentHashMap<>();
    clients.track(
        push(cluster.namesrvAddr(), "cg-native-retry", "Jobs")
            .maxReconsumeTimes(2)
            .listener(
                msgs -> {
                  MessageView m = msgs.get(0);
                  List<Delivery> mine =
                      deliveries.computeIfAbsent(
                          text(m), k -> Collections.synchronizedList(new ArrayList<>()));
                  mine.add(
                      new Delivery(
                          System.currentTimeMillis(),
                          m.reconsumeTimes(),
                          m.topic(),
                          m.queue().topic()));
                  boolean fail =
                      text(m).equals("poison") || (text(m).equals("flaky") && mine.size() < 2);
                  return fail ? ConsumeResult.RETRY_LATER : ConsumeResult.SUCCESS;
                })
            .build());

    Awaitility.await("flaky succeeds on its second delivery; poison is tried 3 times")
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(deliveries.get("flaky")).hasSize(2);
              assertThat(deliveries.get("poison")).hasSize(3);
            });
    assertThat(deliveries.get("ok")).hasSize(1);
    assertThat(deliveries.get("flaky").get(1).queueTopic()).isEqualTo("%RETRY%cg-native-retry");
    List<Delivery> poison = List.copyOf(deliveries.get("poison"));
    assertThat(poison).extracting(Delivery::topic).containsOnly("Jobs");
    assertThat(poison).extracting(Delivery::reconsumeTimes).containsExactly(0, 1, 2);
    // Level 3 + reconsumeTimes: 300 ms, then 400 ms.
    assertThat(poison.get(1).atMillis() - poison.get(0).atMillis()).isGreaterThanOrEqualTo(300);
    assertThat(poison.get(2).atMillis() - poison.get(1).atMillis()).isGreaterThanOrEqualTo(400);

    assertThat(clients.deadLetters(cluster.namesrvAddr(), "cg-native-retry", "broker-a", 1))
        .containsExactly("poison");
    assertThat(deliveries.get("poison")).hasSize(3); // never delivered again from the DLQ
  }

  @Test
  void aDelayLevelDeliversAfterItsDelay() throws Exception {
    Producer producer = clients.producer(cluster.namesrvAddr());
    producer.send(Message.of("Later", utf8("now")));
    Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
    clients.track(
        push(cluster.namesrvAddr(), "cg-native-delay", "Later")
            .listener(
                msgs -> {
                  msgs.forEach(m -> arrivedAt.put(text(m), System.currentTimeMillis()));
                  return ConsumeResult.SUCCESS;
                })
            .build());
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> arrivedAt.containsKey("now"));
    Message delayed = Message.builder("Later").body(utf8("in-600ms")).delayLevel(6).build();
    assertThat(delayed.delayLevel()).isEqualTo(6);
    long sentAt = System.currentTimeMillis();
    producer.send(delayed);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> arrivedAt.size() == 2);
    assertThat(arrivedAt.get("in-600ms") - sentAt).isGreaterThanOrEqualTo(600);
  }
}
