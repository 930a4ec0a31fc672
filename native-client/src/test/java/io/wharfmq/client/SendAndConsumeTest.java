package io.wharfmq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SendAndConsumeTest {
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

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void syncAsyncOnewayAndBatchSendsAreAllConsumed() throws Exception {
    String topic = "T_all";
    Map<String, MessageView> received = new ConcurrentHashMap<>();
    try (Producer producer =
        Producer.builder().namesrvAddr(cluster.namesrvAddr()).producerGroup("pg").build()) {
      // The first send creates the topic from TBW102 on the broker.
      SendResult first =
          producer.send(
              Message.builder(topic)
                  .tags("TagA")
                  .keys("k1", "k2")
                  .property("color", "blue")
                  .body(utf8("sync-0"))
                  .build());
      assertThat(first.status()).isEqualTo(SendStatus.SEND_OK);
      assertThat(first.msgId()).matches("[0-9A-F]{32}");
      assertThat(first.offsetMsgId()).matches("[0-9A-F]{32}");
      assertThat(first.queue().topic()).isEqualTo(topic);

      List<String> expected = new ArrayList<>();
      expected.add(first.msgId());
      for (int i = 1; i < 5; i++) {
        expected.add(producer.send(Message.of(topic, utf8("sync-" + i))).msgId());
      }
      List<CompletableFuture<SendResult>> futures = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        futures.add(producer.sendAsync(Message.of(topic, utf8("async-" + i))));
      }
      for (CompletableFuture<SendResult> f : futures) {
        expected.add(f.get(10, TimeUnit.SECONDS).msgId());
      }
      List<Message> batch = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        batch.add(Message.builder(topic).tags("TagB").body(utf8("batch-" + i)).build());
      }
      SendResult batchResult = producer.sendBatch(batch);
      List<String> batchIds = List.of(batchResult.msgId().split(","));
      assertThat(batchIds).hasSize(5);
      assertThat(batchResult.offsetMsgId().split(",")).hasSize(5);
      expected.addAll(batchIds);
      producer.sendOneway(Message.of(topic, utf8("oneway-0")));

      try (PushConsumer consumer =
          PushConsumer.builder()
              .namesrvAddr(cluster.namesrvAddr())
              .consumerGroup("cg_all")
              .subscribe(topic, "*")
              .consumeFrom(ConsumeFrom.FIRST)
              .listener(
                  msgs -> {
                    msgs.forEach(
                        m -> received.put(new String(m.body(), StandardCharsets.UTF_8), m));
                    return ConsumeResult.SUCCESS;
                  })
              .build()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 16);
        assertThat(consumer.assignment()).hasSize(4);
      }
      assertThat(received.values()).extracting(MessageView::msgId).containsAll(expected);
      MessageView m0 = received.get("sync-0");
      assertThat(m0.tags()).isEqualTo("TagA");
      assertThat(m0.keys()).containsExactly("k1", "k2");
      assertThat(m0.properties()).containsEntry("color", "blue");
      assertThat(m0.msgId()).isEqualTo(first.msgId());
      assertThat(m0.offsetMsgId()).isEqualTo(first.offsetMsgId());
      assertThat(m0.queue()).isEqualTo(first.queue());
      assertThat(m0.queueOffset()).isEqualTo(first.queueOffset());
      assertThat(m0.storeTimestamp()).isPositive();
      assertThat(received.get("batch-3").tags()).isEqualTo("TagB");
      assertThat(received.get("batch-3").msgId()).isEqualTo(batchIds.get(3));
    }
  }

  @Test
  void retryLaterWhenBroadcastingRedeliversLocally() throws Exception {
    String topic = "T_retry";
    cluster.createTopic(topic, 1);
    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    try (Producer producer = Producer.builder().namesrvAddr(cluster.namesrvAddr()).build();
        PushConsumer consumer =
            PushConsumer.builder()
                .namesrvAddr(cluster.namesrvAddr())
                .consumerGroup("cg_retry")
                .messageModel(MessageModel.BROADCASTING)
                .offsetStoreDir(dir.resolve("offsets"))
                .subscribe(topic, "*")
                .consumeFrom(ConsumeFrom.FIRST)
                .retryDelay(Duration.ofMillis(200))
                .listener(
                    msgs -> {
                      MessageView m = msgs.get(0);
                      int n = attempts.merge(m.msgId(), 1, Integer::sum);
                      assertThat(m.reconsumeTimes()).isEqualTo(n - 1);
                      return n < 3 ? ConsumeResult.RETRY_LATER : ConsumeResult.SUCCESS;
                    })
                .build()) {
      String id = producer.send(Message.of(topic, utf8("x"))).msgId();
      await().atMost(Duration.ofSeconds(15)).until(() -> attempts.getOrDefault(id, 0) == 3);
      assertThat(consumer.assignment()).hasSize(1);
    }
  }

  @Test
  void aCommittedOffsetPastTheEndIsMovedToTheBrokersEndAndCommittedAtOnce() throws Exception {
    String topic = "T_moved";
    cluster.createTopic(topic, 1);
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    try (Producer producer = Producer.builder().namesrvAddr(cluster.namesrvAddr()).build()) {
      for (int i = 0; i < 3; i++) {
        producer.send(Message.of(topic, utf8("old" + i)));
      }
      cluster.commitOffset("cg_moved", topic, 1000);
      try (PushConsumer consumer =
          PushConsumer.builder()
              .namesrvAddr(cluster.namesrvAddr())
              .consumerGroup("cg_moved")
              .subscribe(topic, "*")
              .commitInterval(Duration.ofMinutes(1)) // only the OFFSET_MOVED path commits
              .listener(
                  msgs -> {
                    msgs.forEach(m -> got.add(new String(m.body(), StandardCharsets.UTF_8)));
                    return ConsumeResult.SUCCESS;
                  })
              .build()) {
        // PULL_OFFSET_MOVED names the queue's end (3): adopted and committed without waiting.
        await()
            .atMost(Duration.ofSeconds(15))
            .until(() -> cluster.committedOffset("cg_moved", topic) == 3);
        producer.send(Message.of(topic, utf8("new")));
        await().atMost(Duration.ofSeconds(15)).until(() -> got.contains("new"));
        assertThat(consumer.assignment()).hasSize(1);
      }
    }
    assertThat(got).containsExactly("new");
  }
}
