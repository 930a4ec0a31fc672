package io.wharfmq.broker.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.remoting.protocol.MessageIds;
import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.ExchangeType;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Result;
import io.wharfmq.service.Routing;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.service.message.ReservedProperties;
import io.wharfmq.store.format.DispatchTargets;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.StoredMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishes to exchanges through {@link LocalMessagingService} on a real broker and store: what the
 * send path stores (one record in the exchange's topic, the routing key as its tag, the queues
 * reached in {@link MessageProperties#DISPATCH}), unroutable publishes (nothing stored), internal
 * exchanges, the default exchange, a RocketMQ-style send to a topic that is an exchange, and
 * delayed sends.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExchangeRoutingTest {
  @TempDir Path dir;
  Broker broker;
  LocalMessagingService service;

  @BeforeEach
  void start() throws Exception {
    BrokerConfig config = TestBrokers.config(dir, 2, 4);
    broker = Broker.start(config, InstantSource.system());
    service = broker.messagingService();
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
  }

  private static <T> T ok(Result<T> r) {
    assertThat(r.status()).as(r.detail()).isEqualTo(Status.OK);
    return r.value();
  }

  private void exchange(String name, ExchangeType type, boolean internal) {
    ok(service.declareExchange(new ExchangeSpec("/", name, type, true, false, internal, Map.of())));
  }

  private void queue(String name) {
    ok(service.declareQueue(new QueueSpec("/", name, true, false, false, Map.of(), null)));
  }

  private void bind(String exchange, String queue, String key) {
    ok(service.bind(new BindingSpec("/", exchange, queue, true, key, Map.of())));
  }

  private SendResult publish(
      String exchange, int queueId, Map<String, String> props, String... keys) {
    return send(
        new SendCommand(
            exchange.isEmpty() ? "ignored" : exchange,
            queueId,
            List.of(message(props)),
            false,
            0,
            new InetSocketAddress("127.0.0.1", 1),
            true,
            -1,
            new Routing("/", exchange, List.of(keys))));
  }

  private SendResult send(SendCommand c) {
    return service.send(c).join();
  }

  /** A send as the RocketMQ door makes it (with the producer's default topic). */
  private SendResult rocketMqSend(SendCommand c) {
    return service.send(c, "TBW102", 4).join();
  }

  private static OutgoingMessage message(Map<String, String> props) {
    return new OutgoingMessage(
        "body".getBytes(StandardCharsets.UTF_8),
        0,
        PropertiesText.encode(props),
        System.currentTimeMillis(),
        0);
  }

  private StoredMessage stored(SendResult r) {
    assertThat(r.status()).as(r.detail()).isEqualTo(Status.OK);
    return broker.store().readMessage(MessageIds.decode(r.messageIds().get(0)).physicalOffset());
  }

  private static List<String> targets(StoredMessage m) {
    return targets(m, MessageProperties.DISPATCH);
  }

  private static List<String> targets(StoredMessage m, String property) {
    List<String> out = new ArrayList<>();
    String value = m.propertyMap().get(property);
    assertThat(value).as(property).isNotNull();
    for (DispatchTargets.Target t : DispatchTargets.parse(value)) {
      out.add(t.topic() + ":" + t.queueId());
    }
    return out;
  }

  @Test
  void aPublishIsStoredOnceInTheExchangeTopicListingTheQueuesReached() {
    exchange("logs", ExchangeType.TOPIC, false);
    queue("errors");
    queue("all.logs");
    queue("other");
    bind("logs", "errors", "*.error");
    bind("logs", "all.logs", "#");
    bind("logs", "other", "x.*");
    long before = broker.store().commitLogMaxOffset();

    StoredMessage m = stored(publish("logs", 3, Map.of("TAGS", "producer-tag"), "app.error"));
    assertThat(m.topic()).isEqualTo("logs");
    assertThat(m.propertyMap()).containsEntry("TAGS", "app.error");
    assertThat(targets(m)).containsExactly("errors:1", "all%2Elogs:1");
    assertThat(m.physicalOffset()).isEqualTo(before);

    StoredMessage cc = stored(publish("logs", 0, Map.of(), "app.info", "x.y"));
    assertThat(targets(cc)).containsExactly("all%2Elogs:0", "other:0");
    assertThat(cc.propertyMap()).containsEntry("TAGS", "app.info");
  }

  @Test
  void aFanOutToAHundredQueuesIsStoredOnceAndEachQueueGetsItOnce() {
    exchange("wide", ExchangeType.FANOUT, false);
    for (int i = 0; i < 100; i++) {
      ok(service.declareQueue(new QueueSpec("/", "w" + i, false, false, false, Map.of(), null)));
      bind("wide", "w" + i, "");
    }
    long before = broker.store().commitLogMaxOffset();
    SendResult r = publish("wide", 0, Map.of(), "k");
    StoredMessage m = stored(r);
    assertThat(r.messageIds()).hasSize(1);
    assertThat(broker.store().awaitDispatched(java.time.Duration.ofSeconds(10))).isTrue();
    assertThat(broker.store().commitLogMaxOffset() - before).isEqualTo(m.totalSize());
    for (int i = 0; i < 100; i++) {
      String topic = "w" + i;
      List<String> got = new ArrayList<>();
      for (int round = 0; round < 2; round++) {
        service
            .pop(
                new io.wharfmq.service.PopCommand(
                    io.wharfmq.service.DestinationNames.queueGroup(topic),
                    topic,
                    -1,
                    8,
                    60_000,
                    0,
                    io.wharfmq.service.FilterType.TAG,
                    "*",
                    false,
                    false))
            .join()
            .messages()
            .forEach(x -> got.add(new String(x.body(), StandardCharsets.UTF_8)));
      }
      assertThat(got).as(topic).containsExactly("body");
    }
  }

  @Test
  void aFanOutTooWideForOneRecordIsSplit() {
    List<DispatchTargets.Queue> targets = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      targets.add(new DispatchTargets.Queue("queue-" + i, i % 3));
    }
    String one = DispatchTargets.encode(targets);
    List<List<DispatchTargets.Queue>> parts = RoutedSends.split(targets, 100);
    assertThat(parts).hasSize(4);
    List<DispatchTargets.Queue> joined = new ArrayList<>();
    for (List<DispatchTargets.Queue> p : parts) {
      assertThat(DispatchTargets.encode(p).length()).isLessThanOrEqualTo(100);
      joined.addAll(p);
    }
    assertThat(joined).isEqualTo(targets);
    assertThat(RoutedSends.split(targets, one.length())).hasSize(1);
    assertThat(RoutedSends.split(targets, 10)).isEmpty();
  }

  @Test
  void anUnroutablePublishStoresNothing() {
    exchange("empty", ExchangeType.DIRECT, false);
    long before = broker.store().commitLogMaxOffset();
    long unroutable = service.unroutableCount();
    SendResult r = publish("empty", 0, Map.of(), "k");
    assertThat(r.status()).isEqualTo(Status.UNROUTABLE);
    assertThat(broker.store().commitLogMaxOffset()).isEqualTo(before);
    assertThat(service.unroutableCount()).isEqualTo(unroutable + 1);

    exchange("inner", ExchangeType.FANOUT, true);
    assertThat(publish("inner", 0, Map.of(), "").status()).isEqualTo(Status.FORBIDDEN);
    assertThat(publish("missing", 0, Map.of(), "").status()).isEqualTo(Status.NOT_FOUND);

    queue("any");
    bind("empty", "any", "bad\u0001key");
    assertThat(publish("empty", 0, Map.of(), "bad\u0001key").status()).isEqualTo(Status.ILLEGAL);
  }

  @Test
  void headersAndDefaultExchanges() {
    queue("pdfs");
    Map<String, Object> args = new HashMap<>();
    args.put("x-match", "all");
    args.put("format", "pdf");
    args.put("pages", 3L);
    ok(service.bind(new BindingSpec("/", "amq.headers", "pdfs", true, "", args)));
    Map<String, String> typed = new HashMap<>();
    typed.put("format", "pdf");
    typed.put("pages", "3");
    typed.put(ReservedProperties.TYPES, "S6:formatI5:pages");
    StoredMessage m = stored(publish("amq.headers", 0, typed, ""));
    assertThat(m.topic()).isEqualTo("amq%2Eheaders");
    assertThat(m.propertyMap()).doesNotContainKey("TAGS");
    assertThat(targets(m)).containsExactly("pdfs:0");
    typed.put(ReservedProperties.TYPES, "S6:formatS5:pages"); // "3" as a string: no match
    assertThat(publish("amq.headers", 0, typed, "").status()).isEqualTo(Status.UNROUTABLE);

    StoredMessage plain = stored(publish("", 1, Map.of(), "pdfs"));
    assertThat(plain.topic()).isEqualTo("pdfs");
    assertThat(plain.queueId()).isEqualTo(1);
    assertThat(plain.propertyMap()).doesNotContainKey(MessageProperties.DISPATCH);
    assertThat(publish("", 0, Map.of(), "nope").status()).isEqualTo(Status.UNROUTABLE);
  }

  @Test
  void aRocketMqSendToAnExchangeTopicIsRoutedByItsTag() {
    exchange("orders", ExchangeType.DIRECT, false);
    queue("paid");
    queue("shipped");
    bind("orders", "paid", "paid");
    bind("orders", "shipped", "shipped");
    Map<String, String> props = new HashMap<>();
    props.put("TAGS", "paid");
    props.put(
        MessageProperties.DISPATCH, "shipped:0:00000000000000000000"); // a producer's: dropped
    SendCommand c =
        new SendCommand(
            "orders",
            1,
            List.of(message(props)),
            false,
            0,
            new InetSocketAddress("127.0.0.1", 1),
            false,
            -1);
    StoredMessage m = stored(rocketMqSend(c));
    assertThat(targets(m)).containsExactly("paid:1");

    SendCommand none =
        new SendCommand(
            "orders",
            1,
            List.of(message(Map.of("TAGS", "lost"))),
            false,
            0,
            new InetSocketAddress("127.0.0.1", 1),
            false,
            -1);
    assertThat(rocketMqSend(none).status()).isEqualTo(Status.UNROUTABLE);
    // Another door's send to the same topic without routing is a plain send: not routed.
    assertThat(stored(send(none)).propertyMap()).doesNotContainKey(MessageProperties.DISPATCH);

    queue("plain");
    SendCommand toQueue =
        new SendCommand(
            "plain",
            0,
            List.of(message(props)),
            false,
            0,
            new InetSocketAddress("127.0.0.1", 1),
            false,
            -1);
    assertThat(stored(rocketMqSend(toQueue)).propertyMap())
        .doesNotContainKey(MessageProperties.DISPATCH);
  }

  @Test
  void aDelayedPublishKeepsItsTargetsWhileParked() {
    exchange("later", ExchangeType.FANOUT, false);
    queue("q");
    bind("later", "q", "");
    Map<String, String> props = new HashMap<>();
    props.put(ReservedProperties.DELIVER_AT, Long.toString(System.currentTimeMillis() + 600_000));
    StoredMessage m = stored(publish("later", 0, props, "k"));
    assertThat(m.topic()).isNotEqualTo("later"); // parked in the timer topic
    assertThat(targets(m, MessageProperties.REAL_DISPATCH)).containsExactly("q:0");
    assertThat(m.propertyMap()).doesNotContainKey(MessageProperties.DISPATCH);
  }
}
