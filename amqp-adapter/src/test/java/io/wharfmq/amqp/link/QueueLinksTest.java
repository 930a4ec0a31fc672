package io.wharfmq.amqp.link;

import static io.wharfmq.amqp.link.AmqpClient.body;
import static io.wharfmq.amqp.link.AmqpClient.receiver;
import static io.wharfmq.amqp.link.AmqpClient.send;
import static io.wharfmq.amqp.link.AmqpClient.sender;
import static io.wharfmq.amqp.link.AmqpClient.source;
import static io.wharfmq.amqp.link.AmqpClient.text;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharfmq.service.DestinationNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Modified;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.LinkError;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Queue links over real proton-j engines: credit, drain, outcomes, settle modes, large messages.
 */
@Timeout(value = 60, unit = SECONDS)
class QueueLinksTest {
  private static final String GROUP = DestinationNames.queueGroup("orders");
  private final InMemoryMessagingService service = new InMemoryMessagingService();
  private final EngineHarness h = new EngineHarness(service, new AmqpLinkAttacher(2 * 1024 * 1024));

  @AfterEach
  void close() {
    h.close();
    service.close();
  }

  private void awaitTrue(java.util.concurrent.Callable<Boolean> c) {
    await().atMost(10, SECONDS).until(() -> h.call(c));
  }

  private List<Delivery> sendAll(EngineHarness.Pair p, String address, String... bodies) {
    List<Delivery> ds = new ArrayList<>();
    h.run(
        () -> {
          Sender s = sender(p.session, "producer-" + address, address);
          for (String b : bodies) {
            ds.add(send(s, text(b)));
          }
        });
    awaitTrue(() -> ds.stream().allMatch(d -> d.getRemoteState() instanceof Accepted));
    return ds;
  }

  /** The header's delivery-count (absent means 0). */
  static int count(EngineHarness.Got g) {
    var h = g.message().getHeader();
    return h == null || h.getDeliveryCount() == null ? 0 : h.getDeliveryCount().intValue();
  }

  private static List<String> bodies(List<EngineHarness.Got> got) {
    return got.stream().map(g -> body(g.message())).toList();
  }

  @Test
  void producerGetsCreditAtOnceAndAcceptedOnceStoredAndConsumerGetsThemInOrder() {
    EngineHarness.Pair p = h.connect("app");
    Sender s = h.call(() -> sender(p.session, "producer", "orders"));
    assertThat(h.call(s::getCredit)).isEqualTo(ProducerLink.WINDOW);

    sendAll(p, "orders", "a", "b", "c");
    assertThat(service.messages("orders")).hasSize(3);
    // One producer link writes one queue of the topic, so its order holds.
    assertThat(service.messages("orders").stream().map(m -> m.queueId()).distinct()).hasSize(1);

    Receiver r = h.call(() -> receiver(p.session, "consumer", source("orders")));
    h.run(() -> r.flow(10));
    awaitTrue(() -> p.got(r).size() == 3);
    assertThat(bodies(p.got(r))).containsExactly("a", "b", "c");
    assertThat(service.inFlight(GROUP, "orders")).isEqualTo(3);

    h.run(
        () ->
            p.got(r)
                .forEach(
                    g -> {
                      g.delivery().disposition(Accepted.getInstance());
                      g.delivery().settle();
                    }));
    awaitTrue(() -> service.finished(GROUP, "orders") == 3);
    assertThat(service.inFlight(GROUP, "orders")).isZero();
  }

  @Test
  void consumerGetsAtMostItsCreditAndCompetingConsumersShareTheQueue() {
    EngineHarness.Pair p = h.connect("app");
    sendAll(p, "orders", "1", "2", "3", "4", "5");
    Receiver r1 = h.call(() -> receiver(p.session, "c1", source("orders")));
    Receiver r2 = h.call(() -> receiver(p.session, "c2", source("/queues/orders")));
    h.run(() -> r1.flow(2));
    awaitTrue(() -> p.got(r1).size() == 2);
    h.run(() -> r2.flow(10));
    awaitTrue(() -> p.got(r2).size() == 3);
    assertThat(p.got(r1)).hasSize(2);
    List<String> all = new ArrayList<>(bodies(p.got(r1)));
    all.addAll(bodies(p.got(r2)));
    assertThat(all).containsExactlyInAnyOrder("1", "2", "3", "4", "5");
  }

  @Test
  void drainAnswersAtOnceWithWhatIsThereAndSpendsTheRestOfTheCredit() {
    EngineHarness.Pair p = h.connect("app");
    sendAll(p, "orders", "x", "y");
    Receiver r = h.call(() -> receiver(p.session, "consumer", source("orders")));
    h.run(() -> r.drain(10));
    awaitTrue(() -> p.got(r).size() == 2 && !r.draining());
    assertThat(h.call(r::getCredit)).isZero();
    assertThat(h.call(r::getRemoteCredit)).isZero();

    // An empty queue: the drain still comes back at once.
    h.run(() -> r.drain(5));
    awaitTrue(() -> !r.draining());
    assertThat(h.call(r::getCredit)).isZero();
    assertThat(p.got(r)).hasSize(2);
  }

