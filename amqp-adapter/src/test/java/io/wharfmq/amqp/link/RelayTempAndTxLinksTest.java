package io.wharfmq.amqp.link;

import static io.wharfmq.amqp.link.AmqpClient.body;
import static io.wharfmq.amqp.link.AmqpClient.receiver;
import static io.wharfmq.amqp.link.AmqpClient.send;
import static io.wharfmq.amqp.link.AmqpClient.sender;
import static io.wharfmq.amqp.link.AmqpClient.source;
import static io.wharfmq.amqp.link.AmqpClient.text;
import static io.wharfmq.amqp.link.AmqpClient.to;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharfmq.service.DestinationNames;
import java.util.List;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transaction.Coordinator;
import org.apache.qpid.proton.amqp.transaction.Declare;
import org.apache.qpid.proton.amqp.transaction.Declared;
import org.apache.qpid.proton.amqp.transaction.Discharge;
import org.apache.qpid.proton.amqp.transaction.TransactionalState;
import org.apache.qpid.proton.amqp.transaction.TxnCapability;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Anonymous relay, temporary destinations and the transaction coordinator over raw proton-j. */
@Timeout(value = 60, unit = SECONDS)
class RelayTempAndTxLinksTest {
  private final InMemoryMessagingService service = new InMemoryMessagingService();
  private final EngineHarness h = new EngineHarness(service, new AmqpLinkAttacher(1 << 20));

  @AfterEach
  void close() {
    h.close();
    service.close();
  }

  private void awaitTrue(java.util.concurrent.Callable<Boolean> c) {
    await().atMost(10, SECONDS).until(() -> h.call(c));
  }

  @Test
  void anonymousRelayRoutesEachMessageByItsToAndDestinationType() {
    EngineHarness.Pair p = h.connect("app");
    Sender relay = h.call(() -> sender(p.session, "relay", null));
    List<Delivery> ds =
        h.call(
            () ->
                List.of(
                    send(relay, to(text("q"), "orders", 0)),
                    send(relay, to(text("t"), "news", 1)),
                    send(relay, to(text("v2"), "/queues/orders", -1)),
                    send(relay, text("nowhere"))));
    awaitTrue(() -> ds.stream().allMatch(d -> d.getRemoteState() != null));
    assertThat(h.call(() -> ds.get(0).getRemoteState())).isInstanceOf(Accepted.class);
    assertThat(h.call(() -> ds.get(1).getRemoteState())).isInstanceOf(Accepted.class);
    assertThat(h.call(() -> ds.get(2).getRemoteState())).isInstanceOf(Accepted.class);
    Rejected none = (Rejected) h.call(() -> ds.get(3).getRemoteState());
    // RabbitMQ's anonymous-terminus rule (docs/rabbitmq.md, "Outcomes")
    assertThat((Object) none.getError().getCondition())
        .isEqualTo(Symbol.valueOf("amqp:precondition-failed"));
    assertThat(none.getError().getDescription())
        .isEqualTo("anonymous terminus requires 'to' address to be set");
    assertThat(service.messages("orders")).hasSize(2);
    assertThat(service.messages("news")).hasSize(1);
    assertThat(service.group(DestinationNames.queueGroup("orders"))).isNotNull();
    assertThat(service.group(DestinationNames.queueGroup("news"))).isNull();
  }

  private Sender tempCreator(EngineHarness.Pair p, Symbol capability) {
    return h.call(
        () -> {
          Sender s = p.session.sender("temp-creator");
          Target t = new Target();
          t.setDynamic(true);
          t.setCapabilities(capability);
          s.setTarget(t);
          s.setSource(new Source());
          s.open();
          return s;
        });
  }

