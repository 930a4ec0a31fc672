package io.wharfmq.amqp.link;

import static io.wharfmq.amqp.link.AmqpClient.receiver;
import static io.wharfmq.amqp.link.AmqpClient.send;
import static io.wharfmq.amqp.link.AmqpClient.sender;
import static io.wharfmq.amqp.link.AmqpClient.source;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.Map;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The /management link pair and the refusals of bad v2 addresses over raw proton-j. The service
 * here has no exchange model, so topology requests answer 503; RabbitMqClientInteropTest drives the
 * operations against the broker.
 */
@Timeout(value = 60, unit = SECONDS)
class ManagementLinkTest {
  private static final Map<Symbol, Object> PAIRED = Map.of(Symbol.valueOf("paired"), true);
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
  void aLinkPairAnswersEachRequestOnThePairedLink() {
    EngineHarness.Pair p = h.connect("app");
    Sender requests =
        h.call(
            () -> {
              Sender s = p.session.sender("management-link-pair");
              Target t = new Target();
              t.setAddress("/management");
              s.setTarget(t);
              s.setSource(new Source());
              s.setSenderSettleMode(SenderSettleMode.SETTLED);
              s.setProperties(PAIRED);
              s.open();
              return s;
            });
    Receiver responses =
        h.call(
            () -> {
              Receiver r = p.session.receiver("management-link-pair");
              r.setSource(source("/management"));
              r.setTarget(new Target());
              r.setProperties(PAIRED);
              r.open();
              r.flow(10);
              return r;
            });
    awaitTrue(() -> requests.getCredit() == ManagementLink.CREDIT);
    assertThat(h.call(requests::getRemoteProperties)).isEqualTo(PAIRED);
    h.run(
        () -> {
          Message m = Message.Factory.create();
          m.setMessageId("req-1");
          m.setAddress("/queues/q%201");
          m.setSubject("GET");
          m.setReplyTo("$me");
          m.setBody(new AmqpValue(null));
          send(requests, m).settle();
        });
    awaitTrue(() -> p.got(responses).size() == 1);
    Message answer = h.call(() -> p.got(responses).get(0).message());
    assertThat(answer.getCorrelationId()).isEqualTo("req-1");
    assertThat(answer.getSubject()).isEqualTo("503"); // no exchange model in this service
    assertThat(answer.getApplicationProperties().getValue()).containsEntry("http:response", "1.1");
    awaitTrue(() -> requests.getCredit() == ManagementLink.CREDIT);
  }

  @Test
  void aManagementLinkWithoutPairedIsRefused() {
    EngineHarness.Pair p = h.connect("app");
    Sender s = h.call(() -> sender(p.session, "unpaired", "/management"));
    awaitRefused(s, "amqp:invalid-field");
  }

  @Test
  void badV2AddressesAreRefusedWithInvalidField() {
    EngineHarness.Pair p = h.connect("app");
    Sender emptyExchange = h.call(() -> sender(p.session, "s1", "/exchanges/"));
    Sender defaultExchange = h.call(() -> sender(p.session, "s2", "/exchanges/amq.default/k"));
    Sender badEncoding = h.call(() -> sender(p.session, "s3", "/queues/a%zz"));
    Receiver exchangeSource = h.call(() -> receiver(p.session, "r1", source("/exchanges/x")));
    Receiver slash = h.call(() -> receiver(p.session, "r2", source("/queues/a/b")));
    for (Link l : new Link[] {emptyExchange, defaultExchange, badEncoding, exchangeSource, slash}) {
      awaitRefused(l, "amqp:invalid-field");
    }
  }

  @Test
  void dynamicSourcesRabbitMqStyle() {
    EngineHarness.Pair p = h.connect("app");
    Receiver temp =
        h.call(
            () -> {
              Source src = source(null, Symbol.valueOf("temporary-queue"));
              src.setDynamic(true);
              return receiver(p.session, "temp", src);
            });
    awaitTrue(
        () -> temp.getRemoteState() == EndpointState.ACTIVE && temp.getRemoteSource() != null);
    assertThat(h.call(() -> temp.getRemoteSource().getAddress())).startsWith("/queues/temp-queue-");
    Receiver unsettledVolatile =
        h.call(
            () -> {
              Source src = source(null, Symbol.valueOf("rabbitmq:volatile-queue"));
              src.setDynamic(true);
              return receiver(p.session, "volatile", src);
            });
    awaitRefused(unsettledVolatile, "amqp:not-implemented");
    Receiver other =
        h.call(
            () -> {
              Source src = source(null, Symbol.valueOf("something-else"));
              src.setDynamic(true);
              return receiver(p.session, "other", src);
            });
    awaitRefused(other, "amqp:not-implemented");
  }

  private void awaitRefused(Link l, String condition) {
    awaitTrue(() -> l.getRemoteState() == EndpointState.CLOSED);
    assertThat(h.call(() -> l instanceof Sender ? l.getRemoteTarget() : l.getRemoteSource()))
        .as(l.getName())
        .isNull();
    assertThat((Object) h.call(() -> l.getRemoteCondition().getCondition()))
        .as(l.getName())
        .isEqualTo(Symbol.valueOf(condition));
  }
}
