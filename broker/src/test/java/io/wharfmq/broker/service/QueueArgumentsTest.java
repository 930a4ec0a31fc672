package io.wharfmq.broker.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.queue.QueueArguments;
import io.wharfmq.broker.queue.QueueRef;
import io.wharfmq.service.AckStatus;
import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.Declared;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.ExchangeType;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.PopResult;
import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.QueueInfo;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.ReceivedMessage;
import io.wharfmq.service.Result;
import io.wharfmq.service.Routing;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.service.message.DeathHistory;
import io.wharfmq.service.message.ReservedProperties;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queue arguments on a real broker and store over a temp dir, with the clock moved by hand: message
 * TTL (queue and message, the smaller wins), dead-lettering with the death history for expired and
 * rejected messages, drop-head and reject-publish length limits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueueArgumentsTest {
  @TempDir Path dir;
  final AtomicLong now = new AtomicLong(1_700_000_000_000L);
  Broker broker;
  LocalMessagingService service;

  @BeforeEach
  void start() throws Exception {
    BrokerConfig config = TestBrokers.config(dir, 1, 4);
    InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    broker = Broker.start(config, clock);
    service = broker.messagingService();
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
  }

  /** Declares the queue as the /management node does; returns it as the rules see it. */
  private QueueRef queue(String name, Map<String, Object> args) {
    Result<Declared<QueueInfo>> r =
        service.declareQueue(new QueueSpec("/", name, true, false, false, args, null));
    assertThat(r.isOk()).as(r.detail()).isTrue();
    String topic = DestinationNames.topic("/", name);
    return new QueueRef("/", name, topic, QueueArguments.parse(args).value());
  }

  private SendResult send(String queue, String body, Map<String, String> props) {
    SendResult r =
        service
            .send(
                new SendCommand(
                    DestinationNames.topic("/", queue),
                    -1,
                    List.of(
                        new OutgoingMessage(
                            body.getBytes(StandardCharsets.UTF_8),
                            0,
                            PropertiesText.encode(props),
                            now.get(),
                            0)),
                    false,
                    0,
                    new InetSocketAddress("127.0.0.1", 40000),
                    false,
                    -1))
            .join();
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    return r;
  }

  private PopResult pop(QueueRef q, int max) {
    return service
        .pop(
            new PopCommand(
                q.group(), q.topic(), -1, max, 60_000, 0, FilterType.TAG, "*", false, false))
        .join();
  }

  private List<ReceivedMessage> popAll(QueueRef q) {
    List<ReceivedMessage> out = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      out.addAll(pop(q, 32).messages());
    }
    return out;
  }

  private static String body(ReceivedMessage m) {
    return new String(m.body(), StandardCharsets.UTF_8);
  }

  @Test
  void smallerOfMessageAndQueueTtlWinsAndExpiredMessagesAreDeadLetteredWithoutAConsumer() {
    QueueRef dead = queue("dead", Map.of());
    queue(
        "work",
        Map.of(
            "x-message-ttl",
            10_000L,
            "x-dead-letter-exchange",
            "",
            "x-dead-letter-routing-key",
            "dead"));
    // As RabbitMQ: expiry without a consumer happens at the head of the queue.
    send(
        "work",
        "own-ttl",
        Map.of(
            ReservedProperties.TTL,
            "2000",
            ReservedProperties.EXPIRES_AT,
            Long.toString(now.get() + 2000)));

    send("work", "queue-ttl", Map.of());
    now.addAndGet(3_000); // the message's own 2 s TTL is over, the queue's 10 s is not
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> broker.store().maxOffset(dead.topic(), 0) == 1);
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    List<ReceivedMessage> got = popAll(dead);
    assertThat(got).extracting(QueueArgumentsTest::body).containsExactly("own-ttl");
    Map<String, String> p = got.get(0).properties();
    assertThat(p).doesNotContainKeys(ReservedProperties.TTL, ReservedProperties.EXPIRES_AT);
    List<DeathHistory.Death> deaths = DeathHistory.decode(p.get(ReservedProperties.DEATHS));
    assertThat(deaths).hasSize(1);
    DeathHistory.Death d = deaths.get(0);
    assertThat(d.queue()).isEqualTo("work");
    assertThat(d.reason()).isEqualTo("expired");
    assertThat(d.count()).isEqualTo(1);
    assertThat(d.exchange()).isEmpty();
    assertThat(d.routingKeys()).containsExactly("work");
    assertThat(d.ttl()).isEqualTo(2000);
    assertThat(d.firstTime()).isEqualTo(now.get());
    assertThat(DeathHistory.decodeEvent(p.get(ReservedProperties.FIRST_DEATH)))
        .isEqualTo(new DeathHistory.Event("work", "expired", ""));

    now.addAndGet(8_000); // now the queue's TTL is over too
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> broker.store().maxOffset(dead.topic(), 0) == 2);
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    assertThat(popAll(dead)).extracting(QueueArgumentsTest::body).containsExactly("queue-ttl");
  }

  @Test
  void aMessageExpiringAroundACycleIsDroppedWhereItWouldComeBack() {
    QueueRef ping =
        queue(
            "ping",
            Map.of(
                "x-message-ttl",
                1000L,
                "x-dead-letter-exchange",
                "",
                "x-dead-letter-routing-key",
                "pong"));
    QueueRef pong =
        queue(
            "pong",
            Map.of(
                "x-message-ttl",
                1000L,
                "x-dead-letter-exchange",
                "",
                "x-dead-letter-routing-key",
                "ping"));
    send("ping", "loop", Map.of());
    now.addAndGet(1_500);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> broker.store().maxOffset(pong.topic(), 0) == 1);
    now.addAndGet(1_500);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> service.queue("/", "pong").value().messageCount() == 0);
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    assertThat(broker.store().maxOffset(ping.topic(), 0)).isEqualTo(1); // not republished
    assertThat(service.queue("/", "ping").value().messageCount()).isZero();
  }

  @Test
  void anExpiredMessageOfAQueueWithoutDeadLetterExchangeIsDroppedNotDelivered() {
    QueueRef q = queue("short", Map.of("x-message-ttl", 1000L));
    send("short", "old", Map.of());
    now.addAndGet(1_000);
    send("short", "new", Map.of());
    assertThat(popAll(q)).extracting(QueueArgumentsTest::body).containsExactly("new");
  }

  @Test
  void rejectedMessagesAreDeadLetteredAndTheHistoryCountsPerQueueAndReason() {
    QueueRef retry =
        queue("retry", Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", "work2"));
    QueueRef work =
        queue("work2", Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", "retry"));
    send("work2", "m", Map.of(ReservedProperties.TAGS, "ignored-for-default"));
    for (int round = 1; round <= 2; round++) {
      ReceivedMessage m = popAll(work).get(0);
      assertThat(service.deadLetter(m.receipt(), "bad").join()).isEqualTo(AckStatus.OK);
      assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
      ReceivedMessage r = popAll(retry).get(0);
      assertThat(service.deadLetter(r.receipt(), "again").join()).isEqualTo(AckStatus.OK);
      assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    }
    ReceivedMessage m = popAll(work).get(0);
    List<DeathHistory.Death> deaths =
        DeathHistory.decode(m.properties().get(ReservedProperties.DEATHS));
    assertThat(deaths)
        .extracting(
            DeathHistory.Death::queue, DeathHistory.Death::reason, DeathHistory.Death::count)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("retry", "rejected", 2L),
            org.assertj.core.groups.Tuple.tuple("work2", "rejected", 2L));
    assertThat(DeathHistory.decodeEvent(m.properties().get(ReservedProperties.FIRST_DEATH)).queue())
        .isEqualTo("work2");
    assertThat(DeathHistory.decodeEvent(m.properties().get(ReservedProperties.LAST_DEATH)).queue())
        .isEqualTo("retry");
    assertThat(broker.store().maxOffset("%DLQ%" + work.group(), 0)).isZero();
  }

  @Test
  void aMessageDeliveredAsOftenAsTheQueueAllowsIsDeadLetteredWithReasonDeliveryLimit() {
    QueueRef limit = queue("dl", Map.of());
    QueueRef work =
        queue("flaky", Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", "dl"));
    send("flaky", "poison", Map.of());
    int deliveries = 0;
    for (int i = 0; i < 40 && broker.store().maxOffset(limit.topic(), 0) == 0; i++) {
      List<ReceivedMessage> got = popAll(work);
      for (ReceivedMessage m : got) {
        deliveries++;
        assertThat(service.release(m.receipt(), true).join()).isEqualTo(AckStatus.OK);
      }
      if (got.isEmpty()) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> broker.store().maxOffset(limit.topic(), 0) == 1);
      }
    }
    assertThat(deliveries).isEqualTo(service.group(work.group()).maxDeliveries());
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    ReceivedMessage dead = popAll(limit).get(0);
    DeathHistory.Death d =
        DeathHistory.decode(dead.properties().get(ReservedProperties.DEATHS)).get(0);
    assertThat(d.reason()).isEqualTo("delivery_limit");
    assertThat(d.queue()).isEqualTo("flaky");
    assertThat(dead.reconsumeTimes()).isZero();
    assertThat(broker.store().maxOffset("%DLQ%" + work.group(), 0)).isZero();
  }

  private void bind(String exchange, String queue, String key) {
    assertThat(service.bind(new BindingSpec("/", exchange, queue, true, key, Map.of())).isOk())
        .isTrue();
  }

  private SendResult publish(String exchange, String body, List<String> keys) {
    SendResult r =
        service
            .send(
                new SendCommand(
                    DestinationNames.topic("/", exchange),
                    -1,
                    List.of(
                        new OutgoingMessage(
                            body.getBytes(StandardCharsets.UTF_8), 0, "", now.get(), 0)),
                    false,
                    0,
                    new InetSocketAddress("127.0.0.1", 40000),
                    false,
                    -1,
                    new Routing("/", exchange, keys)))
            .join();
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    return r;
  }

  @Test
  void deadLettersGoThroughANamedExchangeByTheirOwnKeysAndRoutedPublishesMeetRejectPublish() {
    assertThat(
            service
                .declareExchange(
                    new ExchangeSpec("/", "dlx", ExchangeType.DIRECT, true, false, false, Map.of()))
                .isOk())
        .isTrue();
    QueueRef deadA = queue("dead-a", Map.of());
    QueueRef deadB = queue("dead-b", Map.of());
    bind("dlx", "dead-a", "a");
    bind("dlx", "dead-b", "b");
    QueueRef work = queue("work3", Map.of("x-dead-letter-exchange", "dlx"));
    bind("amq.direct", "work3", "a");
    assertThat(publish("amq.direct", "cc", List.of("a", "b")).status()).isEqualTo(Status.OK);

    ReceivedMessage m = popAll(work).get(0);
    assertThat(service.deadLetter(m.receipt(), "no").join()).isEqualTo(AckStatus.OK);
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    List<ReceivedMessage> a = popAll(deadA);
    List<ReceivedMessage> b = popAll(deadB);
    assertThat(a).extracting(QueueArgumentsTest::body).containsExactly("cc");
    assertThat(b).extracting(QueueArgumentsTest::body).containsExactly("cc");
    DeathHistory.Death d =
        DeathHistory.decode(a.get(0).properties().get(ReservedProperties.DEATHS)).get(0);
    assertThat(d.exchange()).isEqualTo("amq.direct");
    assertThat(d.routingKeys()).containsExactly("a", "b");
    assertThat(d.reason()).isEqualTo("rejected");

    QueueRef full = queue("full", Map.of("x-max-length", 0L, "x-overflow", "reject-publish"));
    QueueRef other = queue("other", Map.of());
    bind("amq.direct", "full", "f");
    bind("amq.direct", "other", "f");
    SendResult refused = publish("amq.direct", "f1", List.of("f"));
    assertThat(refused.status()).isEqualTo(Status.QUEUE_FULL);
    assertThat(refused.topic()).isEqualTo(full.topic());
    assertThat(popAll(other)).extracting(QueueArgumentsTest::body).containsExactly("f1");
    assertThat(popAll(full)).isEmpty();
  }

  @Test
  void rejectPublishRefusesWhenFullAndDropHeadDeadLettersTheOldest() {
    QueueRef limited = queue("limited", Map.of("x-max-length", 2L, "x-overflow", "reject-publish"));
    assertThat(send("limited", "1", Map.of()).status()).isEqualTo(Status.OK);
    assertThat(send("limited", "2", Map.of()).status()).isEqualTo(Status.OK);
    SendResult refused = send("limited", "3", Map.of());
    assertThat(refused.status()).isEqualTo(Status.QUEUE_FULL);
    assertThat(refused.topic()).isEqualTo(limited.topic());
    List<ReceivedMessage> got = popAll(limited);
    assertThat(got).extracting(QueueArgumentsTest::body).containsExactly("1", "2");
    assertThat(send("limited", "4", Map.of()).status())
        .isEqualTo(Status.OK); // in flight do not count

    QueueRef over = queue("over", Map.of());
    QueueRef head =
        queue(
            "head",
            Map.of(
                "x-max-length",
                2L,
                "x-dead-letter-exchange",
                "",
                "x-dead-letter-routing-key",
                "over"));
    for (int i = 1; i <= 4; i++) {
      send("head", "h" + i, Map.of());
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> broker.store().maxOffset(over.topic(), 0) == 2);
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    assertThat(popAll(head)).extracting(QueueArgumentsTest::body).containsExactly("h3", "h4");
    List<ReceivedMessage> dropped = popAll(over);
    assertThat(dropped).extracting(QueueArgumentsTest::body).containsExactly("h1", "h2");
    assertThat(
            DeathHistory.decode(dropped.get(0).properties().get(ReservedProperties.DEATHS))
                .get(0)
                .reason())
        .isEqualTo("maxlen");
  }

  @Test
  void aQueueUnusedForItsExpiresIsDeletedAndBadArgumentsAreRefused() {
    queue("temp", Map.of("x-expires", 1000L));
    now.addAndGet(500);
    assertThat(service.queue("/", "temp").isOk()).isTrue(); // a get is a use
    now.addAndGet(800);
    assertThat(service.topology().current().queue("/", "temp")).isNotNull();
    now.addAndGet(300);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> service.topology().current().queue("/", "temp") == null);

    for (Map<String, Object> bad :
        List.<Map<String, Object>>of(
            Map.of("x-queue-type", "stream"),
            Map.of("x-message-ttl", -1L),
            Map.of("x-overflow", "reject-publish-dlx"),
            Map.of("x-dead-letter-routing-key", "k"),
            Map.of("x-expires", 0L))) {
      Result<Declared<QueueInfo>> r =
          service.declareQueue(new QueueSpec("/", "bad", true, false, false, bad, null));
      assertThat(r.status()).as(bad.toString()).isEqualTo(Status.ILLEGAL);
    }
    assertThat(
            service
                .declareQueue(
                    new QueueSpec(
                        "/", "q", true, false, false, Map.of("x-queue-type", "quorum"), null))
                .isOk())
        .isTrue();
  }
}