  @Test
  void temporaryQueueBelongsToItsConnectionAndDiesWithItsCreatorLink() {
    EngineHarness.Pair p = h.connect("owner");
    Sender creator = tempCreator(p, Terminus.TEMP_QUEUE);
    awaitTrue(() -> creator.getRemoteState() == EndpointState.ACTIVE);
    String address = ((Target) h.call(creator::getRemoteTarget)).getAddress();
    assertThat(address).startsWith("temp-queue-");
    String topic = DestinationNames.topic("/", address);
    assertThat(service.hasTopic(topic)).isTrue();

    Delivery d = h.call(() -> send(creator, text("reply")));
    awaitTrue(() -> d.getRemoteState() instanceof Accepted);
    Receiver own = h.call(() -> receiver(p.session, "own", source(address, Terminus.TEMP_QUEUE)));
    h.run(() -> own.flow(5));
    awaitTrue(() -> p.got(own).size() == 1);
    assertThat(body(p.got(own).get(0).message())).isEqualTo("reply");

    EngineHarness.Pair stranger = h.connect("stranger");
    Receiver theirs =
        h.call(() -> receiver(stranger.session, "theirs", source(address, Terminus.TEMP_QUEUE)));
    awaitTrue(() -> theirs.getRemoteState() == EndpointState.CLOSED);
    assertThat((Object) h.call(() -> theirs.getRemoteCondition().getCondition()))
        .isEqualTo(Symbol.valueOf("amqp:unauthorized-access"));

    h.run(creator::close);
    awaitTrue(() -> !service.hasTopic(topic));
    assertThat(service.group(DestinationNames.queueGroup(topic))).isNull();
  }

  @Test
  void temporaryTopicIsDeletedWhenItsConnectionCloses() {
    EngineHarness.Pair p = h.connect("owner");
    Sender creator = tempCreator(p, Terminus.TEMP_TOPIC);
    awaitTrue(() -> creator.getRemoteState() == EndpointState.ACTIVE);
    String address = ((Target) h.call(creator::getRemoteTarget)).getAddress();
    assertThat(address).startsWith("temp-topic-");
    String topic = DestinationNames.topic("/", address);
    assertThat(service.hasTopic(topic)).isTrue();
    h.run(p.client::close);
    awaitTrue(() -> !service.hasTopic(topic));
  }

  private Binary declare(EngineHarness.Pair p, Sender coordinator) {
    Message m = Message.Factory.create();
    m.setBody(new AmqpValue(new Declare()));
    Delivery d = h.call(() -> send(coordinator, m));
    awaitTrue(() -> d.getRemoteState() instanceof Declared);
    return ((Declared) h.call(d::getRemoteState)).getTxnId();
  }

  private Object state(Delivery d) {
    return h.call(d::getRemoteState);
  }

  private Delivery discharge(Sender coordinator, Binary id, boolean fail) {
    Discharge dis = new Discharge();
    dis.setTxnId(id);
    dis.setFail(fail);
    Message m = Message.Factory.create();
    m.setBody(new AmqpValue(dis));
    Delivery d = h.call(() -> send(coordinator, m));
    awaitTrue(() -> d.getRemoteState() != null);
    return d;
  }

  private Sender coordinator(EngineHarness.Pair p) {
    Sender coordinator =
        h.call(
            () -> {
              Sender s = p.session.sender("coordinator");
              Coordinator c = new Coordinator();
              c.setCapabilities(TxnCapability.LOCAL_TXN);
              s.setTarget(c);
              s.setSource(new Source());
              s.open();
              return s;
            });
    awaitTrue(
        () -> coordinator.getRemoteState() == EndpointState.ACTIVE && coordinator.getCredit() > 0);
    return coordinator;
  }

  private static TransactionalState inside(Binary txnId) {
    TransactionalState s = new TransactionalState();
    s.setTxnId(txnId);
    return s;
  }

  @Test
  void aRefusedTransactionalSendFailsTheCommitAndNoneOfTheTransactionIsStored() {
    EngineHarness.Pair p = h.connect("app");
    Sender coordinator = coordinator(p);
    Binary t = declare(p, coordinator);
    Sender relay = h.call(() -> sender(p.session, "relay", null));
    Delivery ok = h.call(() -> send(relay, to(text("ok"), "orders", 0), inside(t)));
    Delivery refused = h.call(() -> send(relay, text("nowhere"), inside(t)));
    awaitTrue(() -> ok.getRemoteState() != null && refused.getRemoteState() != null);
    TransactionalState okState = (TransactionalState) state(ok);
    assertThat(okState.getOutcome()).isInstanceOf(Accepted.class);
    TransactionalState refusedState = (TransactionalState) state(refused);
    assertThat(refusedState.getTxnId()).isEqualTo(t);
    assertThat(refusedState.getOutcome()).isInstanceOf(Rejected.class);

    Rejected commit = (Rejected) state(discharge(coordinator, t, false));
    assertThat((Object) commit.getError().getCondition())
        .isEqualTo(Symbol.valueOf("amqp:transaction:rollback"));
    assertThat(service.messages("orders")).isEmpty();
    awaitTrue(() -> service.openTransactions() == 0);
  }