  @Test
  void aWaitingConsumerGetsAMessageSentLater() {
    EngineHarness.Pair p = h.connect("app");
    sendAll(p, "orders", "first");
    Receiver r = h.call(() -> receiver(p.session, "consumer", source("orders")));
    h.run(() -> r.flow(5));
    awaitTrue(() -> p.got(r).size() == 1);
    sendAll(p, "orders", "later");
    awaitTrue(() -> p.got(r).size() == 2);
    assertThat(body(p.got(r).get(1).message())).isEqualTo("later");
  }

  private EngineHarness.Got deliverOne(EngineHarness.Pair p, Receiver r, int expectedTotal) {
    h.run(() -> r.flow(1));
    awaitTrue(() -> p.got(r).size() == expectedTotal);
    return p.got(r).get(expectedTotal - 1);
  }

  private void settle(EngineHarness.Got g, DeliveryState outcome) {
    h.run(
        () -> {
          g.delivery().disposition(outcome);
          g.delivery().settle();
        });
  }

  @Test
  void outcomesMapToReleaseDeadLetterAndDeliveryCount() {
    EngineHarness.Pair p = h.connect("app");
    sendAll(p, "orders", "m");
    Receiver r = h.call(() -> receiver(p.session, "consumer", source("orders")));

    EngineHarness.Got first = deliverOne(p, r, 1);
    assertThat(count(first)).isZero();
    assertThat(
            first.message().getHeader() == null
                || !Boolean.FALSE.equals(first.message().getHeader().getFirstAcquirer()))
        .isTrue();

    settle(first, Released.getInstance()); // back at once, count unchanged
    EngineHarness.Got second = deliverOne(p, r, 2);
    assertThat(count(second)).isZero();

    Modified failed = new Modified();
    failed.setDeliveryFailed(true);
    settle(second, failed); // back, count + 1
    EngineHarness.Got third = deliverOne(p, r, 3);
    assertThat(count(third)).isEqualTo(1);
    assertThat(third.message().getHeader().getFirstAcquirer()).isFalse();

    settle(third, new Rejected()); // dead letter, never redelivered
    awaitTrue(() -> service.messages("%DLQ%" + GROUP).size() == 1);
    h.run(() -> r.drain(5));
    awaitTrue(() -> !r.draining());
    assertThat(p.got(r)).hasSize(3);

    sendAll(p, "orders", "n");
    EngineHarness.Got n = deliverOne(p, r, 4);
    Modified undeliverable = new Modified();
    undeliverable.setDeliveryFailed(true);
    undeliverable.setUndeliverableHere(true);
    settle(n, undeliverable);
    awaitTrue(() -> service.messages("%DLQ%" + GROUP).size() == 2);
  }

  @Test
  void unsettledDeliveriesGoBackWhenTheLinkOrTheConnectionEnds() {
    EngineHarness.Pair p = h.connect("app");
    sendAll(p, "orders", "a", "b");
    Receiver r = h.call(() -> receiver(p.session, "consumer", source("orders")));
    h.run(() -> r.flow(10));
    awaitTrue(() -> p.got(r).size() == 2);
    h.run(r::close);
    awaitTrue(() -> service.inFlight(GROUP, "orders") == 0);

    EngineHarness.Pair q = h.connect("other");
    Receiver r2 = h.call(() -> receiver(q.session, "consumer", source("orders")));
    h.run(() -> r2.flow(10));
    awaitTrue(() -> q.got(r2).size() == 2);
    assertThat(count(q.got(r2).get(0))).isZero();
    h.run(q.client::close);
    awaitTrue(() -> service.inFlight(GROUP, "orders") == 0);
    assertThat(service.finished(GROUP, "orders")).isZero();
  }

  @Test
  void preSettledConsumerMessagesAreAckedWhenSentAndPreSettledSendsAreStored() {
    EngineHarness.Pair p = h.connect("app");
    Sender s =
        h.call(
            () -> {
              Sender snd = p.session.sender("presettled-producer");
              org.apache.qpid.proton.amqp.messaging.Target t =
                  new org.apache.qpid.proton.amqp.messaging.Target();
              t.setAddress("orders");
              snd.setTarget(t);
              snd.setSource(new org.apache.qpid.proton.amqp.messaging.Source());
              snd.setSenderSettleMode(SenderSettleMode.SETTLED);
              snd.open();
              return snd;
            });
    h.run(
        () -> {
          Delivery d = send(s, text("fire-and-forget"));
          d.settle();
        });
    awaitTrue(() -> service.messages("orders").size() == 1);

    Receiver r =
        h.call(
            () -> {
              Receiver rcv = p.session.receiver("presettled-consumer");
              rcv.setSource(source("orders"));
              rcv.setTarget(new org.apache.qpid.proton.amqp.messaging.Target());
              rcv.setSenderSettleMode(SenderSettleMode.SETTLED);
              rcv.open();
              rcv.flow(5);
              return rcv;
            });
    awaitTrue(() -> p.got(r).size() == 1);
    assertThat(h.call(() -> p.got(r).get(0).delivery().remotelySettled())).isTrue();
    awaitTrue(() -> service.finished(GROUP, "orders") == 1);
  }

