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
import java.util.List;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.TerminusDurability;
import org.apache.qpid.proton.amqp.messaging.TerminusExpiryPolicy;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Topic links: non-durable, durable and shared subscriptions, the null-source lookup. */
@Timeout(value = 60, unit = SECONDS)
class TopicLinksTest {
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

  private void publish(EngineHarness.Pair p, String topic, String... bodies) {
    List<Delivery> ds =
        h.call(
            () -> {
              Sender s = sender(p.session, "pub-" + topic + "-" + bodies[0], topic, Terminus.TOPIC);
              return java.util.Arrays.stream(bodies).map(b -> send(s, text(b))).toList();
            });
    awaitTrue(() -> ds.stream().allMatch(d -> d.getRemoteState() instanceof Accepted));
  }

  private static Source durable(String topic) {
    Source s = source(topic, Terminus.TOPIC);
    s.setDurable(TerminusDurability.UNSETTLED_STATE);
    s.setExpiryPolicy(TerminusExpiryPolicy.NEVER);
    s.setDistributionMode(Terminus.COPY);
    return s;
  }

  private void acceptAll(EngineHarness.Pair p, Receiver r) {
    h.run(
        () ->
            p.got(r)
                .forEach(
                    g -> {
                      g.delivery().disposition(Accepted.getInstance());
                      g.delivery().settle();
                    }));
  }

  @Test
  void nonDurableSubscribersStartAtTheTailAndEndWithTheirLink() {
    EngineHarness.Pair p = h.connect("app");
    publish(p, "news", "early");
    Receiver a = h.call(() -> receiver(p.session, "a", source("news", Terminus.TOPIC)));
    Receiver b = h.call(() -> receiver(p.session, "b", source("news", Terminus.TOPIC)));
    h.run(
        () -> {
          a.flow(10);
          b.flow(10);
        });
    publish(p, "news", "late");
    awaitTrue(() -> p.got(a).size() == 1 && p.got(b).size() == 1);
    assertThat(body(p.got(a).get(0).message())).isEqualTo("late");
    assertThat(service.groupNames()).anyMatch(g -> g.startsWith(DestinationNames.VOLATILE_GROUP));
    h.run(
        () -> {
          a.close();
          b.close();
        });
    awaitTrue(
        () ->
            service.groupNames().stream()
                .noneMatch(g -> g.startsWith(DestinationNames.VOLATILE_GROUP)));
  }

  @Test
  void durableSubscriptionSurvivesDetachAndLookupThenCloseUnsubscribes() {
    EngineHarness.Pair p = h.connect("client-1");
    String group = DestinationNames.durableGroup("/", "client-1", "sub1");
    Receiver r = h.call(() -> receiver(p.session, "sub1", durable("prices")));
    h.run(() -> r.flow(10));
    publish(p, "prices", "one");
    awaitTrue(() -> p.got(r).size() == 1);
    acceptAll(p, r);
    h.run(r::detach);
    awaitTrue(() -> r.getRemoteState() == EndpointState.CLOSED);
    h.run(r::free); // as Qpid JMS does, so the name can be attached again
    publish(p, "prices", "while-away");
    assertThat(service.group(group)).isNotNull();

    Receiver again = h.call(() -> receiver(p.session, "sub1", durable("prices")));
    awaitTrue(() -> again.getRemoteState() == EndpointState.ACTIVE);
    h.run(() -> again.flow(10));
    awaitTrue(() -> p.got(again).size() == 1);
    assertThat(body(p.got(again).get(0).message())).isEqualTo("while-away");
    acceptAll(p, again);
    h.run(again::detach);
    awaitTrue(() -> again.getRemoteState() == EndpointState.CLOSED);
    h.run(again::free);

    // Qpid JMS unsubscribes: a null-source attach finds it, a closing detach deletes it.
    Receiver lookup =
        h.call(
            () -> {
              Receiver l = p.session.receiver("sub1");
              l.setSource(null);
              l.setTarget(new org.apache.qpid.proton.amqp.messaging.Target());
              l.open();
              return l;
            });
    awaitTrue(() -> lookup.getRemoteState() == EndpointState.ACTIVE);
    Source found = (Source) h.call(lookup::getRemoteSource);
    assertThat(found.getAddress()).isEqualTo("prices");
    assertThat(found.getDurable()).isEqualTo(TerminusDurability.UNSETTLED_STATE);
    h.run(lookup::close);
    awaitTrue(() -> service.group(group) == null);
    h.run(lookup::free);

    Receiver missing =
        h.call(
            () -> {
              Receiver l = p.session.receiver("sub1");
              l.setSource(null);
              l.setTarget(new org.apache.qpid.proton.amqp.messaging.Target());
              l.open();
              return l;
            });
    awaitTrue(() -> missing.getRemoteState() == EndpointState.CLOSED);
    assertThat(h.call(missing::getRemoteSource)).isNull();
    assertThat((Object) h.call(() -> missing.getRemoteCondition().getCondition()))
        .isEqualTo(Symbol.valueOf("amqp:not-found"));
  }

