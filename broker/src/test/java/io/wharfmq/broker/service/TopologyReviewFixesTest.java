package io.wharfmq.broker.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.ExchangeType;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Result;
import io.wharfmq.service.Routing;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.service.message.ReservedProperties;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review findings on topology and routing, each on a real broker and store in a temp dir: empty
 * queue names, RabbitMQ's queue-argument equivalence, vhost name length, a routed send's answer,
 * the declare/delete write order with startup reconciliation, non-durable queues after a restart,
 * deleteVhost with non-durable groups, split fan-outs stored and popped, and a queue name too long
 * for the message's properties.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TopologyReviewFixesTest {
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

  private static <T> T ok(Result<T> r) {
    assertThat(r.status()).as(r.detail()).isEqualTo(Status.OK);
    return r.value();
  }

  private static QueueSpec queue(
      String vhost, String name, boolean durable, Map<String, Object> a) {
    return new QueueSpec(vhost, name, durable, false, false, a, null);
  }

  private SendResult publish(String exchange, Map<String, String> props, String key) {
    return publish(exchange, 0, props, key);
  }

  private SendResult publish(String exchange, int queueId, Map<String, String> props, String key) {
    OutgoingMessage m =
        new OutgoingMessage(
            "body".getBytes(StandardCharsets.UTF_8),
            0,
            PropertiesText.encode(props),
            System.currentTimeMillis(),
            0);
    return service
        .send(
            new SendCommand(
                exchange,
                queueId,
                List.of(m),
                false,
                0,
                new InetSocketAddress("127.0.0.1", 1),
                true,
                -1,
                new Routing("/", exchange, List.of(key))))
        .join();
  }

  private List<String> popAll(String topic) {
    List<String> got = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
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
          .messages()
          .forEach(x -> got.add(new String(x.body(), StandardCharsets.UTF_8)));
    }
    return got;
  }

  @Test
  void anEmptyQueueNameIsAStatusNotAnException() {
    ok(
        service.declareExchange(
            new ExchangeSpec("/", "x", ExchangeType.DIRECT, true, false, false, Map.of())));
    assertThat(service.queue("/", "").status()).isEqualTo(Status.NOT_FOUND);
    assertThat(service.purgeQueue("/", "").status()).isEqualTo(Status.ILLEGAL);
    assertThat(service.deleteQueue("/", "", false, false).status()).isEqualTo(Status.ILLEGAL);
    assertThat(service.bind(new BindingSpec("/", "x", "", true, "k", Map.of())).status())
        .isEqualTo(Status.ILLEGAL);
  }

  @Test
  void aQueueReDeclareComparesOnlyTheArgumentsRabbitMqCompares() {
    ok(service.declareQueue(queue("/", "qa", true, Map.of("foo", "bar"))));
    assertThat(ok(service.declareQueue(queue("/", "qa", true, Map.of()))).created()).isFalse();
    assertThat(ok(service.declareQueue(queue("/", "qa", true, Map.of("foo", 1)))).created())
        .isFalse();
    assertThat(ok(service.queue("/", "qa")).spec().arguments()).containsEntry("foo", "bar");

    ok(service.declareQueue(queue("/", "qt", true, Map.of("x-message-ttl", 1000L))));
    assertThat(service.declareQueue(queue("/", "qt", true, Map.of())).status())
        .isEqualTo(Status.CONFLICT);
    assertThat(
            service.declareQueue(queue("/", "qt", true, Map.of("x-message-ttl", 2000L))).status())
        .isEqualTo(Status.CONFLICT);
  }

  @Test
  void aVhostNameWhosePrefixATopicNameCannotKeepIsRefused() {
    // '%' escapes to 3 characters: 34 of them are 102, 33 are 99 (the most a prefix may have).
    assertThat(service.createVhost("%".repeat(34)).status()).isEqualTo(Status.ILLEGAL);
    String longest = "%".repeat(TopologyOperations.MAX_ESCAPED_VHOST / 3);
    ok(service.createVhost(longest));
    ok(service.declareQueue(queue(longest, "q".repeat(200), true, Map.of())));
    String topic = DestinationNames.topic(longest, "q".repeat(200));
    assertThat(topic).contains("%%"); // shortened, the vhost prefix kept
    assertThat(service.topic(topic)).isNotNull();
    ok(service.deleteVhost(longest));
    assertThat(service.topic(topic)).isNull();
  }

  @Test
  void aRoutedSendReportsNoQueueOffset() {
    ok(
        service.declareExchange(
            new ExchangeSpec("/", "fan", ExchangeType.FANOUT, true, false, false, Map.of())));
    for (String q : List.of("a", "b")) {
      ok(service.declareQueue(queue("/", q, true, Map.of())));
      ok(service.bind(new BindingSpec("/", "fan", q, true, "", Map.of())));
    }
    publish("fan", Map.of(), "k");
    SendResult second = publish("fan", Map.of(), "k");
    assertThat(second.status()).isEqualTo(Status.OK);
    assertThat(second.topic()).isEqualTo("fan");
    assertThat(second.queueOffset()).isEqualTo(-1);
    assertThat(second.messageIds()).hasSize(1);
  }

  @Test
  void aDelayedFanOutReachesOnlyTheQueuesThatStillExistWhenDue() {
    ok(
        service.declareExchange(
            new ExchangeSpec("/", "later", ExchangeType.FANOUT, true, false, false, Map.of())));
    for (String q : List.of("stay", "go")) {
      ok(service.declareQueue(queue("/", q, true, Map.of())));
      ok(service.bind(new BindingSpec("/", "later", q, true, "", Map.of())));
    }
    long due = System.currentTimeMillis() + 1500;
    SendResult r = publish("later", Map.of(ReservedProperties.DELIVER_AT, Long.toString(due)), "k");
    assertThat(r.status()).as(r.detail()).isEqualTo(Status.OK);
    ok(service.deleteQueue("/", "go", false, false));
    List<String> got = new ArrayList<>();
    Awaitility.await("the due message in queue stay")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              got.addAll(popAll("stay"));
              return !got.isEmpty();
            });
    assertThat(got).containsExactly("body");
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    // The deleted queue's consume queues were not made again by the due record's dispatch.
    assertThat(broker.store().maxOffset("go", 0) + broker.store().maxOffset("go", 1)).isZero();
    assertThat(service.topic("go")).isNull();
  }

  @Test
  void aTransactionalFanOutCommittedAfterAQueueWasDeletedSkipsIt() {
    ok(
        service.declareExchange(
            new ExchangeSpec("/", "txx", ExchangeType.FANOUT, true, false, false, Map.of())));
    for (String q : List.of("tstay", "tgo")) {
      ok(service.declareQueue(queue("/", q, true, Map.of())));
      ok(service.bind(new BindingSpec("/", "txx", q, true, "", Map.of())));
    }
    String tx = service.beginTransaction();
    OutgoingMessage m =
        new OutgoingMessage(
            "body".getBytes(StandardCharsets.UTF_8), 0, "", System.currentTimeMillis(), 0);
    SendResult r =
        service
            .sendInTransaction(
                tx,
                new SendCommand(
                    "txx",
                    0,
                    List.of(m),
                    false,
                    0,
                    new InetSocketAddress("127.0.0.1", 1),
                    true,
                    -1,
                    new Routing("/", "txx", List.of("k"))))
            .join();
    assertThat(r.status()).as(r.detail()).isEqualTo(Status.OK);
    ok(service.deleteQueue("/", "tgo", false, false));
    ok(service.commitTransaction(tx).join());
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    assertThat(popAll("tstay")).containsExactly("body");
    assertThat(broker.store().maxOffset("tgo", 0) + broker.store().maxOffset("tgo", 1)).isZero();
  }

  @Test
  void aCachedRouteEndsWithItsTopologyVersion() {
    ok(
        service.declareExchange(
            new ExchangeSpec("/", "logs", ExchangeType.TOPIC, true, false, false, Map.of())));
    ok(service.declareQueue(queue("/", "first", true, Map.of())));
    ok(service.declareQueue(queue("/", "second", true, Map.of())));
    ok(service.bind(new BindingSpec("/", "logs", "first", true, "a.#", Map.of())));
    assertThat(publish("logs", Map.of(), "a.b.c").status()).isEqualTo(Status.OK);
    ok(service.bind(new BindingSpec("/", "logs", "second", true, "*.b.*", Map.of())));
    assertThat(publish("logs", Map.of(), "a.b.c").status()).isEqualTo(Status.OK);
    ok(service.unbind(new BindingSpec("/", "logs", "first", true, "a.#", Map.of())));
    assertThat(publish("logs", Map.of(), "a.b.c").status()).isEqualTo(Status.OK);
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    assertThat(popAll("first")).hasSize(2);
    assertThat(popAll("second")).hasSize(2);
  }

  @Test
  void routedPublishesWithoutAQueueIdOfOneConnectionKeepOneQueueId() {
    ok(
        service.declareExchange(
            new ExchangeSpec("/", "ord", ExchangeType.FANOUT, true, false, false, Map.of())));
    for (String q : List.of("o1", "o2")) {
      ok(service.declareQueue(queue("/", q, true, Map.of())));
      ok(service.bind(new BindingSpec("/", "ord", q, true, "", Map.of())));
    }
    java.util.Set<Integer> ids = new java.util.HashSet<>();
    for (int i = 0; i < 12; i++) {
      SendResult r = publish("ord", -1, Map.of(), "k");
      assertThat(r.status()).as(r.detail()).isEqualTo(Status.OK);
      ids.add(r.queueId());
    }
    assertThat(ids).hasSize(1);
  }

  @Test
  void aDurableQueueMissingItsTopicOrGroupAtStartupIsMadeAgainEmpty() throws Exception {
    ok(service.declareQueue(queue("/", "kept", true, Map.of("x-message-ttl", 60_000L))));
    String topic = DestinationNames.topic("/", "kept");
    // What a kill -9 between the registry write and the topic and group leaves (or in the middle
    // of a delete, which drops them before the registry entry).
    ok(service.deleteGroup(DestinationNames.queueGroup(topic)));
    ok(service.deleteTopic(topic));
    restart();
    assertThat(service.topic(topic)).isNotNull();
    assertThat(service.group(DestinationNames.queueGroup(topic))).isNotNull();
    assertThat(ok(service.queue("/", "kept")).spec().arguments())
        .containsEntry("x-message-ttl", 60_000L);
    // A retried declare with the same arguments is equivalent, not a conflict.
    assertThat(
            ok(service.declareQueue(queue("/", "kept", true, Map.of("x-message-ttl", 60_000L))))
                .created())
        .isFalse();
  }

  @Test
  void aNonDurableQueueLeavesNoTopicBehindAfterARestart() throws Exception {
    ok(service.declareQueue(queue("/", "gone", false, Map.of())));
    ok(service.declareQueue(queue("/", "stays", true, Map.of())));
    restart();
    assertThat(service.topic(DestinationNames.topic("/", "gone"))).isNull();
    assertThat(service.queue("/", "gone").status()).isEqualTo(Status.NOT_FOUND);
    assertThat(service.topic(DestinationNames.topic("/", "stays"))).isNotNull();
    restart(); // the list of leftovers was dropped: nothing more to delete
    assertThat(service.topic(DestinationNames.topic("/", "stays"))).isNotNull();
  }

  @Test
  void deleteVhostDeletesItsNonDurableGroups() {
    ok(service.createVhost("v"));
    ok(service.declareQueue(queue("v", "tq", false, Map.of())));
    String group = DestinationNames.queueGroup(DestinationNames.topic("v", "tq"));
    assertThat(service.group(group)).isNotNull();
    ok(service.deleteVhost("v"));
    assertThat(service.group(group)).isNull();
  }

  @Test
  void aSplitFanOutIsStoredAsSeveralRecordsAndEachQueueGetsItOnce() {
    ok(
        service.declareExchange(
            new ExchangeSpec("/", "split", ExchangeType.FANOUT, true, false, false, Map.of())));
    List<String> topics = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String name = "q" + i + "-" + "n".repeat(110);
      ok(service.declareQueue(queue("/", name, true, Map.of())));
      ok(service.bind(new BindingSpec("/", "split", name, true, "", Map.of())));
      topics.add(DestinationNames.topic("/", name));
    }
    // Properties so big that only a few targets fit next to them in one record.
    String filler = "f".repeat(31_000);
    SendResult r = publish("split", Map.of("filler", filler), "k");
    assertThat(r.status()).as(r.detail()).isEqualTo(Status.OK);
    assertThat(r.messageIds()).hasSizeGreaterThan(1);
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    for (String t : topics) {
      assertThat(popAll(t)).as(t).containsExactly("body");
    }
  }

  @Test
  void aQueueNameTooLongForTheMessagesPropertiesIsTooLarge() {
    ok(
        service.declareExchange(
            new ExchangeSpec("/", "tight", ExchangeType.FANOUT, true, false, false, Map.of())));
    String name = "n".repeat(200);
    ok(service.declareQueue(queue("/", name, true, Map.of())));
    ok(service.bind(new BindingSpec("/", "tight", name, true, "", Map.of())));
    SendResult r = publish("tight", Map.of("filler", "f".repeat(32_100)), "k");
    assertThat(r.status()).as(r.detail()).isEqualTo(Status.TOO_LARGE);
  }
}
