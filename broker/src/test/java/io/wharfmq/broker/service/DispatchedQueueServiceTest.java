package io.wharfmq.broker.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.broker.transaction.TransactionService;
import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.service.AckStatus;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.EndTransactionCommand;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.PeekCommand;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.PopResult;
import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.PullCommand;
import io.wharfmq.service.PullResult;
import io.wharfmq.service.ReceivedMessage;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.Subscription;
import io.wharfmq.store.AppendResult;
import io.wharfmq.store.format.DispatchTargets;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
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

/**
 * Queues fed by multi-dispatch (one record in an exchange's topic, WHARF_DISPATCH naming the queue
 * topics) behave like any queue for the broker's readers: POP, ack, peek and pull of the queue's
 * group get the record as one of the queue's own, and a delayed fan-out reaches its queues only
 * when due. The record is appended as the broker's router appends it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DispatchedQueueServiceTest {
  static final String EXCHANGE = DestinationNames.topic("/", "logs");
  static final String Q1 = DestinationNames.topic("/", "q1");
  static final String Q2 = DestinationNames.topic("/", "q2");

  @TempDir Path dir;
  Broker broker;
  LocalMessagingService service;

  @BeforeEach
  void start() throws Exception {
    BrokerConfig config = TestBrokers.config(dir, 1, 16).messageDelayLevel("100ms 1s");
    broker = Broker.start(config, InstantSource.system());
    service = broker.messagingService();
    for (String q : List.of(Q1, Q2)) {
      assertThat(service.ensureTopic(q).isOk()).isTrue();
      String group = DestinationNames.queueGroup(q);
      assertThat(service.ensureGroup(new GroupSettings(group, 5, true, true, true)).isOk())
          .isTrue();
      assertThat(service.subscribe(new Subscription(group, q, FilterType.TAG, "*", true)).isOk())
          .isTrue();
    }
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
  }

  private static MessageToStore fanOut(String body, String tag, Map<String, String> extra) {
    Map<String, String> props = new LinkedHashMap<>(extra);
    props.put(MessageProperties.TAGS, tag);
    props.put("color", "red");
    props.put(
        MessageProperties.DISPATCH,
        DispatchTargets.encode(
            List.of(new DispatchTargets.Queue(Q1, 0), new DispatchTargets.Queue(Q2, 0))));
    InetSocketAddress host = new InetSocketAddress("127.0.0.1", 40000);
    return new MessageToStore(
        EXCHANGE,
        0,
        0,
        body.getBytes(StandardCharsets.UTF_8),
        MessageProperties.encode(props),
        0,
        System.currentTimeMillis(),
        host,
        host,
        0,
        0L);
  }

  private PopResult pop(String topic) {
    return service
        .pop(
            new PopCommand(
                DestinationNames.queueGroup(topic),
                topic,
                -1,
                8,
                60_000,
                0,
                FilterType.TAG,
                "*",
                false))
        .join();
  }

  private static String body(ReceivedMessage m) {
    return new String(m.body(), StandardCharsets.UTF_8);
  }

  @Test
  void aQueueFedByDispatchPopsAcksPeeksAndPullsLikeAnyQueue() throws Exception {
    // Q1 holds a message of its own first: the dispatched one comes at offset 1.
    service
        .send(
            new SendCommand(
                Q1,
                0,
                List.of(
                    new OutgoingMessage(
                        "own".getBytes(StandardCharsets.UTF_8),
                        0,
                        PropertiesText.encode(Map.of(MessageProperties.TAGS, "x")),
                        System.currentTimeMillis(),
                        0)),
                false,
                0,
                new InetSocketAddress("127.0.0.1", 40000),
                true,
                -1))
        .join();
    AppendResult stored = broker.store().append(fanOut("hello", "rk", Map.of())).get();
    assertThat(stored.isOk()).as("%s", stored).isTrue();
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();

    PopResult popped = pop(Q1);
    assertThat(popped.messages())
        .extracting(DispatchedQueueServiceTest::body)
        .containsExactly("own", "hello");
    ReceivedMessage m = popped.messages().get(1);
    assertThat(m.topic()).isEqualTo(Q1);
    assertThat(m.queueOffset()).isEqualTo(1);
    assertThat(m.commitLogOffset()).isEqualTo(stored.physicalOffset());
    assertThat(m.properties())
        .containsEntry(MessageProperties.TAGS, "rk")
        .containsEntry("color", "red")
        .containsEntry(MessageProperties.DISPATCH_SOURCE, EXCHANGE)
        .doesNotContainKey(MessageProperties.DISPATCH);
    assertThat(StoredMessage.decode(ByteBuffer.wrap(m.record()), 0).topic()).isEqualTo(Q1);
    assertThat(m.receipt().queueOffset()).isEqualTo(1);

    // Q2's group reads the same record at its own offset 0; peek sees it without taking it.
    assertThat(
            service
                .peek(
                    new PeekCommand(
                        DestinationNames.queueGroup(Q2), Q2, 10, FilterType.TAG, "*", null))
                .join()
                .messages())
        .singleElement()
        .satisfies(p -> assertThat(p.queueOffset()).isZero());
    ReceivedMessage m2 = pop(Q2).messages().get(0);
    assertThat(body(m2)).isEqualTo("hello");
    assertThat(m2.topic()).isEqualTo(Q2);

    assertThat(service.ack(m.receipt()).join()).isEqualTo(AckStatus.OK);
    assertThat(service.ack(popped.messages().get(0).receipt()).join()).isEqualTo(AckStatus.OK);
    assertThat(broker.pops().inFlight(DestinationNames.queueGroup(Q1), Q1, 0)).isZero();
    assertThat(pop(Q1).messages()).isEmpty();
    assertThat(service.release(m2.receipt(), false).join()).isEqualTo(AckStatus.OK);
    assertThat(pop(Q2).messages())
        .singleElement()
        .satisfies(r -> assertThat(body(r)).isEqualTo("hello"));

    // A pull of Q1 with a tag filter finds it by the consume queue's tag hash.
    PullResult pulled =
        service.pull(new PullCommand("puller", Q1, 0, 0, 10, 0, FilterType.TAG, "rk")).join();
    assertThat(pulled.records()).hasSize(1);
    StoredMessage p = StoredMessage.decode(pulled.records().get(0), 0);
    assertThat(p.topic()).isEqualTo(Q1);
    assertThat(p.queueOffset()).isEqualTo(1);
    assertThat(pulled.nextOffset()).isEqualTo(2);
    // Nothing in the exchange's own queue.
    assertThat(broker.store().maxOffset(EXCHANGE, 0)).isZero();
  }

  @Test
  void aProducersOwnTargetListIsDropped() throws Exception {
    RemotingClient client = new RemotingClient("test");
    try {
      Map<String, String> props = new LinkedHashMap<>();
      props.put(
          MessageProperties.DISPATCH,
          DispatchTargets.encode(List.of(new DispatchTargets.Queue(Q2, 0))));
      RemotingCommand response =
          client.invokeSync(
              "127.0.0.1:" + broker.port(),
              RemotingCommand.request(RequestCode.SEND_MESSAGE_V2)
                  .put("a", "pg")
                  .put("b", Q1)
                  .put("c", "TBW102")
                  .put("d", 1)
                  .put("e", 0)
                  .put("i", MessageProperties.encode(props))
                  .body("sneaky".getBytes(StandardCharsets.UTF_8)),
              5000);
      assertThat(response.code()).isEqualTo(ResponseCode.SUCCESS);
    } finally {
      client.shutdown();
    }
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    assertThat(broker.store().maxOffset(Q2, 0)).isZero();
    ReceivedMessage m = pop(Q1).messages().get(0);
    assertThat(body(m)).isEqualTo("sneaky");
    assertThat(m.properties()).doesNotContainKey(MessageProperties.DISPATCH);
  }

  @Test
  void aParkedFanOutReachesItsQueuesOnlyOnCommitOrWhenDue() throws Exception {
    // A transaction's half message waits in the half topic; the commit stores the fan-out.
    MessageToStore half =
        TransactionService.toHalf(
            fanOut(
                "committed",
                "rk",
                Map.of(TransactionService.PGROUP, "pg", TransactionService.TRAN_MSG, "true")));
    AppendResult h = broker.store().append(half).get();
    assertThat(h.isOk()).isTrue();
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    assertThat(broker.store().maxOffset(Q1, 0)).isZero();
    assertThat(broker.store().maxOffset(Q2, 0)).isZero();
    assertThat(
            service
                .endTransaction(
                    new EndTransactionCommand(
                        "pg", h.physicalOffset(), h.queueOffset(), null, "tx", true, false))
                .join()
                .isOk())
        .isTrue();
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    assertThat(broker.store().maxOffset(Q1, 0)).isEqualTo(1);
    assertThat(broker.store().maxOffset(Q2, 0)).isEqualTo(1);
    assertThat(body(pop(Q2).messages().get(0))).isEqualTo("committed");

    // A delay level's copy waits in the schedule topic until due.
    long sentAt = System.currentTimeMillis();
    MessageToStore parked =
        ScheduleRewrite.toSchedule(fanOut("later", "rk", Map.of(ScheduleRewrite.DELAY, "2")), 2, 2);
    assertThat(parked.properties())
        .doesNotContain(MessageProperties.DISPATCH + MessageProperties.NAME_VALUE_SEPARATOR)
        .contains(MessageProperties.REAL_DISPATCH);
    assertThat(broker.store().append(parked).get().isOk()).isTrue();
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    assertThat(broker.store().maxOffset(Q1, 0)).isEqualTo(1);
    assertThat(broker.store().maxOffset(Q2, 0)).isEqualTo(1);
    assertThat(broker.schedule().pending(2)).isEqualTo(1);

    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> broker.store().maxOffset(Q2, 0) == 2 && broker.store().maxOffset(Q1, 0) == 2);
    assertThat(System.currentTimeMillis() - sentAt).isGreaterThanOrEqualTo(1000);
    List<ReceivedMessage> q1 = pop(Q1).messages();
    assertThat(q1)
        .extracting(DispatchedQueueServiceTest::body)
        .containsExactly("committed", "later");
    assertThat(q1.get(1).properties())
        .doesNotContainKeys(
            MessageProperties.REAL_DISPATCH, ScheduleRewrite.REAL_TOPIC, ScheduleRewrite.DELAY)
        .containsEntry(MessageProperties.DISPATCH_SOURCE, EXCHANGE);
    assertThat(body(pop(Q2).messages().get(0))).isEqualTo("later");
    assertThat(broker.store().maxOffset(EXCHANGE, 0)).isZero();
  }
}