  @Test
  void transactionalSendsAppearAtCommitAndAcksRollBackWithCountPlusOne() {
    EngineHarness.Pair p = h.connect("app");
    Sender coordinator = coordinator(p);

    Binary t1 = declare(p, coordinator);
    Sender producer = h.call(() -> sender(p.session, "producer", "txq"));
    TransactionalState in = new TransactionalState();
    in.setTxnId(t1);
    Delivery sent = h.call(() -> send(producer, text("tx-1"), in));
    awaitTrue(() -> sent.getRemoteState() instanceof TransactionalState);
    assertThat(((TransactionalState) h.call(sent::getRemoteState)).getOutcome())
        .isInstanceOf(Accepted.class);
    assertThat(service.messages("txq")).isEmpty();
    assertThat(state(discharge(coordinator, t1, false))).isInstanceOf(Accepted.class);
    assertThat(service.messages("txq")).hasSize(1);

    Binary t2 = declare(p, coordinator);
    Receiver consumer = h.call(() -> receiver(p.session, "consumer", source("txq")));
    h.run(() -> consumer.flow(1));
    awaitTrue(() -> p.got(consumer).size() == 1);
    TransactionalState ack = new TransactionalState();
    ack.setTxnId(t2);
    ack.setOutcome(Accepted.getInstance());
    h.run(
        () -> {
          p.got(consumer).get(0).delivery().disposition(ack);
          p.got(consumer).get(0).delivery().settle();
        });
    awaitTrue(() -> service.inFlight(DestinationNames.queueGroup("txq"), "txq") == 1);
    assertThat(service.finished(DestinationNames.queueGroup("txq"), "txq")).isZero();
    assertThat(state(discharge(coordinator, t2, true))).isInstanceOf(Accepted.class);

    h.run(() -> consumer.flow(1));
    awaitTrue(() -> p.got(consumer).size() == 2);
    assertThat(QueueLinksTest.count(p.got(consumer).get(1))).isEqualTo(1);

    Binary t3 = declare(p, coordinator);
    ack.setTxnId(t3);
    h.run(
        () -> {
          p.got(consumer).get(1).delivery().disposition(ack);
          p.got(consumer).get(1).delivery().settle();
        });
    assertThat(state(discharge(coordinator, t3, false))).isInstanceOf(Accepted.class);
    awaitTrue(() -> service.finished(DestinationNames.queueGroup("txq"), "txq") == 1);

    Delivery unknown = discharge(coordinator, t3, false);
    assertThat(h.call(unknown::getRemoteState)).isInstanceOf(Rejected.class);
  }

  @Test
  void anAckNamingAnUnknownTransactionReturnsTheMessageAndClosesTheLink() {
    EngineHarness.Pair p = h.connect("app");
    Sender coordinator = coordinator(p);
    Binary t = declare(p, coordinator);
    assertThat(state(discharge(coordinator, t, true))).isInstanceOf(Accepted.class);
    Sender producer = h.call(() -> sender(p.session, "producer", "txq"));
    Delivery sent = h.call(() -> send(producer, text("held")));
    awaitTrue(() -> sent.getRemoteState() instanceof Accepted);
    Receiver consumer = h.call(() -> receiver(p.session, "consumer", source("txq")));
    h.run(() -> consumer.flow(1));
    awaitTrue(() -> p.got(consumer).size() == 1);
    TransactionalState ack = inside(t);
    ack.setOutcome(Accepted.getInstance());
    h.run(
        () -> {
          p.got(consumer).get(0).delivery().disposition(ack);
          p.got(consumer).get(0).delivery().settle();
        });

    awaitTrue(() -> consumer.getRemoteState() == EndpointState.CLOSED);
    assertThat((Object) h.call(() -> consumer.getRemoteCondition().getCondition()))
        .isEqualTo(Symbol.valueOf("amqp:transaction:unknown-id"));
    awaitTrue(() -> service.inFlight(DestinationNames.queueGroup("txq"), "txq") == 0);
    assertThat(service.finished(DestinationNames.queueGroup("txq"), "txq")).isZero();
    Receiver again = h.call(() -> receiver(p.session, "again", source("txq")));
    h.run(() -> again.flow(1));
    awaitTrue(() -> p.got(again).size() == 1);
    assertThat(QueueLinksTest.count(p.got(again).get(0))).isEqualTo(1);
  }
}
