package io.wharfmq.interop;

import static io.wharfmq.interop.NativeClients.push;
import static io.wharfmq.interop.NativeClients.text;
import static io.wharfmq.interop.NativeClients.utf8;
import static java.nio.charset.StandardCharsets.UTF_8;
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
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native orderly push consumer with broker queue locks; mirrors {@link OrderlyInteropTest},
 * shares a group with the official orderly consumer, and adds failure handling (suspend, retry the
 * same message, then the DLQ).
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
  final Map<String, AtomicInteger> byMember = new ConcurrentHashMap<>();

  WharfCluster cluster;
  Producer producer;

  @BeforeEach
  void start() throws Exception {
    cluster = clients.track(new WharfCluster(dir));
    cluster.startBroker("broker-a");
    producer = clients.producer(cluster.namesrvAddr());
  }

  @AfterEach
  void stop() {
    clients.close();
  }

  /** Sends "k<n>:<seq>" for every key, each on its key's queue. */
  void sendRow(String topic, int keys, int seq) {
    for (int k = 0; k < keys; k++) {
      String key = "k" + k;
      producer.send(Message.builder(topic).tags("T").body(utf8(key + ":" + seq)).build(), key);
    }
  }

  /** Checks and records one delivery of "key:seq" to member {@code name}. */
  void record(String name, String body) {
    String[] kv = body.split(":");
    // Broker locks: no two members ever hold one queue, hence one key, at once.
    String other = keyInHand.putIfAbsent(kv[0], name);
    if (other != null) {
      violations.add(kv[0] + " consumed by " + name + " while " + other + " has it");
    }
    int seq = Integer.parseInt(kv[1]);
    int before = maxSeen.getOrDefault(kv[0], -1);
    // Redelivery of earlier messages after a rebalance is allowed (at least once); skipping ahead
    // of one not yet consumed is an order violation.
    if (seq > before + 1) {
      violations.add(kv[0] + ": " + seq + " after " + before);
    }
    maxSeen.put(kv[0], Math.max(before, seq));
    consumed.add(kv[0] + ":" + seq);
    deliveries.incrementAndGet();
    byMember.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
    keyInHand.remove(kv[0], name);
  }

  PushConsumer orderly(String namesrv, String name) {
    return orderly(namesrv, name, "cg-native-orderly", "Ordered");
  }

  PushConsumer orderly(String namesrv, String name, String group, String topic) {
    return push(namesrv, group, topic)
        .orderlyListener(
            msgs -> {
              msgs.forEach(m -> record(name, text(m)));
              return ConsumeResult.SUCCESS;
            })
        .build();
  }

  DefaultMQPushConsumer officialOrderly(String namesrv, String group, String topic)
      throws Exception {
    DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
    c.setNamesrvAddr(namesrv);
    c.setInstanceName(OfficialClients.unique("orderly"));
    c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    c.subscribe(topic, "*");
    c.registerMessageListener(
        (MessageListenerOrderly)
            (msgs, ctx) -> {
              msgs.forEach(m -> record("official", new String(m.getBody(), UTF_8)));
              return ConsumeOrderlyStatus.SUCCESS;
            });
    c.start();
    return c;
  }

  @Test
  void perKeyOrderHoldsWhileConsumersJoinAndLeave() throws Exception {
    int keys = 100;
    int perKey = 100;
    PushConsumer a = null;
    List<PushConsumer> joined = new ArrayList<>();
    for (int seq = 0; seq < perKey; seq++) {
      sendRow("Ordered", keys, seq);
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
  void nativeAndOfficialMembersShareOneOrderlyGroupThroughTheBrokerLocks() throws Exception {
    int keys = 20;
    int perKey = 40;
    DefaultMQPushConsumer official = null;
    PushConsumer nativeMember = null;
    int officialBeforeJoin = 0;
    try {
      for (int seq = 0; seq < perKey; seq++) {
        sendRow("Mixed", keys, seq);
        if (seq == 0) {
          official = officialOrderly(cluster.namesrvAddr(), "cg-mixed-orderly", "Mixed");
          Awaitility.await("the official member consumes")
              .atMost(Duration.ofSeconds(30))
              .until(() -> byMember.containsKey("official"));
        }
        if (seq == 10) {
          officialBeforeJoin = byMember.get("official").get();
          PushConsumer joining =
              orderly(cluster.namesrvAddr(), "native", "cg-mixed-orderly", "Mixed");
          nativeMember = joining;
          // The official member hands two queues over once it has let go of them.
          Awaitility.await("the native member holds half of the queues")
              .atMost(Duration.ofSeconds(40))
              .until(() -> joining.assignment().size() == 2);
        }
        if (seq == 25) {
          // Rows 11-25 went to all four queues after the native member joined.
          int before = officialBeforeJoin;
          Awaitility.await("both members consume side by side")
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> byMember.containsKey("native") && byMember.get("official").get() > before);
          official.shutdown(); // unlocks its queues; the native member takes them over
        }
      }
      Awaitility.await("all consumed by one member or the other")
          .atMost(Duration.ofSeconds(60))
          .until(() -> consumed.size() == keys * perKey);
      assertThat(violations).isEmpty();
      assertThat(nativeMember.assignment()).hasSize(4);
      assertThat(byMember.get("official")).hasPositiveValue();
      assertThat(byMember.get("native")).hasPositiveValue();
    } finally {
      if (official != null) {
        official.shutdown();
      }
      if (nativeMember != null) {
        nativeMember.close();
      }
    }
  }

  @Test
  void aFailedMessageIsRetriedInPlaceThenDeadLetteredWithoutSkipping() throws Exception {
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
