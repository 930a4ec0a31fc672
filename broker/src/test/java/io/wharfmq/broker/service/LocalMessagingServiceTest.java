package io.wharfmq.broker.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.pop.PopDeadLetters;
import io.wharfmq.remoting.protocol.MessageIds;
import io.wharfmq.service.AckStatus;
import io.wharfmq.service.EndTransactionCommand;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.PeekCommand;
import io.wharfmq.service.PeekPosition;
import io.wharfmq.service.PeekResult;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.PopResult;
import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.PullCommand;
import io.wharfmq.service.PullResult;
import io.wharfmq.service.Receipt;
import io.wharfmq.service.ReceivedMessage;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.service.Subscription;
import io.wharfmq.service.message.ReservedProperties;
import io.wharfmq.store.format.MessageSysFlag;
import io.wharfmq.store.format.StoredMessage;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalMessagingService} on a real broker and store in a temp dir, called directly as the
 * AMQP door calls it: send, pop, ack, release with and without counting the delivery, dead letters,
 * peek, expiry, subscriptions at the tail, non-durable groups and long-polling pops woken by sends.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalMessagingServiceTest {
  static final long INVISIBLE = 60_000;

  @TempDir Path dir;
  BrokerConfig config;
  Broker broker;
  LocalMessagingService service;

  @BeforeEach
  void start() throws Exception {
    config = TestBrokers.config(dir, 2, 16).enablePropertyFilter(true);
    startBroker();
  }

  private void startBroker() throws Exception {
    broker = Broker.start(config, InstantSource.system());
    service = broker.messagingService();
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
  }

  // ------------------------------------------------------------------ helpers

  private static OutgoingMessage message(String body, Map<String, String> props) {
    return new OutgoingMessage(
        body.getBytes(StandardCharsets.UTF_8),
        0,
        PropertiesText.encode(props),
        System.currentTimeMillis(),
        0);
  }

  /** Sends and waits until consumers can see the message (dispatch runs behind the append). */
  private SendResult send(String topic, int queueId, String body, Map<String, String> props) {
    SendResult r = sendOnly(topic, queueId, body, props);
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    return r;
  }

  private SendResult sendOnly(String topic, int queueId, String body, Map<String, String> props) {
    return service
        .send(
            new SendCommand(
                topic,
                queueId,
                List.of(message(body, props)),
                false,
                0,
                new InetSocketAddress("127.0.0.1", 40000),
                true,
                -1))
        .join();
  }

  private SendResult send(String topic, String body) {
    return send(topic, 0, body, Map.of());
  }

  private void queue(String topic, String group) {
    assertThat(service.ensureTopic(topic).isOk()).isTrue();
    assertThat(service.ensureGroup(new GroupSettings(group, 5, true, true, true)).isOk()).isTrue();
    assertThat(service.subscribe(new Subscription(group, topic, FilterType.TAG, "*", true)).isOk())
        .isTrue();
  }

  private PopResult pop(String topic, String group, int max) {
    return popAsync(topic, group, max, 0, FilterType.TAG, "*").join();
  }

  private CompletableFuture<PopResult> popAsync(
      String topic, String group, int max, long pollMillis, FilterType type, String exp) {
    return service.pop(
        new PopCommand(group, topic, -1, max, INVISIBLE, pollMillis, type, exp, false));
  }

  private static String body(ReceivedMessage m) {
    return new String(m.body(), StandardCharsets.UTF_8);
  }

  private static List<String> bodies(List<ReceivedMessage> messages) {
    List<String> out = new ArrayList<>();
    for (ReceivedMessage m : messages) {
      out.add(body(m));
    }
    return out;
  }

  // ------------------------------------------------------------------ tests

  @Test
  void sendPopAck() throws Exception {
    queue("q1", "g1");
    SendResult sent = send("q1", 0, "hello", Map.of("color", "red"));
    assertThat(sent.status()).isEqualTo(Status.OK);
    assertThat(sent.messageIds()).hasSize(1);

    PopResult popped = pop("q1", "g1", 8);
    assertThat(popped.status()).isEqualTo(Status.OK);
    assertThat(popped.messages()).hasSize(1);
    ReceivedMessage m = popped.messages().get(0);
    assertThat(body(m)).isEqualTo("hello");
    assertThat(m.properties()).containsEntry("color", "red");
    assertThat(m.topic()).isEqualTo("q1");
    assertThat(m.reconsumeTimes()).isZero();
    assertThat(m.offsetMessageId()).isEqualTo(sent.messageIds().get(0));
    assertThat(StoredMessage.decode(ByteBuffer.wrap(m.record()), 0).topic()).isEqualTo("q1");
    assertThat(m.receipt().group()).isEqualTo("g1");

    assertThat(pop("q1", "g1", 8).messages()).isEmpty(); // invisible while in flight
    assertThat(service.ack(m.receipt()).join()).isEqualTo(AckStatus.OK);
    assertThat(broker.pops().inFlight("g1", "q1", 0)).isZero();
    assertThat(pop("q1", "g1", 8).messages()).isEmpty();

    GroupSettings g = service.group("g1");
    assertThat(g.maxDeliveries()).isEqualTo(5);
    assertThat(g.pinsRetention()).isTrue();
    assertThat(g.durable()).isTrue();
    String file = Files.readString(dir.resolve("config").resolve("subscriptionGroup.json"));
    assertThat(file).contains("\"wharf.pinsRetention\":\"true\"").contains("\"retryMaxTimes\":4");
  }

  @Test
  void ackAllAnswersEachReceiptInOrderAcrossQueues() {
    queue("qa", "ga");
    for (int q = 0; q < 2; q++) {
      for (int i = 0; i < 3; i++) {
        sendOnly("qa", q, "m" + q + i, Map.of());
      }
    }
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    List<ReceivedMessage> got = new ArrayList<>();
    for (int round = 0; round < 4 && got.size() < 6; round++) {
      got.addAll(pop("qa", "ga", 8).messages());
    }
    assertThat(got).hasSize(6);
    List<Receipt> receipts = new ArrayList<>();
    for (ReceivedMessage m : got) {
      receipts.add(m.receipt());
    }
    // Interleave the two queues' receipts, name one twice and add one never delivered.
    receipts.sort(java.util.Comparator.comparingLong(Receipt::queueOffset));
    receipts.add(receipts.get(0));
    Receipt never = new Receipt("ga", "qa", 0, 99, receipts.get(0).popTime());
    receipts.add(2, never);

    List<AckStatus> statuses = service.ackAll(receipts).join();

    assertThat(statuses).hasSize(receipts.size());
    for (int i = 0; i < receipts.size(); i++) {
      assertThat(statuses.get(i))
          .as("receipt %d %s", i, receipts.get(i))
          .isEqualTo(receipts.get(i) == never ? AckStatus.NOT_IN_FLIGHT : AckStatus.OK);
    }
    assertThat(broker.pops().inFlight("ga", "qa", 0)).isZero();
    assertThat(broker.pops().inFlight("ga", "qa", 1)).isZero();
    assertThat(pop("qa", "ga", 8).messages()).isEmpty();
  }

  @Test
  void releaseKeepsOrCountsTheDelivery() {
    queue("q2", "g2");
    send("q2", "once");
    ReceivedMessage first = pop("q2", "g2", 1).messages().get(0);
    assertThat(first.reconsumeTimes()).isZero();

    assertThat(service.release(first.receipt(), false).join()).isEqualTo(AckStatus.OK);
    ReceivedMessage second = pop("q2", "g2", 1).messages().get(0);
    assertThat(second.queueOffset()).isEqualTo(first.queueOffset());
    assertThat(second.reconsumeTimes()).isZero();

    assertThat(service.release(second.receipt(), true).join()).isEqualTo(AckStatus.OK);
    // Each delivery has its own receipt, also when all three happen within one millisecond.
    ReceivedMessage third = pop("q2", "g2", 1).messages().get(0);
    assertThat(third.queueOffset()).isEqualTo(first.queueOffset());
    assertThat(third.reconsumeTimes()).isEqualTo(1);

    // The first receipts named earlier deliveries; the message is held by the third now.
    assertThat(third.receipt()).isNotEqualTo(second.receipt()).isNotEqualTo(first.receipt());
    assertThat(service.release(first.receipt(), false).join()).isEqualTo(AckStatus.STALE);
    assertThat(service.ack(second.receipt()).join()).isEqualTo(AckStatus.STALE);
    assertThat(service.ack(third.receipt()).join()).isEqualTo(AckStatus.OK);
    assertThat(service.release(third.receipt(), false).join()).isEqualTo(AckStatus.NOT_IN_FLIGHT);
  }

  @Test
  void deadLetterGoesToTheGroupsDlqAtOnce() {
    queue("q3", "g3");
    send("q3", "poison");
    ReceivedMessage m = pop("q3", "g3", 1).messages().get(0);
    assertThat(service.deadLetter(m.receipt(), "cannot parse").join()).isEqualTo(AckStatus.OK);
    assertThat(broker.pops().inFlight("g3", "q3", 0)).isZero();
    assertThat(service.release(m.receipt(), false).join()).isEqualTo(AckStatus.NOT_IN_FLIGHT);

    assertThat(service.topic("%DLQ%g3")).isNotNull();
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    try (PullResult dead =
        service
            .pull(new PullCommand("reader", "%DLQ%g3", 0, 0, 10, 0, FilterType.TAG, "*"))
            .join()) {
      assertThat(dead.found()).isTrue();
      assertThat(dead.records()).hasSize(1);
      StoredMessage d = StoredMessage.decode(dead.records().get(0), 0);
      assertThat(new String(d.body(), StandardCharsets.UTF_8)).isEqualTo("poison");
      assertThat(d.propertyMap())
          .containsEntry(PopDeadLetters.REASON, "cannot parse")
          .containsEntry("DLQ_ORIGIN_TOPIC", "q3");
    }
    assertThat(pop("q3", "g3", 1).messages()).isEmpty();
  }

  @Test
  void maxDeliveriesSendsToTheDlq() {
    assertThat(service.ensureTopic("q3b").isOk()).isTrue();
    assertThat(service.ensureGroup(new GroupSettings("g3b", 2, true, true, true)).isOk()).isTrue();
    assertThat(service.subscribe(new Subscription("g3b", "q3b", FilterType.TAG, "*", true)).isOk())
        .isTrue();
    send("q3b", "fails");
    ReceivedMessage m = pop("q3b", "g3b", 1).messages().get(0);
    service.release(m.receipt(), true).join();
    m = pop("q3b", "g3b", 1).messages().get(0);
    assertThat(m.reconsumeTimes()).isEqualTo(1);
    service.release(m.receipt(), true).join(); // second failed delivery of two allowed
    assertThat(pop("q3b", "g3b", 1).messages()).isEmpty();
    broker.pops().revive();
    await().atMost(Duration.ofSeconds(10)).until(() -> service.maxOffset("%DLQ%g3b", 0) == 1);
  }

  @Test
  void peekSeesWhatTheGroupHasNotFinishedWithoutTakingIt() {
    queue("q4", "g4");
    for (String b : List.of("a", "b", "c")) {
      send("q4", b);
    }
    PeekResult all =
        service.peek(new PeekCommand("g4", "q4", 10, FilterType.TAG, "*", null)).join();
    assertThat(all.status()).isEqualTo(Status.OK);
    assertThat(bodies(all.messages())).containsExactly("a", "b", "c");
    assertThat(all.messages().get(0).receipt()).isNull();

    ReceivedMessage a = pop("q4", "g4", 1).messages().get(0);
    assertThat(body(a)).isEqualTo("a");
    // In flight is not finished: the browser still sees it.
    assertThat(
            bodies(
                service
                    .peek(new PeekCommand("g4", "q4", 10, FilterType.TAG, "*", null))
                    .join()
                    .messages()))
        .containsExactly("a", "b", "c");
    service.ack(a.receipt()).join();
    PeekResult first =
        service.peek(new PeekCommand("g4", "q4", 1, FilterType.TAG, "*", null)).join();
    assertThat(bodies(first.messages())).containsExactly("b");
    PeekPosition next = first.next();
    PeekResult second =
        service.peek(new PeekCommand("g4", "q4", 10, FilterType.TAG, "*", next)).join();
    assertThat(bodies(second.messages())).containsExactly("c");

    // Peeking took nothing.
    assertThat(bodies(pop("q4", "g4", 10).messages())).containsExactly("b", "c");
  }

  @Test
  void expiredMessagesAreNeverHandedOut() {
    queue("q5", "g5");
    long past = System.currentTimeMillis() - 1_000;
    long future = System.currentTimeMillis() + 600_000;
    send("q5", 0, "stale", Map.of(ReservedProperties.EXPIRES_AT, Long.toString(past)));
    send("q5", 0, "fresh", Map.of(ReservedProperties.EXPIRES_AT, Long.toString(future)));
    send("q5", 0, "plain", Map.of());

    assertThat(
            bodies(
                service
                    .peek(new PeekCommand("g5", "q5", 10, FilterType.TAG, "*", null))
                    .join()
                    .messages()))
        .containsExactly("fresh", "plain");
    try (PullResult pulled =
        service.pull(new PullCommand("g5pull", "q5", 0, 0, 10, 0, FilterType.TAG, "*")).join()) {
      assertThat(pulled.records()).hasSize(2);
      assertThat(pulled.nextOffset()).isEqualTo(3);
    }
    PopResult popped = pop("q5", "g5", 10);
    assertThat(bodies(popped.messages())).containsExactly("fresh", "plain");
    // The expired one was acknowledged: only the two delivered are in flight.
    assertThat(broker.pops().inFlight("g5", "q5", 0)).isEqualTo(2);
  }

  @Test
  void onlyExpiredMessagesAnswerEmpty() {
    queue("q5b", "g5b");
    long past = System.currentTimeMillis() - 1_000;
    send("q5b", 0, "stale", Map.of(ReservedProperties.EXPIRES_AT, Long.toString(past)));
    PopResult popped = pop("q5b", "g5b", 10);
    assertThat(popped.status()).isEqualTo(Status.OK);
    assertThat(popped.messages()).isEmpty();
    assertThat(broker.pops().inFlight("g5b", "q5b", 0)).isZero();
    assertThat(service.committedOffset("g5b", "q5b", 0)).isEqualTo(1);
  }

  @Test
  void aNewSubscriptionStartsAtTheTail() {
    assertThat(service.ensureTopic("t6").isOk()).isTrue();
    send("t6", "before-1");
    send("t6", "before-2");
    assertThat(service.ensureGroup(new GroupSettings("sub6", 0, true, false, true)).isOk())
        .isTrue();
    assertThat(service.subscribe(new Subscription("sub6", "t6", FilterType.TAG, "*", true)).isOk())
        .isTrue();
    send("t6", "after");
    // startAtHead would take "before-1" if the subscription had not set the offsets.
    PopResult popped =
        service
            .pop(new PopCommand("sub6", "t6", -1, 10, INVISIBLE, 0, FilterType.TAG, "*", true))
            .join();
    assertThat(bodies(popped.messages())).containsExactly("after");
    assertThat(service.topicsOf("sub6")).contains("t6");
  }

  @Test
  void nonDurableGroupsLiveInMemoryAndGoWhenDeleted() throws Exception {
    assertThat(service.ensureTopic("t7").isOk()).isTrue();
    assertThat(service.ensureGroup(new GroupSettings("tmp7", 0, true, false, false)).isOk())
        .isTrue();
    assertThat(service.subscribe(new Subscription("tmp7", "t7", FilterType.TAG, "*", true)).isOk())
        .isTrue();
    send("t7", "x");
    ReceivedMessage m = pop("t7", "tmp7", 1).messages().get(0);
    assertThat(body(m)).isEqualTo("x");
    assertThat(service.group("tmp7").durable()).isFalse();
    Path groups = dir.resolve("config").resolve("subscriptionGroup.json");
    assertThat(Files.exists(groups) ? Files.readString(groups) : "").doesNotContain("tmp7");

    assertThat(service.deleteGroup("tmp7").isOk()).isTrue();
    assertThat(service.group("tmp7")).isNull();
    assertThat(service.topicsOf("tmp7")).isEmpty();
    assertThat(broker.pops().inFlight("tmp7", "t7", 0) + broker.pops().inFlight("tmp7", "t7", 1))
        .isZero();
    assertThat(service.ack(m.receipt()).join()).isEqualTo(AckStatus.NOT_IN_FLIGHT);

    // A second one, still in flight at a restart, is gone afterwards.
    assertThat(service.ensureGroup(new GroupSettings("tmp7b", 0, true, false, false)).isOk())
        .isTrue();
    service.subscribe(new Subscription("tmp7b", "t7", FilterType.TAG, "*", false));
    service.commitOffset("tmp7b", "t7", 0, 0);
    assertThat(pop("t7", "tmp7b", 1).messages()).hasSize(1);
    broker.close();
    startBroker();
    assertThat(service.group("tmp7b")).isNull();
    assertThat(broker.pops().inFlight("tmp7b", "t7", 0)).isZero();
    assertThat(Files.readString(dir.resolve("config").resolve("consumerOffset.json")))
        .doesNotContain("tmp7");
  }

  @Test
  void aHeldPopIsWokenBySendAndHonoursSqlFilters() {
    queue("q8", "g8");
    CompletableFuture<PopResult> held = popAsync("q8", "g8", 4, 20_000, FilterType.SQL92, "a = 1");
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.heldPopCount() == 1);
    assertThat(held).isNotDone();

    Map<String, String> other = new LinkedHashMap<>();
    other.put("a", "2");
    sendOnly("q8", 0, "not-me", other);
    // Woken, found nothing matching, held again.
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.heldPopCount() == 1);
    assertThat(held).isNotDone();

    sendOnly("q8", 1, "me", Map.of("a", "1"));
    PopResult r = held.orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(r.status()).isEqualTo(Status.OK);
    assertThat(bodies(r.messages())).containsExactly("me");
    assertThat(broker.heldPopCount()).isZero();
  }

  @Test
  void aHeldPullIsWokenBySend() {
    assertThat(service.ensureTopic("t11").isOk()).isTrue();
    CompletableFuture<PullResult> held =
        service.pull(new PullCommand("g11", "t11", 0, 0, 8, 20_000, FilterType.TAG, "*"));
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.heldPullCount() == 1);
    assertThat(held).isNotDone();
    sendOnly("t11", 0, "woken", Map.of());
    try (PullResult r = held.orTimeout(10, TimeUnit.SECONDS).join()) {
      assertThat(r.found()).isTrue();
      StoredMessage m = StoredMessage.decode(r.records().get(0), 0);
      assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("woken");
      assertThat(r.nextOffset()).isEqualTo(1);
    }
  }

  @Test
  void aCancelledHeldPopLeavesNothingInFlight() {
    queue("q12", "g12");
    CompletableFuture<PopResult> held = popAsync("q12", "g12", 4, 20_000, FilterType.TAG, "*");
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.heldPopCount() == 1);
    held.cancel(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.heldPopCount() == 0);
    send("q12", 0, "for-the-next", Map.of());
    // Whether or not the cancelled pop ran once more, the message is not stuck in flight.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> bodies(pop("q12", "g12", 4).messages()).contains("for-the-next"));
  }

  @Test
  void unsubscribeAndDeleteTopicForgetState() {
    queue("q13", "g13");
    send("q13", "x");
    assertThat(pop("q13", "g13", 1).messages()).hasSize(1);
    assertThat(broker.pops().inFlight("g13", "q13", 0)).isEqualTo(1);
    assertThat(service.unsubscribe("g13", "q13").isOk()).isTrue();
    assertThat(broker.pops().inFlight("g13", "q13", 0)).isZero();
    assertThat(service.topicsOf("g13")).doesNotContain("q13");
    assertThat(service.committedOffset("g13", "q13", 0)).isEqualTo(-1);
    assertThat(service.unsubscribe("g13", "q13").status()).isEqualTo(Status.NOT_FOUND);

    assertThat(service.deleteTopic("q13").isOk()).isTrue();
    assertThat(service.topic("q13")).isNull();
    assertThat(service.deleteTopic("q13").status()).isEqualTo(Status.NOT_FOUND);
    assertThat(service.deleteTopic("SCHEDULE_TOPIC_XXXX").status()).isEqualTo(Status.FORBIDDEN);
  }

  @Test
  void transactionalSendBecomesVisibleAtCommit() {
    queue("q14", "g14");
    Map<String, String> props = new LinkedHashMap<>();
    props.put("TRAN_MSG", "true");
    props.put("PGROUP", "pg14");
    props.put("UNIQ_KEY", "TX-1");
    SendResult half =
        service
            .send(
                new SendCommand(
                    "q14",
                    0,
                    List.of(message("in-tx", props)),
                    false,
                    MessageSysFlag.TRANSACTION_PREPARED_TYPE,
                    new InetSocketAddress("127.0.0.1", 40000),
                    true,
                    -1))
            .join();
    assertThat(half.status()).isEqualTo(Status.OK);
    assertThat(half.storedTopic()).isEqualTo("RMQ_SYS_TRANS_HALF_TOPIC");
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    assertThat(pop("q14", "g14", 4).messages()).isEmpty();

    long commitLogOffset = MessageIds.decode(half.messageIds().get(0)).physicalOffset();
    var ended =
        service
            .endTransaction(
                new EndTransactionCommand(
                    "pg14", commitLogOffset, half.queueOffset(), null, "TX-1", true, false))
            .join();
    assertThat(ended.isOk()).isTrue();
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    assertThat(bodies(pop("q14", "g14", 4).messages())).containsExactly("in-tx");
    var again =
        service
            .endTransaction(
                new EndTransactionCommand(
                    "pg14", commitLogOffset, half.queueOffset(), null, "TX-1", true, false))
            .join();
    assertThat(again.detail()).isEqualTo("already resolved");
  }

  @Test
  void selectorsWorkThroughTheServiceWhateverEnablePropertyFilterSays() throws Exception {
    broker.close();
    config.enablePropertyFilter(false);
    startBroker();
    queue("q15", "g15");
    send("q15", 0, "no", Map.of("n", "1"));
    send("q15", 0, "yes", Map.of("n", "2"));
    PopResult r = popAsync("q15", "g15", 4, 0, FilterType.SQL92, "n > 1").join();
    assertThat(r.status()).isEqualTo(Status.OK);
    assertThat(bodies(r.messages())).containsExactly("yes");
    PopResult bad = popAsync("q15", "g15", 4, 0, FilterType.SQL92, "n >>> 1").join();
    assertThat(bad.status()).isEqualTo(Status.ILLEGAL);
  }

  @Test
  void aHeldPopAnswersEmptyAtItsDeadline() {
    queue("q9", "g9");
    long start = System.nanoTime();
    PopResult r = popAsync("q9", "g9", 1, 300, FilterType.TAG, "*").join();
    assertThat(r.status()).isEqualTo(Status.OK);
    assertThat(r.messages()).isEmpty();
    assertThat(System.nanoTime() - start)
        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
  }

  @Test
  void sendCreatesTopicsOnlyWhenAsked() {
    assertThat(config.autoCreateTopicEnable()).isFalse();
    SendCommand refused =
        new SendCommand(
            "t10",
            -1,
            List.of(message("x", Map.of())),
            false,
            0,
            new InetSocketAddress("127.0.0.1", 40000),
            false,
            -1);
    assertThat(service.send(refused).join().status()).isEqualTo(Status.NOT_FOUND);
    assertThat(service.topic("t10")).isNull();
    assertThat(send("t10", -1, "x", Map.of()).status()).isEqualTo(Status.OK);
    assertThat(service.topic("t10").writeQueues()).isEqualTo(2);

    assertThat(service.ensureTopic("bad topic!").status()).isEqualTo(Status.ILLEGAL);
    assertThat(send("SCHEDULE_TOPIC_XXXX", -1, "x", Map.of()).status()).isEqualTo(Status.FORBIDDEN);
  }

  @Test
  void aHeldPopOfAGroupDeletedMeanwhileTakesNothingAndLeavesNoState() throws Exception {
    assertThat(service.ensureTopic("t20").isOk()).isTrue();
    assertThat(service.ensureGroup(new GroupSettings("tmp20", 0, true, false, false)).isOk())
        .isTrue();
    CompletableFuture<PopResult> held = popAsync("t20", "tmp20", 4, 20_000, FilterType.TAG, "*");
    await().atMost(Duration.ofSeconds(10)).until(() -> broker.heldPopCount() == 1);
    assertThat(service.deleteGroup("tmp20").isOk()).isTrue();

    send("t20", "for-nobody");

    PopResult r = held.get(10, TimeUnit.SECONDS);
    assertThat(r.messages()).isEmpty();
    assertThat(r.status()).isEqualTo(Status.NOT_FOUND);
    assertThat(broker.pops().view("tmp20", "t20", 0)).isNull();
    assertThat(broker.pops().view("tmp20", "t20", 1)).isNull();
    assertThat(service.topicsOf("tmp20")).isEmpty();
    broker.close();
    startBroker();
    assertThat(Files.readString(dir.resolve("config").resolve("consumerOffset.json")))
        .doesNotContain("tmp20");
  }

  @Test
  void aReleasedMessageComesBackMarkedAsDeliveredBefore() {
    queue("q21", "g21");
    send("q21", "once");
    ReceivedMessage first = pop("q21", "g21", 1).messages().get(0);
    assertThat(first.deliveredBefore()).isFalse();

    assertThat(service.release(first.receipt(), false).join()).isEqualTo(AckStatus.OK);
    ReceivedMessage second = pop("q21", "g21", 1).messages().get(0);

    assertThat(second.reconsumeTimes()).isZero();
    assertThat(second.deliveredBefore()).isTrue();
  }
}