  @Test
  void oneMebibyteMessagesCrossInManyFramesAndOversizedOnesAreRejected() {
    EngineHarness.Pair p = h.connect("app", "/", 16 * 1024);
    byte[] big = new byte[1024 * 1024];
    new Random(7).nextBytes(big);
    Sender s = h.call(() -> sender(p.session, "producer", "orders"));
    Delivery d = h.call(() -> send(s, AmqpClient.bytes(big)));
    awaitTrue(() -> d.getRemoteState() instanceof Accepted);

    Receiver r = h.call(() -> receiver(p.session, "consumer", source("orders")));
    h.run(() -> r.flow(1));
    awaitTrue(() -> p.got(r).size() == 1);
    byte[] back = ((Data) p.got(r).get(0).message().getBody()).getValue().getArray();
    assertThat(Arrays.equals(back, big)).isTrue();

    Delivery tooBig = h.call(() -> send(s, AmqpClient.bytes(new byte[3 * 1024 * 1024])));
    awaitTrue(() -> tooBig.getRemoteState() instanceof Rejected);
    Rejected rej = (Rejected) h.call(tooBig::getRemoteState);
    assertThat((Object) rej.getError().getCondition()).isEqualTo(LinkError.MESSAGE_SIZE_EXCEEDED);
    assertThat(service.messages("orders")).hasSize(1);
  }

  @Test
  void producerCreditStopsWhileTheStoreDoesNotAcknowledge() {
    EngineHarness.Pair p = h.connect("app");
    Sender s = h.call(() -> sender(p.session, "producer", "orders"));
    service.holdSends(true);
    h.run(
        () -> {
          for (int i = 0; i < ProducerLink.WINDOW; i++) {
            send(s, text("m" + i));
          }
        });
    awaitTrue(() -> service.heldSendCount() == ProducerLink.WINDOW);
    assertThat(h.call(s::getCredit)).isZero();
    service.holdSends(false);
    service.releaseSends();
    awaitTrue(() -> s.getCredit() > ProducerLink.WINDOW - ProducerLink.LOW);
    assertThat(service.messages("orders")).hasSize(ProducerLink.WINDOW);
  }

  @Test
  void heldDeliveriesStayInvisibleAndAnAckAfterARenewalStillCounts() {
    InMemoryMessagingService svc = new InMemoryMessagingService();
    try (EngineHarness fast =
        new EngineHarness(svc, new AmqpLinkAttacher(1 << 20, new MappingCodec(), 600))) {
      EngineHarness.Pair p = fast.connect("app");
      Sender s = fast.call(() -> sender(p.session, "producer", "orders"));
      Delivery sent = fast.call(() -> send(s, text("held")));
      await().atMost(10, SECONDS).until(() -> fast.call(() -> sent.getRemoteState() != null));
      Receiver r = fast.call(() -> receiver(p.session, "consumer", source("orders")));
      fast.run(() -> r.flow(1));
      await().atMost(10, SECONDS).until(() -> fast.call(() -> p.got(r).size() == 1));
      long before = svc.renewals();
      await().atMost(10, SECONDS).until(() -> svc.renewals() >= before + 3);
      fast.run(
          () -> {
            p.got(r).get(0).delivery().disposition(Accepted.getInstance());
            p.got(r).get(0).delivery().settle();
          });
      await().atMost(10, SECONDS).until(() -> svc.finished(GROUP, "orders") == 1);
    } finally {
      svc.close();
    }
  }

  @Test
  void aBrowserSeesTheQueueWithoutTakingIt() {
    EngineHarness.Pair p = h.connect("app");
    sendAll(p, "orders", "a", "b", "c");
    Receiver b =
        h.call(
            () -> {
              org.apache.qpid.proton.amqp.messaging.Source src = source("orders");
              src.setDistributionMode(Terminus.COPY);
              Receiver rcv = receiver(p.session, "browser", src);
              rcv.drain(10);
              return rcv;
            });
    awaitTrue(() -> p.got(b).size() == 3 && !b.draining());
    assertThat(service.inFlight(GROUP, "orders")).isZero();
    Receiver r = h.call(() -> receiver(p.session, "consumer", source("orders")));
    h.run(() -> r.flow(10));
    awaitTrue(() -> p.got(r).size() == 3);
  }
}
