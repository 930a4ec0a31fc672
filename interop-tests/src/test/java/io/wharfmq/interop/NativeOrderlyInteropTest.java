package io.wharfmq.interop;

import static io.wharfmq.interop.NativeClients.push;
import static io.wharfmq.interop.NativeClients.text;
import static io.wharfmq.interop.NativeClients.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.client.ConsumeResult;
import io.wharfmq.client.Message;
import io.wharfmq.client.MessageView;
import io.wharfmq.client.Producer;
import io.wharfmq.client.PushConsumer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native orderly push consumer with broker queue locks; mirrors {@link OrderlyInteropTest} and
 * adds failure handling (suspend, retry the same message, then the DLQ).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NativeOrderlyInteropTest {
  @TempDir Path dir;
  final NativeClients clients = new NativeClients();
  final Map<String, Integer> maxSeen = new ConcurrentHashMap<>();
  final Map<String, String> keyInHand = new ConcurrentHashMap<>();
  final Set<String> consumed = ConcurrentHashMap.newKeySet();
  final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger deliveries = new AtomicInteger();

  @AfterEach
  void stop() {
    clients.close();
  }

  PushConsumer orderly(String namesrv, String name) {
    return push(namesrv, "cg-native-orderly", "Ordered")
        .orderlyListener(
            msgs -> {
              for (MessageView m : msgs) {
                String[] kv = text(m).split(":");
                // Broker locks: no two members ever hold one queue, hence one key, at once.
                String other = keyInHand.putIfAbsent(kv[0], name);
                if (other != null) {
                  violations.add(kv[0] + " consumed by " + name + " while " + other + " has it");
                }
                int seq = Integer.parseInt(kv[1]);
                int before = maxSeen.getOrDefault(kv[0], -1);
                // Redelivery of earlier messages after a rebalance is allowed (at least once);
                // skipping ahead of one not yet consumed is an order violation.
                if (seq > before + 1) {
                  violations.add(kv[0] + ": " + seq + " after " + before);
                }
                maxSeen.put(kv[0], Math.max(before, seq));
                consumed.add(kv[0] + ":" + seq);
                deliveries.incrementAndGet();
                keyInHand.remove(kv[0], name);
              }
              return ConsumeResult.SUCCESS;
            })
        .build();
  }

  @Test
  void perKeyOrderHoldsWhileConsumersJoinAndLeave() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.track(cluster);
    cluster.startBroker("broker-a");
    Producer producer = clients.producer(cluster.namesrvAddr());
    int keys = 100;
    int perKey = 100;
    PushConsumer a = null;
    List<PushConsumer> joined = new ArrayList<>();
    for (int seq = 0; seq < perKey; seq++) {
      for (int k = 0; k < keys; k++) {
        String key = "k" + k;
        producer.send(
            Message.builder("Ordered").tags("T").body(utf8(key + ":" + seq)).build(), key);
      }
      if (seq == 0) {
        a = clients.track(orderly(cluster.namesrvAddr(), "a")); // the first send made the topic
      }
      if (seq == 20 || seq == 50) {
        joined.add(clients.track(orderly(cluster.namesrvAddr(), seq == 20 ? "b" : "c")));
      }
      if (seq == 75) {
        a.close(); // leaves mid-stream: commits and unlocks its queues
      }
    }
    Awaitility.await("all 10,000 consumed")
        .atMost(Duration.ofSeconds(90))
        .until(() -> consumed.size() == keys * perKey);
    assertThat(violations).isEmpty();
    assertThat(joined).hasSize(2);
    assertThat(deliveries.get()).isGreaterThanOrEqualTo(keys * perKey);
    assertThat(joined.get(0).assignment().size() + joined.get(1).assignment().size()).isEqualTo(4);
  }

  @Test
  void aFailedMessageIsRetriedInPlaceThenDeadLetteredWithoutSkipping() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.track(cluster);
    cluster.startBroker("broker-a");
    Producer producer = clients.producer(cluster.namesrvAddr());
    for (int seq = 0; seq < 10; seq++) {
      producer.send(Message.of("OrderedFail", utf8("key:" + seq)), "key");
    }
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    List<Integer> reconsumeTimesOf3 = Collections.synchronizedList(new ArrayList<>());
    List<Long> attemptsOf3 = Collections.synchronizedList(new ArrayList<>());
    clients.track(
        push(cluster.namesrvAddr(), "cg-native-orderly-fail", "OrderedFail")
            .maxReconsumeTimes(2)
            .suspendTime(Duration.ofMillis(200))
            .orderlyListener(
                msgs -> {
                  MessageView m = msgs.get(0);
                  int seq = Integer.parseInt(text(m).split(":")[1]);
                  seen.add(seq);
                  if (seq == 3) {
                    reconsumeTimesOf3.add(m.reconsumeTimes());
                    attemptsOf3.add(System.nanoTime());
                    return reconsumeTimesOf3.size() < 3
                        ? ConsumeResult.RETRY_LATER
                        : ConsumeResult.SUCCESS;
                  }
                  if (seq == 6) {
                    throw new IllegalStateException("poison");
                  }
                  return ConsumeResult.SUCCESS;
                })
            .build());
    Awaitility.await("all ten handled")
        .atMost(Duration.ofSeconds(30))
        .until(() -> seen.contains(9));
    assertThat(seen).containsExactly(0, 1, 2, 3, 3, 3, 4, 5, 6, 6, 6, 7, 8, 9);
    assertThat(reconsumeTimesOf3).containsExactly(0, 1, 2);
    for (int i = 1; i < attemptsOf3.size(); i++) {
      assertThat(attemptsOf3.get(i) - attemptsOf3.get(i - 1))
          .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    }
    assertThat(clients.deadLetters(cluster.namesrvAddr(), "cg-native-orderly-fail", "broker-a", 1))
        .containsExactly("key:6");
  }
}
