package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.ExchangeType;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.ReceivedMessage;
import io.wharfmq.service.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/rabbitmq.md, "Routing": the official RocketMQ producer sends to topic {@code X} with tag
 * {@code K} where {@code X} is a declared exchange, and the queue bound to {@code X} with {@code K}
 * gets the message while a queue bound with another key does not; a tag no binding matches is
 * answered SEND_OK and stored nowhere. One in-JVM name server and broker on free 127.0.0.1 ports.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExchangeRocketMqInteropTest {
  @TempDir Path dir;
  private WharfCluster cluster;
  private Broker broker;
  private LocalMessagingService service;
  private final OfficialClients clients = new OfficialClients();

  @BeforeEach
  void start() throws Exception {
    cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    broker = cluster.startBroker("b1");
    service = broker.messagingService();
  }

  @AfterEach
  void stop() {
    clients.close();
  }

  private List<String> popAll(String queue) {
    String topic = DestinationNames.topic("/", queue);
    List<String> bodies = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      for (ReceivedMessage m :
          service
              .pop(
                  new PopCommand(
                      DestinationNames.queueGroup(topic),
                      topic,
                      -1,
                      32,
                      60_000,
                      0,
                      FilterType.TAG,
                      "*",
                      false,
                      false))
              .join()
              .messages()) {
        bodies.add(new String(m.body(), StandardCharsets.UTF_8));
      }
    }
    return bodies;
  }

  @Test
  void aRocketMqSendWithATagReachesTheQueueBoundWithThatKey() throws Exception {
    for (ExchangeType type : List.of(ExchangeType.DIRECT, ExchangeType.TOPIC)) {
      String x = "orders-" + type.wireName();
      assertThat(
              service
                  .declareExchange(new ExchangeSpec("/", x, type, true, false, false, Map.of()))
                  .status())
          .isEqualTo(Status.OK);
      for (String q : List.of("paid", "shipped")) {
        String queue = q + "-" + type.wireName();
        service.declareQueue(new QueueSpec("/", queue, true, false, false, Map.of(), null));
        String key = type == ExchangeType.TOPIC ? "order." + q + ".#" : q;
        assertThat(service.bind(new BindingSpec("/", x, queue, true, key, Map.of())).status())
            .isEqualTo(Status.OK);
      }
    }
    broker.registerNow();
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());

    for (String t : List.of("direct", "topic")) {
      String paidTag = t.equals("topic") ? "order.paid.eu" : "paid";
      String shippedTag = t.equals("topic") ? "order.shipped" : "shipped";
      assertThat(producer.send(message("orders-" + t, paidTag, "p-" + t)).getSendStatus())
          .isEqualTo(SendStatus.SEND_OK);
      assertThat(producer.send(message("orders-" + t, shippedTag, "s-" + t)).getSendStatus())
          .isEqualTo(SendStatus.SEND_OK);
    }
    long before = broker.store().commitLogMaxOffset();
    assertThat(producer.send(message("orders-direct", "lost", "nowhere")).getSendStatus())
        .isEqualTo(SendStatus.SEND_OK);
    assertThat(broker.store().commitLogMaxOffset()).isEqualTo(before);
    assertThat(service.unroutableCount()).isEqualTo(1);

    assertThat(broker.store().awaitDispatched(java.time.Duration.ofSeconds(10))).isTrue();
    assertThat(popAll("paid-direct")).containsExactly("p-direct");
    assertThat(popAll("shipped-direct")).containsExactly("s-direct");
    assertThat(popAll("paid-topic")).containsExactly("p-topic");
    assertThat(popAll("shipped-topic")).containsExactly("s-topic");
  }

  private static Message message(String topic, String tag, String body) {
    return new Message(topic, tag, body.getBytes(StandardCharsets.UTF_8));
  }
}
