package io.wharfmq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wharfmq.broker.Broker;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.service.ContainerClaims;
import io.wharfmq.service.DestinationNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DestinationAdmin and the Wharf request codes behind it (7010-7014) against a real name server and
 * two real brokers: what a JMS provider needs of the native protocol.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DestinationAdminTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  @TempDir static Path dir;

  private static TestCluster cluster;
  private static DestinationAdmin admin;
  private static Producer producer;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(dir, "broker-a", "broker-b");
    admin = new DestinationAdmin(cluster.namesrvAddr(), TIMEOUT);
    producer = Producer.builder().namesrvAddr(cluster.namesrvAddr()).producerGroup("pg").build();
  }

  @AfterAll
  static void stop() throws Exception {
    producer.close();
    admin.close();
    cluster.close();
  }

  private static void send(String topic, String body, String property) {
    Message.Builder b = Message.builder(topic).body(body.getBytes(StandardCharsets.UTF_8));
    if (property != null) {
      b.property("n", property);
    }
    producer.send(b.build());
  }

  private static SimpleConsumer.Builder consumer(String group) {
    return SimpleConsumer.builder()
        .namesrvAddr(cluster.namesrvAddr())
        .consumerGroup(group)
        .awaitDuration(Duration.ofMillis(300));
  }

  private static String body(MessageView m) {
    return new String(m.body(), StandardCharsets.UTF_8);
  }

  /** Receives until {@code n} messages arrived, acknowledging none. */
  private static List<ReceivedMessage> receive(SimpleConsumer c, int n) {
    List<ReceivedMessage> got = new ArrayList<>();
    await("receive " + n)
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              got.addAll(c.receive(32, Duration.ofSeconds(20)));
              return got.size() >= n;
            });
    return got;
  }

  private static List<String> bodies(List<ReceivedMessage> got) {
    return got.stream().map(m -> body(m.view())).toList();
  }

  private static SubscriptionSpec queue(String topic, boolean startAtTail, boolean durable) {
    return new SubscriptionSpec(
        DestinationNames.queueGroup(topic), topic, false, "*", 17, startAtTail, true, durable);
  }

  private static void drainEmpty(SimpleConsumer c) {
    assertThat(c.receive(32, Duration.ofSeconds(20))).isEmpty();
  }

  @Test
  void ensureTopicCreatesOnEveryMasterAndRoutesIt() throws Exception {
    admin.ensureTopic("made", false);
    assertThat(cluster.routedBrokers("made")).isEqualTo(2);
    admin.ensureTopic("made", false); // again: nothing changes
    for (Broker b : cluster.brokers) {
      assertThat(b.messagingService().topic("made")).isNotNull();
    }
  }

  @Test
  void aQueueGroupAtTheTailGetsOnlyWhatIsSentAfterItAndOneAtTheHeadGetsAll() {
    admin.ensureTopic("orders", false);
    send("orders", "before", null);
    admin.ensureSubscription(queue("orders", true, true));
    SubscriptionSpec head =
        new SubscriptionSpec("head-group", "orders", false, "*", 17, false, true, true);
    admin.ensureSubscription(head);
    admin.ensureSubscription(queue("orders", true, true)); // again: the position stays
    send("orders", "after", null);
    try (SimpleConsumer c =
        consumer(DestinationNames.queueGroup("orders")).subscribe("orders", "*").build()) {
      List<ReceivedMessage> got = receive(c, 1);
      assertThat(bodies(got)).containsExactly("after");
      c.ack(got.get(0));
      drainEmpty(c);
    }
    try (SimpleConsumer c = consumer("head-group").subscribe("orders", "*").build()) {
      assertThat(bodies(receive(c, 2))).containsExactlyInAnyOrder("before", "after");
    }
    for (Broker b : cluster.brokers) {
      assertThat(b.messagingService().group(DestinationNames.queueGroup("orders")).pinsRetention())
          .isTrue();
    }
  }

  @Test
  void aNonDurableGroupAndATemporaryTopicEndWithTheirAdminsConnections() {
    String topic = "tmp-reply";
    String group = DestinationNames.queueGroup(topic);
    try (DestinationAdmin own = new DestinationAdmin(cluster.namesrvAddr(), TIMEOUT)) {
      own.ensureTopic(topic, true);
      own.ensureTopic(topic, true); // the same admin may ask again
      own.ensureSubscription(queue(topic, true, false));
      assertThatThrownBy(() -> admin.ensureTopic(topic, true))
          .isInstanceOfSatisfying(
              ClientException.class,
              e -> assertThat(e.code()).isEqualTo(ResponseCode.TOPIC_EXIST_ALREADY));
      for (Broker b : cluster.brokers) {
        assertThat(b.messagingService().group(group).durable()).isFalse();
      }
    }
    await("group and topic deleted")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cluster.brokers.stream()
                    .allMatch(
                        b ->
                            b.messagingService().group(group) == null
                                && b.messagingService().topic(topic) == null));
    await("route gone")
        .atMost(Duration.ofSeconds(10))
        .until(() -> cluster.routedBrokers(topic) == 0);
  }

  @Test
  void aSharedNonDurableGroupEndsWithTheLastOfItsAdmins() {
    admin.ensureTopic("shared-events", false);
    SubscriptionSpec spec =
        new SubscriptionSpec("shared-nd", "shared-events", false, "*", 17, true, false, false);
    Broker a = cluster.brokers.get(0);
    try (DestinationAdmin first = new DestinationAdmin(cluster.namesrvAddr(), TIMEOUT)) {
      first.ensureSubscription(spec);
      try (DestinationAdmin second = new DestinationAdmin(cluster.namesrvAddr(), TIMEOUT)) {
        second.ensureSubscription(spec);
      }
      // the second admin's close must not end the group the first still uses
      admin.ensureTopic("shared-events", false); // a round trip, giving its close hook time
      assertThat(a.messagingService().group("shared-nd")).isNotNull();
    }
    await("group deleted with its last admin")
        .atMost(Duration.ofSeconds(10))
        .until(() -> a.messagingService().group("shared-nd") == null);
  }

  @Test
  void deleteGroupAndDeleteTopicReachEveryBrokerAndTheNameServer() throws Exception {
    admin.ensureTopic("doomed", false);
    admin.ensureSubscription(queue("doomed", true, true));
    admin.deleteGroup(DestinationNames.queueGroup("doomed"));
    admin.deleteTopic("doomed");
    for (Broker b : cluster.brokers) {
      assertThat(b.messagingService().group(DestinationNames.queueGroup("doomed"))).isNull();
      assertThat(b.messagingService().topic("doomed")).isNull();
    }
    assertThat(cluster.routedBrokers("doomed")).isZero();
  }

  @Test
  void aClientIdIsHeldByOneConnectionAtATime() {
    try (DestinationAdmin first = new DestinationAdmin(cluster.namesrvAddr(), TIMEOUT)) {
      assertThat(first.claimClientId("client-1")).isTrue();
      assertThat(first.claimClientId("client-1")).isTrue(); // its own
      // the AMQP door claims container-ids in the same registry of the deciding broker (broker-a)
      ContainerClaims amqp = cluster.brokers.get(0).messagingService().containerClaims();
      assertThat(amqp.claim(DestinationNames.DEFAULT_VHOST, "client-1", false)).isFalse();
      try (DestinationAdmin second = new DestinationAdmin(cluster.namesrvAddr(), TIMEOUT)) {
        assertThat(second.claimClientId("client-1")).isFalse();
        first.releaseClientId("client-1");
        assertThat(second.claimClientId("client-1")).isTrue();
        assertThat(first.claimClientId("client-1")).isFalse();
      } // released with its connection
      await("released on close")
          .atMost(Duration.ofSeconds(10))
          .until(() -> first.claimClientId("client-1"));
    }
  }

  @Test
  void aSimpleConsumerWithASql92SelectorGetsOnlyMatchingMessages() {
    admin.ensureTopic("selected", false);
    SubscriptionSpec spec =
        new SubscriptionSpec("sql-group", "selected", true, "n > 5", 17, true, true, true);
    admin.ensureSubscription(spec);
    for (int i = 1; i <= 8; i++) {
      send("selected", "m" + i, Integer.toString(i));
    }
    try (SimpleConsumer c = consumer("sql-group").subscribeSql92("selected", "n > 5").build()) {
      List<ReceivedMessage> got = receive(c, 3);
      assertThat(bodies(got)).containsExactlyInAnyOrder("m6", "m7", "m8");
      got.forEach(c::ack);
      drainEmpty(c);
    }
  }

  @Test
  void badSqlIsRefusedAsABadSelector() {
    admin.ensureTopic("badsql", false);
    SubscriptionSpec spec =
        new SubscriptionSpec("bad-sql-group", "badsql", true, "n >>> (", 17, true, true, true);
    assertThatThrownBy(() -> admin.ensureSubscription(spec))
        .isInstanceOfSatisfying(
            ClientException.class,
            e -> assertThat(e.code()).isEqualTo(ClientException.BAD_SELECTOR));
    for (Broker b : cluster.brokers) {
      assertThat(b.messagingService().group("bad-sql-group")).isNull(); // nothing was made
    }
    try (SimpleConsumer c = consumer("bad-sql-group").subscribeSql92("badsql", "n >>> (").build()) {
      assertThatThrownBy(() -> c.receive(1, Duration.ofSeconds(5)))
          .isInstanceOfSatisfying(
              ClientException.class,
              e -> assertThat(e.code()).isEqualTo(ClientException.BAD_SELECTOR));
    }
    assertThatThrownBy(() -> admin.ensureTopic("no spaces!", false))
        .isInstanceOfSatisfying(
            ClientException.class,
            e -> assertThat(e.code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL));
    SubscriptionSpec missing =
        new SubscriptionSpec("g", "no-such-topic", false, "*", 17, true, true, true);
    assertThatThrownBy(() -> admin.ensureSubscription(missing))
        .isInstanceOfSatisfying(
            ClientException.class,
            e -> assertThat(e.code()).isEqualTo(ClientException.TOPIC_NOT_FOUND));
  }

  @Test
  void aOneMillisecondInvisibilityGivesTheMessageBackWithOneMoreDelivery() {
    admin.ensureTopic("recover", false);
    admin.ensureSubscription(queue("recover", true, true));
    send("recover", "again", null);
    try (SimpleConsumer c =
        consumer(DestinationNames.queueGroup("recover")).subscribe("recover", "*").build()) {
      ReceivedMessage first = receive(c, 1).get(0);
      assertThat(first.view().reconsumeTimes()).isZero();
      c.changeInvisibleDuration(first, Duration.ofMillis(1));
      ReceivedMessage second = receive(c, 1).get(0);
      assertThat(body(second.view())).isEqualTo("again");
      assertThat(second.view().reconsumeTimes()).isEqualTo(1);
      c.ack(second);
    }
  }

  @Test
  void aOneMillisecondInvisibilityAnswersAPopHeldMeanwhile(@TempDir Path own) throws Exception {
    // revive rounds far apart: only the wake-up of the invisibility change can answer the held pop
    try (TestCluster quiet = new TestCluster(own, c -> c.reviveInterval(60_000), "broker-q");
        DestinationAdmin qa = new DestinationAdmin(quiet.namesrvAddr(), TIMEOUT);
        Producer qp =
            Producer.builder().namesrvAddr(quiet.namesrvAddr()).producerGroup("pg").build();
        SimpleConsumer c =
            SimpleConsumer.builder()
                .namesrvAddr(quiet.namesrvAddr())
                .consumerGroup("held-group")
                .subscribe("held", "*")
                .awaitDuration(Duration.ofSeconds(20))
                .build()) {
      qa.ensureTopic("held", false);
      qa.ensureSubscription(
          new SubscriptionSpec("held-group", "held", false, "*", 17, true, true, true));
      qp.send(Message.of("held", "once".getBytes(StandardCharsets.UTF_8)));
      ReceivedMessage first = c.receive(1, Duration.ofSeconds(30)).get(0);
      CompletableFuture<List<ReceivedMessage>> held =
          CompletableFuture.supplyAsync(() -> c.receive(1, Duration.ofSeconds(30)));
      await("pop held")
          .atMost(Duration.ofSeconds(10))
          .until(() -> quiet.brokers.get(0).heldPopCount() == 1);
      c.changeInvisibleDuration(first, Duration.ofMillis(1));
      List<ReceivedMessage> again = held.get(10, TimeUnit.SECONDS); // before its 20 s poll ends
      assertThat(again).hasSize(1);
      assertThat(again.get(0).view().reconsumeTimes()).isEqualTo(1);
      c.ack(again.get(0));
    }
  }

  @Test
  void aBrowseSeesTheQueueWithoutTakingIt() {
    admin.ensureTopic("browsed", false);
    admin.ensureSubscription(queue("browsed", true, true));
    for (int i = 1; i <= 6; i++) {
      send("browsed", "b" + i, Integer.toString(i));
    }
    String group = DestinationNames.queueGroup("browsed");
    assertThat(browseAll(admin.browse(group, "browsed", null)))
        .containsExactlyInAnyOrder("b1", "b2", "b3", "b4", "b5", "b6");
    assertThat(browseAll(admin.browse(group, "browsed", "n <= 2")))
        .containsExactlyInAnyOrder("b1", "b2");
    try (SimpleConsumer c = consumer(group).subscribe("browsed", "*").build()) {
      List<ReceivedMessage> got = receive(c, 6);
      assertThat(bodies(got)).hasSize(6).doesNotHaveDuplicates();
      got.subList(0, 4).forEach(c::ack);
    }
    assertThat(browseAll(admin.browse(group, "browsed", null))).hasSize(2); // the unfinished
    assertThatThrownBy(() -> admin.browse(group, "browsed", "n >>> (").next(5))
        .isInstanceOfSatisfying(
            ClientException.class,
            e -> assertThat(e.code()).isEqualTo(ClientException.BAD_SELECTOR));
  }

  private static List<String> browseAll(QueueBrowse browse) {
    List<String> out = new ArrayList<>();
    for (List<MessageView> page = browse.next(4); !page.isEmpty(); page = browse.next(4)) {
      page.forEach(m -> out.add(body(m)));
    }
    assertThat(browse.hasMore()).isFalse();
    return out;
  }
}