  @Test
  void sharedGlobalSubscriptionLinksCompeteOnOneGroup() {
    EngineHarness.Pair p1 = h.connect("c1");
    EngineHarness.Pair p2 = h.connect("c2");
    Receiver a =
        h.call(
            () ->
                receiver(
                    p1.session,
                    "shared|global",
                    withCaps(durable("work"), Terminus.TOPIC, Terminus.SHARED, Terminus.GLOBAL)));
    Receiver b =
        h.call(
            () ->
                receiver(
                    p2.session,
                    "shared|global2",
                    withCaps(durable("work"), Terminus.TOPIC, Terminus.SHARED, Terminus.GLOBAL)));
    h.run(
        () -> {
          a.flow(3);
          b.flow(10);
        });
    publish(p1, "work", "1", "2", "3", "4", "5", "6");
    awaitTrue(() -> p1.got(a).size() + p2.got(b).size() == 6);
    assertThat(p1.got(a)).hasSize(3);
    assertThat(service.groupNames()).contains(DestinationNames.durableGroup("/", null, "shared"));
  }

  private static Source withCaps(Source s, Symbol... caps) {
    s.setCapabilities(caps);
    return s;
  }

  @Test
  void badSelectorRefusesTheAttachAndNoLocalSkipsOwnMessages() {
    EngineHarness.Pair p = h.connect("app");
    Receiver bad =
        h.call(
            () -> {
              Source s = source("news", Terminus.TOPIC);
              s.setFilter(
                  java.util.Map.of(Symbol.valueOf("jms-selector"), selector("color = = 'x'")));
              return receiver(p.session, "bad", s);
            });
    awaitTrue(() -> bad.getRemoteState() == EndpointState.CLOSED);
    assertThat(h.call(bad::getRemoteSource)).isNull();
    assertThat((Object) h.call(() -> bad.getRemoteCondition().getCondition()))
        .isEqualTo(Symbol.valueOf("amqp:invalid-field"));

    EngineHarness.Pair other = h.connect("other");
    Receiver noLocal =
        h.call(
            () -> {
              Source s = source("news", Terminus.TOPIC);
              s.setFilter(
                  java.util.Map.of(
                      Symbol.valueOf("no-local"),
                      new org.apache.qpid.proton.amqp.DescribedType() {
                        @Override
                        public Object getDescriptor() {
                          return Filters.NO_LOCAL_NAME;
                        }

                        @Override
                        public Object getDescribed() {
                          return "NoLocalFilter{}";
                        }
                      }));
              Receiver r = receiver(p.session, "nolocal", s);
              r.flow(10);
              return r;
            });
    awaitTrue(() -> noLocal.getRemoteState() == EndpointState.ACTIVE);
    publish(p, "news", "mine");
    publish(other, "news", "theirs");
    awaitTrue(() -> p.got(noLocal).size() == 1);
    assertThat(body(p.got(noLocal).get(0).message())).isEqualTo("theirs");
  }

  private static org.apache.qpid.proton.amqp.DescribedType selector(String text) {
    return new org.apache.qpid.proton.amqp.DescribedType() {
      @Override
      public Object getDescriptor() {
        return Filters.SELECTOR_CODE;
      }

      @Override
      public Object getDescribed() {
        return text;
      }
    };
  }
}
