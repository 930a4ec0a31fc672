package io.wharfmq.broker.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.service.AckStatus;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.PeekCommand;
import io.wharfmq.service.PeekResult;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.PopResult;
import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.ReceivedMessage;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.service.Subscription;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queue selectors (a pop that keeps what its filter does not match for the group's other consumers,
 * as JMS queue consumers need) and subscriptions starting at the tail right after an acknowledged
 * send.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueueSelectorAndTailTest {
  static final long INVISIBLE = 60_000;

  @TempDir Path dir;
  BrokerConfig config;
  Broker broker;
  LocalMessagingService service;

  @BeforeEach
  void start() throws Exception {
    config = TestBrokers.config(dir, 1, 16);
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

  private SendResult sendOnly(String topic, String body, Map<String, String> props) {
    OutgoingMessage m =
        new OutgoingMessage(
            body.getBytes(StandardCharsets.UTF_8),
            0,
            PropertiesText.encode(props),
            System.currentTimeMillis(),
            0);
    SendResult r =
        service
            .send(
                new SendCommand(
                    topic,
                    0,
                    List.of(m),
                    false,
                    0,
                    new InetSocketAddress("127.0.0.1", 40000),
                    true,
                    -1))
            .join();
    assertThat(r.status()).isEqualTo(Status.OK);
    return r;
  }

  private void send(String topic, String body, Map<String, String> props) {
    sendOnly(topic, body, props);
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
  }

  private void queue(String topic, String group) {
    assertThat(service.ensureTopic(topic).isOk()).isTrue();
    assertThat(service.ensureGroup(new GroupSettings(group, 5, true, true, true)).isOk()).isTrue();
    assertThat(service.subscribe(new Subscription(group, topic, FilterType.TAG, "*", true)).isOk())
        .isTrue();
  }

  private PopResult pop(String topic, String group, String selector, boolean keep, long poll) {
    FilterType type = selector == null ? FilterType.TAG : FilterType.SQL92;
    String exp = selector == null ? "*" : selector;
    PopResult r =
        service
            .pop(new PopCommand(group, topic, -1, 32, INVISIBLE, poll, type, exp, false, keep))
            .join();
    assertThat(r.status()).isEqualTo(Status.OK);
    return r;
  }

  private static List<String> bodies(List<ReceivedMessage> messages) {
    List<String> out = new ArrayList<>();
    for (ReceivedMessage m : messages) {
      out.add(new String(m.body(), StandardCharsets.UTF_8));
    }
    return out;
  }

  private void ackAll(PopResult r) {
    for (ReceivedMessage m : r.messages()) {
      assertThat(service.ack(m.receipt()).join()).isEqualTo(AckStatus.OK);
    }
  }

  @Test
  void aSelectorLeavesWhatItDoesNotMatchToTheQueuesOtherConsumers() {
    queue("sel1", "gsel1");
    send("sel1", "a1", Map.of("n", "1"));
    send("sel1", "b", Map.of("n", "2"));
    send("sel1", "a2", Map.of("n", "1"));

    PopResult matched = pop("sel1", "gsel1", "n = 2", true, 0);
    assertThat(bodies(matched.messages())).containsExactly("b");
    // Nothing more for that selector; the unmatched ones still pin the group's position.
    assertThat(bodies(pop("sel1", "gsel1", "n = 2", true, 0).messages())).isEmpty();
    assertThat(broker.pops().oldestUnfinished("gsel1", "sel1", 0)).isZero();
    ackAll(matched);
    assertThat(broker.pops().oldestUnfinished("gsel1", "sel1", 0)).isZero();

    PopResult rest = pop("sel1", "gsel1", null, false, 0);
    assertThat(bodies(rest.messages())).containsExactly("a1", "a2");
    ackAll(rest);
    assertThat(broker.pops().oldestUnfinished("gsel1", "sel1", 0)).isEqualTo(3);
    assertThat(bodies(pop("sel1", "gsel1", null, false, 0).messages())).isEmpty();
  }

  @Test
  void aBrowserDoesNotSeeWhatASelectorConsumerAcknowledgedAheadOfTheGroup() {
    queue("sel6", "gsel6");
    send("sel6", "a", Map.of("n", "1"));
    send("sel6", "b", Map.of("n", "2"));
    send("sel6", "c", Map.of("n", "1"));
    ackAll(pop("sel6", "gsel6", "n = 2", true, 0));
    PeekResult seen =
        service.peek(new PeekCommand("gsel6", "sel6", 10, FilterType.TAG, "*", null)).join();
    assertThat(seen.status()).isEqualTo(Status.OK);
    assertThat(bodies(seen.messages())).containsExactly("a", "c");
  }

  @Test
  void withoutKeepUnmatchedTheFilterStillAppliesToTheWholeGroup() {
    queue("sel2", "gsel2");
    send("sel2", "a", Map.of("n", "1"));
    send("sel2", "b", Map.of("n", "2"));
    PopResult r = pop("sel2", "gsel2", "n = 2", false, 0);
    assertThat(bodies(r.messages())).containsExactly("b");
    ackAll(r);
    // RocketMQ's POP: what the group's filter skipped is finished for the group.
    assertThat(bodies(pop("sel2", "gsel2", null, false, 0).messages())).isEmpty();
    assertThat(broker.pops().oldestUnfinished("gsel2", "sel2", 0)).isEqualTo(2);
  }

  @Test
  void anAcknowledgedMessageAheadOfTheGroupsPositionStaysDoneAcrossARestart() throws Exception {
    queue("sel3", "gsel3");
    send("sel3", "a1", Map.of("n", "1"));
    send("sel3", "b", Map.of("n", "2"));
    send("sel3", "a2", Map.of("n", "1"));
    ackAll(pop("sel3", "gsel3", "n = 2", true, 0));

    broker.close();
    startBroker();

    PopResult rest = pop("sel3", "gsel3", null, false, 0);
    assertThat(bodies(rest.messages())).containsExactly("a1", "a2");
  }

  @Test
  void aReleasedMessageGoesToAConsumerItMatchesOnly() {
    queue("sel4", "gsel4");
    send("sel4", "b", Map.of("n", "2"));
    PopResult taken = pop("sel4", "gsel4", "n = 2", true, 0);
    assertThat(bodies(taken.messages())).containsExactly("b");
    assertThat(service.release(taken.messages().get(0).receipt(), false).join())
        .isEqualTo(AckStatus.OK);
    assertThat(bodies(pop("sel4", "gsel4", "n = 1", true, 0).messages())).isEmpty();
    assertThat(bodies(pop("sel4", "gsel4", "n = 2", true, 0).messages())).containsExactly("b");
  }

  @Test
  void aRareSelectorFindsItsMessageBehindALongBacklogWithoutRescanningIt() {
    queue("sel5", "gsel5");
    int backlog = 3000; // more than one pop scans (16 reads of at most 32 * 16 + 64 entries)
    for (int i = 0; i < backlog; i++) {
      sendOnly("sel5", "x" + i, Map.of("n", "1"));
    }
    sendOnly("sel5", "rare", Map.of("n", "2"));
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();

    // A held pop goes on scanning where the previous round stopped until it finds the message.
    assertThat(bodies(pop("sel5", "gsel5", "n = 2", true, 10_000).messages()))
        .containsExactly("rare");
    // The backlog is still there for the others, whole.
    assertThat(broker.pops().oldestUnfinished("gsel5", "sel5", 0)).isZero();
    int got = 0;
    for (int i = 0; i < 200 && got < backlog; i++) {
      PopResult r = pop("sel5", "gsel5", null, false, 0);
      got += r.messages().size();
      ackAll(r);
    }
    assertThat(got).isEqualTo(backlog);
  }

  @Test
  void aSubscriptionAtTheTailMadeRightAfterAnAcknowledgedSendDoesNotGetIt() {
    assertThat(service.ensureTopic("tail1").isOk()).isTrue();
    for (int i = 0; i < 200; i++) {
      String group = "tailsub" + i;
      assertThat(service.ensureGroup(new GroupSettings(group, 0, true, false, true)).isOk())
          .isTrue();
      sendOnly("tail1", "before-" + i, Map.of());
      // No wait for dispatch here: the send is acknowledged, so the subscription is after it.
      assertThat(
              service.subscribe(new Subscription(group, "tail1", FilterType.TAG, "*", true)).isOk())
          .isTrue();
      assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
      assertThat(
              bodies(
                  service
                      .pop(
                          new PopCommand(
                              group, "tail1", -1, 10, INVISIBLE, 0, FilterType.TAG, "*", true))
                      .join()
                      .messages()))
          .as("subscription %d", i)
          .isEmpty();
    }
  }
}
