package io.wharfmq.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.protocol.MessageIds;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.store.GetMessageResult;
import io.wharfmq.store.MessageFilter;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Delay levels, send-back to the retry topic and dead letters, through the broker's protocol. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DelayRetryTest {
  @TempDir Path dir;
  Broker broker;
  BrokerConfig config;
  RemotingClient client;
  String addr;

  @BeforeEach
  void start() throws Exception {
    config =
        new BrokerConfig(dir)
            .listenPort(0)
            .bindAddress("127.0.0.1")
            .messageDelayLevel("100ms 200ms 300ms 1s 2s");
    config.store().mappedFileSizeCommitLog(16 * 1024 * 1024).maxHashSlotNum(256).maxIndexNum(4000);
    broker = Broker.start(config, InstantSource.system());
    client = new RemotingClient("test");
    addr = "127.0.0.1:" + broker.port();
  }

  @AfterEach
  void stop() throws Exception {
    client.shutdown();
    broker.close();
  }

  RemotingCommand send(String topic, String body, Integer delay) throws Exception {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("UNIQ_KEY", "U-" + body);
    props.put("KEYS", body);
    if (delay != null) {
      props.put("DELAY", delay.toString());
    }
    return client.invokeSync(
        addr,
        RemotingCommand.request(RequestCode.SEND_MESSAGE_V2)
            .put("a", "pg")
            .put("b", topic)
            .put("c", "TBW102")
            .put("d", 4)
            .put("e", 0)
            .put("i", MessageProperties.encode(props))
            .body(body.getBytes(StandardCharsets.UTF_8)),
        5000);
  }

  List<StoredMessage> queue(String topic) {
    List<StoredMessage> out = new ArrayList<>();
    try (GetMessageResult r = broker.store().getMessages(topic, 0, 0, 100, MessageFilter.ALL)) {
      for (StoredBytes b : r.messages()) {
        out.add(StoredMessage.decode(b.buffer(), 0));
      }
    }
    return out;
  }

  @Test
  void aDelayedMessageAppearsInItsTopicOnlyAfterItsLevelsDelay() throws Exception {
    long sentAt = System.currentTimeMillis();
    assertThat(send("Delayed", "later", 4).code()).isEqualTo(ResponseCode.SUCCESS); // 1 s
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(5))).isTrue();
    assertThat(queue("Delayed")).isEmpty();
    assertThat(broker.schedule().pending(4)).isEqualTo(1);
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !queue("Delayed").isEmpty());
    long lateBy = System.currentTimeMillis() - sentAt;
    assertThat(lateBy).isGreaterThanOrEqualTo(1000);
    StoredMessage m = queue("Delayed").get(0);
    assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("later");
    assertThat(m.propertyMap())
        .doesNotContainKeys("DELAY", "REAL_TOPIC")
        .containsEntry("KEYS", "later");
  }

  @Test
  void pendingDelayedMessagesSurviveARestartAndAreDeliveredOnce() throws Exception {
    for (int i = 0; i < 5; i++) {
      send("Durable", "d" + i, 5); // 2 s
    }
    broker.close();
    broker = Broker.start(config, InstantSource.system());
    addr = "127.0.0.1:" + broker.port();
    Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> queue("Durable").size() == 5);

    // Lose the progress file as a crash between delivery and persisting it would: no duplicates.
    broker.close();
    Files.writeString(dir.resolve("config").resolve("delayOffset.json"), "{\"offsetTable\":{}}");
    broker = Broker.start(config, InstantSource.system());
    addr = "127.0.0.1:" + broker.port();
    broker.schedule().tick();
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(5))).isTrue();
    assertThat(queue("Durable")).hasSize(5);
    assertThat(broker.schedule().pending(5)).isZero();
  }

  @Test
  void sendBackRetriesWithBackoffThenDeadLetters() throws Exception {
    RemotingCommand sent = send("Work", "job-1", null);
    long offset = MessageIds.decode(sent.get("msgId")).physicalOffset();
    RemotingCommand back =
        client.invokeSync(
            addr,
            RemotingCommand.request(RequestCode.CONSUMER_SEND_MSG_BACK)
                .put("group", "workers")
                .put("offset", offset)
                .put("delayLevel", 0)
                .put("originMsgId", "U-job-1")
                .put("originTopic", "Work")
                .put("maxReconsumeTimes", 1),
            5000);
    assertThat(back.code()).isEqualTo(ResponseCode.SUCCESS);
    String retry = ScheduleRewrite.RETRY_PREFIX + "workers";
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> queue(retry).size() == 1);
    StoredMessage r1 = queue(retry).get(0);
    assertThat(r1.reconsumeTimes()).isEqualTo(1);
    assertThat(r1.propertyMap())
        .containsEntry("RETRY_TOPIC", "Work")
        .containsEntry("ORIGIN_MESSAGE_ID", "U-job-1")
        .containsEntry("UNIQ_KEY", "U-job-1");

    // It failed again: reconsumeTimes 1 >= max 1, so it is a dead letter now, at once.
    client.invokeSync(
        addr,
        RemotingCommand.request(RequestCode.CONSUMER_SEND_MSG_BACK)
            .put("group", "workers")
            .put("offset", r1.physicalOffset())
            .put("delayLevel", 0)
            .put("maxReconsumeTimes", 1),
        5000);
    String dlq = ScheduleRewrite.DLQ_PREFIX + "workers";
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> queue(dlq).size() == 1);
    StoredMessage dead = queue(dlq).get(0);
    assertThat(dead.propertyMap())
        .containsEntry("RETRY_TOPIC", "Work")
        .containsEntry("KEYS", "job-1")
        .containsEntry("UNIQ_KEY", "U-job-1");
    assertThat(new String(dead.body(), StandardCharsets.UTF_8)).isEqualTo("job-1");
    assertThat(
            client
                .invokeSync(
                    addr,
                    RemotingCommand.request(RequestCode.CONSUMER_SEND_MSG_BACK)
                        .put("group", "workers")
                        .put("offset", offset + 1),
                    5000)
                .code())
        .isEqualTo(ResponseCode.SYSTEM_ERROR);
  }
}
