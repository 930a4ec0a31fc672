package io.wharfmq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer.sendAtomically and WHARF_SEND_TRANSACTION (7015) against a real name server and two real
 * brokers: messages of several topics are stored all or none on one broker.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AtomicSendTest {
  @TempDir static Path dir;

  private static TestCluster cluster;
  private static Producer producer;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(dir, "broker-a", "broker-b");
    cluster.createTopic("TxOne", 4);
    cluster.createTopic("TxTwo", 2);
    cluster.createTopic("TxOnlyA", 2, List.of(cluster.brokers.get(0)));
    cluster.createTopic("TxOnlyB", 2, List.of(cluster.brokers.get(1)));
    producer = Producer.builder().namesrvAddr(cluster.namesrvAddr()).producerGroup("pg-tx").build();
  }

  @AfterAll
  static void stop() throws Exception {
    producer.close();
    cluster.close();
  }

  private static Message message(String topic, String body) {
    return Message.builder(topic).body(body.getBytes(StandardCharsets.UTF_8)).build();
  }

  private static List<String> receive(String group, String topic, int n) {
    List<String> got = new ArrayList<>();
    try (SimpleConsumer c =
        SimpleConsumer.builder()
            .namesrvAddr(cluster.namesrvAddr())
            .consumerGroup(group)
            .subscribe(topic, "*")
            .awaitDuration(Duration.ofMillis(300))
            .build()) {
      await("receive " + n + " of " + topic)
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                for (ReceivedMessage m : c.receive(32, Duration.ofSeconds(20))) {
                  got.add(new String(m.view().body(), StandardCharsets.UTF_8));
                  c.ack(m);
                }
                return got.size() >= n;
              });
    }
    return got;
  }

  @Test
  void messagesOfTwoTopicsAreStoredTogetherInOrder() {
    SendResult r =
        producer.sendAtomically(
            List.of(message("TxOne", "a0"), message("TxTwo", "b0"), message("TxOne", "a1")),
            "session-1");

    assertThat(r.status()).isEqualTo(SendStatus.SEND_OK);
    assertThat(r.msgId().split(",")).hasSize(3);
    assertThat(receive("cg-tx-one", "TxOne", 2)).containsExactly("a0", "a1");
    assertThat(receive("cg-tx-two", "TxTwo", 1)).containsExactly("b0");
  }

  @Test
  void aTopicNotOnTheFirstMessagesBrokerFailsTheWholeTransaction() {
    assertThatThrownBy(
            () ->
                producer.sendAtomically(
                    List.of(message("TxOnlyA", "x"), message("TxOnlyB", "y")), "session-2"))
        .isInstanceOf(ClientException.class)
        .hasMessageContaining("a transaction spans the topics of one broker")
        .extracting(e -> ((ClientException) e).code())
        .isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
  }

  /** The second message goes to a queue the topic does not have: the first is rolled back. */
  @Test
  void aRefusedMessageRollsBackTheOnesStoredBeforeIt() throws Exception {
    Message kept = message("TxOnlyA", "rolled-back");
    RemotingCommand request =
        SendRequests.transaction(
            List.of(kept, message("TxOnlyA", "bad-queue")),
            List.of(
                new MessageQueue("TxOnlyA", "broker-a", 0),
                new MessageQueue("TxOnlyA", "broker-a", 99)),
            List.of("id-1", "id-2"),
            List.of("k", "k"),
            "pg-raw",
            0);
    RemotingClient raw = new RemotingClient("test-tx");
    try {
      RemotingCommand response = raw.invokeSync(cluster.brokers.get(0).address(), request, 3000);
      assertThat(response.code()).as(response.remark()).isNotEqualTo(ResponseCode.SUCCESS);
      assertThat(response.remark()).contains("rolled back");
    } finally {
      raw.shutdown();
    }
    producer.sendAtomically(List.of(message("TxOnlyA", "after")), "k");

    assertThat(receive("cg-tx-only-a", "TxOnlyA", 1)).containsExactly("after");
  }
}
