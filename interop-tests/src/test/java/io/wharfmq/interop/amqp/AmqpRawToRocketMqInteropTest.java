package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharfmq.service.message.ReservedProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * rhea and Qpid Proton for Python send through a real Wharf process's AMQP listener; the official
 * RocketMQ push consumer reads what docs/mapping.md says: the string body as UTF-8, typed
 * application properties (int, ulong, boolean, symbol, timestamp) as their text with their types in
 * {@code WHARF_TYPES}, the {@code x-opt-rocketmq-tags/keys} annotations as tag and keys, message-id
 * and subject as {@code WHARF_} properties. One Wharf process for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AmqpRawToRocketMqInteropTest {
  private final WharfAmqpBroker broker = new WharfAmqpBroker();
  private Path dir;

  @BeforeAll
  void startBroker(@TempDir Path dir) throws Exception {
    this.dir = dir;
    broker.start(dir.resolve(broker.name()));
  }

  @AfterAll
  void stopBroker() throws Exception {
    broker.stop();
  }

  @ParameterizedTest
  @EnumSource(ScenarioScript.class)
  void aRawAmqpMessageReachesTheRocketMqConsumerAsTheTableSays(ScenarioScript client)
      throws Exception {
    String name = client.name().toLowerCase();
    String queue = AmqpBrokerUnderTest.unique("xp-raw-" + name.replace('_', '-'));
    Map<String, JsonNode> f = client.run(broker, "typed-send", queue, name, dir.resolve("scripts"));
    assertThat(f.get("outcome").toString()).isEqualTo("[\"accepted\"]");

    List<MessageExt> got = new CopyOnWriteArrayList<>();
    DefaultMQPushConsumer c = new DefaultMQPushConsumer("cg-" + queue);
    c.setNamesrvAddr(broker.namesrvAddr());
    c.setInstanceName("raw-to-rmq-" + queue);
    c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    c.subscribe(queue, "*");
    c.registerMessageListener(
        (MessageListenerConcurrently)
            (msgs, ctx) -> {
              got.addAll(msgs);
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    c.start();
    try {
      Awaitility.await(name + "'s message at the RocketMQ consumer")
          .atMost(Duration.ofSeconds(60))
          .until(() -> !got.isEmpty());
    } finally {
      c.shutdown();
    }

    MessageExt m = got.get(0);
    assertThat(new String(m.getBody(), StandardCharsets.UTF_8)).isEqualTo("from " + name);
    assertThat(m.getTags()).isEqualTo("TagRaw");
    assertThat(m.getKeys()).isEqualTo("rk1 rk2");
    assertThat(m.getUserProperty("client")).isEqualTo(name);
    assertThat(m.getUserProperty("count")).isEqualTo("10");
    assertThat(m.getUserProperty("big")).isEqualTo("1099511627776");
    assertThat(m.getUserProperty("flag")).isEqualTo("true");
    assertThat(m.getUserProperty("sym")).isEqualTo("a-symbol");
    assertThat(m.getUserProperty("at")).isEqualTo("1700000000123");
    assertThat(m.getUserProperty(ReservedProperties.TYPES))
        .contains("S6:client", "I5:count", "l3:big", "Z4:flag", "Y3:sym", "T2:at");
    assertThat(m.getUserProperty(ReservedProperties.MESSAGE_ID)).isEqualTo("raw-" + name);
    assertThat(m.getUserProperty(ReservedProperties.SUBJECT)).isEqualTo("RawSubject");
    assertThat(m.getUserProperty(ReservedProperties.BODY))
        .isEqualTo(ReservedProperties.BODY_STRING);
  }
}
