package io.wharfmq.broker.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.Declared;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.ExchangeType;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.PopResult;
import io.wharfmq.service.QueueInfo;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Result;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.Status;
import io.wharfmq.service.Subscription;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * RabbitMQ's topology through {@link LocalMessagingService} on a real broker and store in a temp
 * dir: declares with RabbitMQ's equivalence rules, the pre-declared exchanges, queues made by an
 * AMQP address, bindings, vhosts, counts, purge and delete, and what a restart keeps.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TopologyServiceTest {
  @TempDir Path dir;
  BrokerConfig config;
  Broker broker;
  LocalMessagingService service;

  @BeforeEach
  void start() throws Exception {
    config = TestBrokers.config(dir, 2, 4);
    broker = Broker.start(config, InstantSource.system());
    service = broker.messagingService();
  }

  @AfterEach
  void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  private void restart() throws Exception {
    broker.close();
    broker = null;
    broker = Broker.start(config, InstantSource.system());
    service = broker.messagingService();
  }

  static ExchangeSpec exchange(String vhost, String name, ExchangeType type, boolean durable) {
    return new ExchangeSpec(vhost, name, type, durable, false, false, Map.of());
  }

  static QueueSpec queue(String vhost, String name, boolean durable, Map<String, Object> args) {
    return new QueueSpec(vhost, name, durable, false, false, args, null);
  }

  static BindingSpec toQueue(String vhost, String source, String queue, String key) {
    return new BindingSpec(vhost, source, queue, true, key, Map.of());
  }

  private static <T> T ok(Result<T> r) {
    assertThat(r.status()).as(r.detail()).isEqualTo(Status.OK);
    return r.value();
  }

  private void sendTo(String topic, int n) {
    for (int i = 0; i < n; i++) {
      OutgoingMessage m =
          new OutgoingMessage(
              ("m" + i).getBytes(StandardCharsets.UTF_8), 0, "", System.currentTimeMillis(), 0);
      SendCommand c =
          new SendCommand(
              topic, 0, List.of(m), false, 0, new InetSocketAddress("127.0.0.1", 1), false, -1);
      assertThat(service.send(c).join().status()).isEqualTo(Status.OK);
    }
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
  }

  // ------------------------------------------------------------------ tests

  @Test
  void exchangeDeclareFollowsRabbitMqEquivalenceRules() {
    Declared<ExchangeSpec> first =
        ok(service.declareExchange(exchange("/", "orders", ExchangeType.TOPIC, true)));
    assertThat(first.created()).isTrue();
    assertThat(service.topic(DestinationNames.topic("/", "orders"))).isNotNull();

    Declared<ExchangeSpec> again =
        ok(service.declareExchange(exchange("/", "orders", ExchangeType.TOPIC, true)));
    assertThat(again.created()).isFalse();

    assertThat(service.declareExchange(exchange("/", "orders", ExchangeType.DIRECT, true)).status())
        .isEqualTo(Status.CONFLICT);
    assertThat(service.declareExchange(exchange("/", "orders", ExchangeType.TOPIC, false)).status())
        .isEqualTo(Status.CONFLICT);
    ExchangeSpec withAe =
        new ExchangeSpec(
            "/",
            "orders",
            ExchangeType.TOPIC,
            true,
            false,
            false,
            Map.of("alternate-exchange", "ae"));
    assertThat(service.declareExchange(withAe).status()).isEqualTo(Status.CONFLICT);

    assertThat(
            service.declareExchange(exchange("/", "amq.mine", ExchangeType.DIRECT, true)).status())
        .isEqualTo(Status.FORBIDDEN);
    assertThat(service.declareExchange(exchange("/", "", ExchangeType.DIRECT, true)).status())
        .isEqualTo(Status.FORBIDDEN);
    assertThat(service.declareExchange(exchange("/", "TBW102", ExchangeType.DIRECT, true)).status())
        .isEqualTo(Status.FORBIDDEN);
    assertThat(service.declareQueue(queue("/", "SCHEDULE_TOPIC_XXXX", true, Map.of())).status())
        .isEqualTo(Status.FORBIDDEN);
    assertThat(service.declareExchange(exchange("nope", "x", ExchangeType.DIRECT, true)).status())
        .isEqualTo(Status.NOT_FOUND);

    for (String pre :
        List.of("amq.direct", "amq.fanout", "amq.topic", "amq.headers", "amq.match", "")) {
      assertThat(ok(service.exchange("/", pre)).durable()).isTrue();
      assertThat(service.deleteExchange("/", pre, false).status()).isEqualTo(Status.FORBIDDEN);
    }
    assertThat(ok(service.exchange("/", "amq.match")).type()).isEqualTo(ExchangeType.HEADERS);
    assertThat(service.exchange("/", "missing").status()).isEqualTo(Status.NOT_FOUND);

    ok(service.declareQueue(queue("/", "q", true, Map.of())));
    ok(service.bind(toQueue("/", "orders", "q", "a.*")));
    assertThat(service.deleteExchange("/", "orders", true).status()).isEqualTo(Status.CONFLICT);
    ok(service.deleteExchange("/", "orders", false));
    assertThat(service.exchange("/", "orders").status()).isEqualTo(Status.NOT_FOUND);
    assertThat(ok(service.bindings("/", null, null, true, null))).isEmpty();
    ok(service.deleteExchange("/", "orders", false)); // absent: OK
  }

  @Test
  void queueDeclareFollowsRabbitMqEquivalenceRules() {
    Map<String, Object> args = Map.of("x-message-ttl", 1000, "x-queue-type", "quorum");
    Declared<QueueInfo> first = ok(service.declareQueue(queue("/", "jobs", true, args)));
    assertThat(first.created()).isTrue();
    assertThat(first.value().topic()).isEqualTo("jobs");
    assertThat(first.value().spec().arguments()).containsEntry("x-message-ttl", 1000L);
    GroupSettings g = service.group(DestinationNames.queueGroup("jobs"));
    assertThat(g).isNotNull();
    assertThat(g.durable()).isTrue();
    assertThat(g.startAtTail()).isTrue();

    assertThat(
            ok(service.declareQueue(queue("/", "jobs", true, Map.of("x-message-ttl", 1000L))))
                .created())
        .as("x-queue-type left out is equivalent")
        .isFalse();
    assertThat(
            service.declareQueue(queue("/", "jobs", true, Map.of("x-message-ttl", 2000))).status())
        .isEqualTo(Status.CONFLICT);
    assertThat(service.declareQueue(queue("/", "jobs", false, args)).status())
        .isEqualTo(Status.CONFLICT);
    assertThat(service.declareQueue(queue("/", "amq.q", true, Map.of())).status())
        .isEqualTo(Status.FORBIDDEN);
    assertThat(service.declareQueue(queue("other", "q", true, Map.of())).status())
        .isEqualTo(Status.NOT_FOUND);

    QueueSpec mine = new QueueSpec("/", "excl", false, true, false, Map.of(), "conn-1");
    assertThat(ok(service.declareQueue(mine)).created()).isTrue();
    QueueSpec theirs = new QueueSpec("/", "excl", false, true, false, Map.of(), "conn-2");
    assertThat(service.declareQueue(theirs).status()).isEqualTo(Status.CONFLICT);

    assertThat(service.topology().queueArguments("/", "jobs"))
        .containsEntry("x-message-ttl", 1000L);
    assertThat(service.topology().queueOfTopic("jobs").name()).isEqualTo("jobs");
  }

  @Test
  void aQueueMadeByAnAmqpAddressIsADurableQueueWithoutArguments() {
    // What the AMQP adapter does for a plain address (Nodes.prepare).
    String topic = DestinationNames.topic("/", "plain.q");
    String group = DestinationNames.queueGroup(topic);
    ok(service.ensureTopic(topic));
    ok(service.ensureGroup(new GroupSettings(group, 17, true, true, true)));
    ok(service.subscribe(new Subscription(group, topic, FilterType.TAG, "*", true)));

    QueueInfo info = ok(service.queue("/", "plain.q"));
    assertThat(info.spec().durable()).isTrue();
    assertThat(info.spec().arguments()).isEmpty();
    assertThat(info.topic()).isEqualTo(topic);
    assertThat(ok(service.declareQueue(queue("/", "plain.q", true, Map.of()))).created()).isFalse();
    assertThat(
            service.declareQueue(queue("/", "plain.q", true, Map.of("x-max-length", 5))).status())
        .isEqualTo(Status.CONFLICT);
    ok(service.bind(toQueue("/", "amq.direct", "plain.q", "k")));
    assertThat(ok(service.bindings("/", "amq.direct", "plain.q", true, "k"))).hasSize(1);
  }

  @Test
  void bindingsAreListedFilteredAndRemoved() {
    ok(service.declareExchange(exchange("/", "x1", ExchangeType.DIRECT, true)));
    ok(service.declareExchange(exchange("/", "x2", ExchangeType.FANOUT, true)));
    ok(service.declareQueue(queue("/", "q1", true, Map.of())));
    ok(service.declareQueue(queue("/", "q2", true, Map.of())));
    ok(service.bind(toQueue("/", "x1", "q1", "a")));
    ok(service.bind(toQueue("/", "x1", "q1", "a"))); // again: OK, once
    ok(service.bind(toQueue("/", "x1", "q2", "b")));
    ok(service.bind(new BindingSpec("/", "x1", "x2", false, "c", Map.of())));

    assertThat(ok(service.bindings("/", null, null, true, null))).hasSize(3);
    assertThat(ok(service.bindings("/", "x1", "q1", true, null)))
        .containsExactly(toQueue("/", "x1", "q1", "a"));
    assertThat(ok(service.bindings("/", "x1", "x2", false, null))).hasSize(1);
    assertThat(ok(service.bindings("/", null, null, true, "b"))).hasSize(1);

    assertThat(service.bind(toQueue("/", "x1", "missing", "a")).status())
        .isEqualTo(Status.NOT_FOUND);
    assertThat(service.bind(toQueue("/", "missing", "q1", "a")).status())
        .isEqualTo(Status.NOT_FOUND);
    assertThat(service.bind(toQueue("/", "", "q1", "a")).status()).isEqualTo(Status.FORBIDDEN);
    BindingSpec badHeaders =
        new BindingSpec("/", "amq.headers", "q1", true, "", Map.of("x-match", "some"));
    assertThat(service.bind(badHeaders).status()).isEqualTo(Status.ILLEGAL);

    ok(service.unbind(toQueue("/", "x1", "q1", "a")));
    ok(service.unbind(toQueue("/", "x1", "q1", "a"))); // absent: OK
    assertThat(ok(service.bindings("/", "x1", "q1", true, null))).isEmpty();

    assertThat(ok(service.deleteQueue("/", "q2", false, false))).isZero();
    assertThat(ok(service.bindings("/", null, "q2", true, null))).isEmpty();
    assertThat(service.queue("/", "q2").status()).isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void anAutoDeleteExchangeGoesWithItsLastBinding() {
    ok(
        service.declareExchange(
            new ExchangeSpec("/", "ad", ExchangeType.FANOUT, true, true, false, Map.of())));
    ok(service.declareQueue(queue("/", "q1", true, Map.of())));
    ok(service.declareQueue(queue("/", "q2", true, Map.of())));
    ok(service.bind(toQueue("/", "ad", "q1", "")));
    ok(service.bind(toQueue("/", "ad", "q2", "")));
    ok(service.unbind(toQueue("/", "ad", "q1", "")));
    assertThat(service.exchange("/", "ad").status()).isEqualTo(Status.OK);
    ok(service.deleteQueue("/", "q2", false, false));
    assertThat(service.exchange("/", "ad").status()).isEqualTo(Status.NOT_FOUND);
    assertThat(service.topic("ad")).isNull();
  }

  @Test
  void countsPurgeAndDelete() {
    ok(service.declareQueue(queue("/", "work", true, Map.of())));
    sendTo("work", 5);
    assertThat(ok(service.queue("/", "work")).messageCount()).isEqualTo(5);

    PopResult popped =
        service
            .pop(
                new PopCommand(
                    DestinationNames.queueGroup("work"),
                    "work",
                    -1,
                    2,
                    60_000,
                    0,
                    FilterType.TAG,
                    "*",
                    false,
                    false))
            .join();
    assertThat(popped.messages()).hasSize(2);
    assertThat(ok(service.queue("/", "work")).messageCount()).isEqualTo(5);

    assertThat(ok(service.purgeQueue("/", "work"))).isEqualTo(3); // in flight stays
    assertThat(ok(service.queue("/", "work")).messageCount()).isEqualTo(2);
    sendTo("work", 1);
    assertThat(ok(service.queue("/", "work")).messageCount()).isEqualTo(3);

    assertThat(service.deleteQueue("/", "work", false, true).status()).isEqualTo(Status.CONFLICT);
    assertThat(ok(service.deleteQueue("/", "work", false, false))).isEqualTo(3);
    assertThat(service.queue("/", "work").status()).isEqualTo(Status.NOT_FOUND);
    assertThat(service.topic("work")).isNull();
    assertThat(service.group(DestinationNames.queueGroup("work"))).isNull();
    assertThat(service.purgeQueue("/", "work").status()).isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void restartKeepsDurableTopologyAndDropsTransient() throws Exception {
    ok(service.createVhost("tenant-a"));
    ok(service.declareExchange(exchange("/", "keep", ExchangeType.TOPIC, true)));
    ok(service.declareExchange(exchange("/", "gone", ExchangeType.FANOUT, false)));
    ok(service.declareQueue(queue("/", "kq", true, Map.of("x-max-length", 10))));
    ok(service.declareQueue(queue("/", "tq", false, Map.of())));
    ok(service.declareQueue(new QueueSpec("/", "xq", true, true, false, Map.of(), "c1")));
    ok(service.declareQueue(queue("tenant-a", "kq", true, Map.of())));
    ok(service.bind(toQueue("/", "keep", "kq", "a.#")));
    ok(service.bind(toQueue("/", "keep", "tq", "b.#")));
    ok(service.bind(toQueue("/", "gone", "kq", "")));
    ok(service.bind(new BindingSpec("/", "keep", "gone", false, "c", Map.of())));
    ok(service.bind(toQueue("tenant-a", "amq.fanout", "kq", "")));

    restart();

    assertThat(service.vhosts()).containsExactly("/", "tenant-a");
    assertThat(ok(service.exchange("/", "keep")).type()).isEqualTo(ExchangeType.TOPIC);
    assertThat(service.exchange("/", "gone").status()).isEqualTo(Status.NOT_FOUND);
    assertThat(ok(service.queue("/", "kq")).spec().arguments()).containsEntry("x-max-length", 10L);
    assertThat(service.queue("/", "tq").status()).isEqualTo(Status.NOT_FOUND);
    assertThat(service.queue("/", "xq").status()).isEqualTo(Status.NOT_FOUND);
    assertThat(ok(service.bindings("/", null, null, true, null)))
        .containsExactly(toQueue("/", "keep", "kq", "a.#"));
    assertThat(ok(service.bindings("tenant-a", null, null, true, null)))
        .containsExactly(toQueue("tenant-a", "amq.fanout", "kq", ""));
    assertThat(ok(service.queue("tenant-a", "kq")).topic()).isEqualTo("tenant-a|kq");

    ok(service.deleteVhost("tenant-a"));
    assertThat(service.vhosts()).containsExactly("/");
    assertThat(service.topic("tenant-a|kq")).isNull();
    assertThat(service.queue("tenant-a", "kq").status()).isEqualTo(Status.NOT_FOUND);
    assertThat(service.deleteVhost("/").status()).isEqualTo(Status.FORBIDDEN);
    restart();
    assertThat(service.vhosts()).containsExactly("/");
  }

  @Test
  void aDamagedTopologyFileStopsStartup() throws Exception {
    ok(service.declareExchange(exchange("/", "keep", ExchangeType.TOPIC, true)));
    broker.close();
    broker = null;
    Path file = dir.resolve("config").resolve("topology.json");
    String text = Files.readString(file);
    Files.writeString(file, text.substring(0, text.length() / 2));
    assertThatThrownBy(() -> Broker.start(config, InstantSource.system()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("topology.json")
        .hasMessageContaining("damaged");
  }
}
