package io.wharfmq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsumerModesTest {
  @TempDir Path dir;
  TestCluster cluster;
  Producer producer;

  @BeforeEach
  void start() throws Exception {
    cluster = new TestCluster(dir, "broker-a");
    producer = Producer.builder().namesrvAddr(cluster.namesrvAddr()).build();
  }

  @AfterEach
  void stop() throws Exception {
    producer.close();
    cluster.close();
  }

  private static String text(MessageView m) {
    return new String(m.body(), StandardCharsets.UTF_8);
  }

  private PushConsumer.Builder push(String group, String topic, String expr) {
    return PushConsumer.builder()
        .namesrvAddr(cluster.namesrvAddr())
        .consumerGroup(group)
        .subscribe(topic, expr)
        .consumeFrom(ConsumeFrom.FIRST);
  }

  @Test
  void clusteringGroupConsumesEachMatchingMessageOnceAndNeverOthers() throws Exception {
    String topic = "T_cluster";
    cluster.createTopic(topic, 4);
    Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    Set<String> byFirst = ConcurrentHashMap.newKeySet();
    Set<String> bySecond = ConcurrentHashMap.newKeySet();
    try (PushConsumer c1 =
            push("cg_cluster", topic, "TagA || TagB")
                .listener(
                    msgs -> {
                      msgs.forEach(
                          m -> {
                            counts
                                .computeIfAbsent(text(m), k -> new AtomicInteger())
                                .incrementAndGet();
                            byFirst.add(text(m));
                          });
                      return ConsumeResult.SUCCESS;
                    })
                .build();
        PushConsumer c2 =
            push("cg_cluster", topic, "TagA || TagB")
                .listener(
                    msgs -> {
                      msgs.forEach(
                          m -> {
                            counts
                                .computeIfAbsent(text(m), k -> new AtomicInteger())
                                .incrementAndGet();
                            bySecond.add(text(m));
                          });
                      return ConsumeResult.SUCCESS;
                    })
                .build()) {
      // Both members see each other and split the 4 queues.
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> c1.assignment().size() == 2 && c2.assignment().size() == 2);
      assertThat(Collections.disjoint(c1.assignment(), c2.assignment())).isTrue();
      String[] tags = {"TagA", "TagB", "TagC"};
      for (int i = 0; i < 60; i++) {
        String tag = tags[i % 3];
        producer.send(
            Message.builder(topic)
                .tags(tag)
                .body((tag + "-" + i).getBytes(StandardCharsets.UTF_8))
                .build());
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> counts.size() == 40);
      // A TagC message would have arrived together with its neighbours; give nothing extra time.
      assertThat(counts.keySet()).noneMatch(k -> k.startsWith("TagC"));
      assertThat(counts.values()).allMatch(n -> n.get() == 1);
      assertThat(byFirst).isNotEmpty();
      assertThat(bySecond).isNotEmpty();
    }
  }

  @Test
  void broadcastingDeliversEveryMessageToEveryMember() throws Exception {
    String topic = "T_broadcast";
    cluster.createTopic(topic, 2);
    Set<String> first = ConcurrentHashMap.newKeySet();
    Set<String> second = ConcurrentHashMap.newKeySet();
    try (PushConsumer c1 =
            push("cg_bc", topic, "*")
                .messageModel(MessageModel.BROADCASTING)
                .offsetStoreDir(dir.resolve("offsets1"))
                .listener(
                    msgs -> {
                      msgs.forEach(m -> first.add(text(m)));
                      return ConsumeResult.SUCCESS;
                    })
                .build();
        PushConsumer c2 =
            push("cg_bc", topic, "*")
                .messageModel(MessageModel.BROADCASTING)
                .offsetStoreDir(dir.resolve("offsets2"))
                .commitInterval(Duration.ofMillis(200))
                .listener(
                    msgs -> {
                      msgs.forEach(m -> second.add(text(m)));
                      return ConsumeResult.SUCCESS;
                    })
                .build()) {
      for (int i = 0; i < 20; i++) {
        producer.send(Message.of(topic, ("m" + i).getBytes(StandardCharsets.UTF_8)));
      }
      await().atMost(Duration.ofSeconds(15)).until(() -> first.size() == 20 && second.size() == 20);
      assertThat(c1.assignment()).hasSize(2);
      assertThat(c2.assignment()).hasSize(2);
      // Broadcasting offsets live in a local file, written atomically.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> java.nio.file.Files.exists(dir.resolve("offsets2").resolve("cg_bc.json")));
    }
  }

  @Test
  void orderedSendsKeepPerKeyOrderOnOneQueue() throws Exception {
    String topic = "T_order";
    cluster.createTopic(topic, 4);
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    Map<String, Set<Integer>> queuesByKey = new ConcurrentHashMap<>();
    for (int i = 0; i < 30; i++) {
      String key = "order-" + (i % 3);
      SendResult r =
          producer.send(
              Message.builder(topic)
                  .keys(key)
                  .body((key + ":" + i).getBytes(StandardCharsets.UTF_8))
                  .build(),
              key);
      queuesByKey.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(r.queue().queueId());
    }
    assertThat(queuesByKey.values()).allMatch(s -> s.size() == 1);
    try (PushConsumer c =
        push("cg_order", topic, "*")
            .consumeBatchSize(4)
            .orderlyListener(
                msgs -> {
                  for (MessageView m : msgs) {
                    String[] parts = text(m).split(":");
                    seen.computeIfAbsent(
                            parts[0], k -> Collections.synchronizedList(new ArrayList<>()))
                        .add(Integer.parseInt(parts[1]));
                  }
                  return ConsumeResult.SUCCESS;
                })
            .build()) {
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> seen.values().stream().mapToInt(List::size).sum() == 30);
      assertThat(c.assignment()).hasSize(4);
    }
    for (List<Integer> order : seen.values()) {
      assertThat(order).isSorted().hasSize(10);
    }
  }

  @Test
  void consumesFromATimestamp() throws Exception {
    String topic = "T_time";
    cluster.createTopic(topic, 2);
    long lastOld = 0;
    for (int i = 0; i < 6; i++) {
      producer.send(Message.of(topic, ("old" + i).getBytes(StandardCharsets.UTF_8)));
    }
    lastOld = System.currentTimeMillis();
    long boundary = lastOld + 1;
    await().atMost(Duration.ofSeconds(2)).until(() -> System.currentTimeMillis() > boundary);
    for (int i = 0; i < 6; i++) {
      producer.send(Message.of(topic, ("new" + i).getBytes(StandardCharsets.UTF_8)));
    }
    Set<String> got = ConcurrentHashMap.newKeySet();
    try (PushConsumer c =
        push("cg_time", topic, "*")
            .consumeFrom(ConsumeFrom.timestamp(Instant.ofEpochMilli(boundary)))
            .listener(
                msgs -> {
                  msgs.forEach(m -> got.add(text(m)));
                  return ConsumeResult.SUCCESS;
                })
            .build()) {
      await().atMost(Duration.ofSeconds(15)).until(() -> got.size() >= 6);
      assertThat(c.assignment()).hasSize(2);
    }
    assertThat(got).containsExactlyInAnyOrder("new0", "new1", "new2", "new3", "new4", "new5");
  }

  @Test
  void litePullAssignPollSeekBackAndCommit() throws Exception {
    String topic = "T_lite";
    cluster.createTopic(topic, 1);
    for (int i = 0; i < 10; i++) {
      producer.send(
          Message.builder(topic)
              .tags(i % 2 == 0 ? "even" : "odd")
              .body(("v" + i).getBytes(StandardCharsets.UTF_8))
              .build());
    }
    try (LitePullConsumer c =
        LitePullConsumer.builder()
            .namesrvAddr(cluster.namesrvAddr())
            .consumerGroup("cg_lite")
            .consumeFrom(ConsumeFrom.FIRST)
            .autoCommit(false)
            .build()) {
      List<MessageQueue> queues = c.fetchQueues(topic);
      assertThat(queues).hasSize(1);
      MessageQueue mq = queues.get(0);
      c.assign(queues);
      List<String> read = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                c.poll(Duration.ofMillis(200)).forEach(m -> read.add(text(m)));
                return read.size() >= 10;
              });
      assertThat(read).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
      assertThat(c.position(mq)).isEqualTo(10);
      c.seek(mq, 4);
      List<String> again = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                c.poll(Duration.ofMillis(200)).forEach(m -> again.add(text(m)));
                return again.size() >= 6;
              });
      assertThat(again).containsExactly("v4", "v5", "v6", "v7", "v8", "v9");
      c.commit();
      assertThat(c.committed(mq)).isEqualTo(10);
    }
  }

  @Test
  void litePullSubscribeFiltersByTag() throws Exception {
    String topic = "T_lite_sub";
    cluster.createTopic(topic, 2);
    for (int i = 0; i < 10; i++) {
      producer.send(
          Message.builder(topic)
              .tags(i % 2 == 0 ? "even" : "odd")
              .body(("v" + i).getBytes(StandardCharsets.UTF_8))
              .build());
    }
    try (LitePullConsumer c =
        LitePullConsumer.builder()
            .namesrvAddr(cluster.namesrvAddr())
            .consumerGroup("cg_lite_sub")
            .consumeFrom(ConsumeFrom.FIRST)
            .build()) {
      c.subscribe(topic, "even");
      Set<String> read = ConcurrentHashMap.newKeySet();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                c.poll(Duration.ofMillis(200)).forEach(m -> read.add(text(m)));
                return read.size() >= 5;
              });
      assertThat(read).containsExactlyInAnyOrder("v0", "v2", "v4", "v6", "v8");
      assertThat(c.assignment()).hasSize(2);
    }
  }
}
