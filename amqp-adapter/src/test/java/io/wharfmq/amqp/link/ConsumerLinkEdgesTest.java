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
import io.wharfmq.service.ReceivedMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Received;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Consumer link edges over real proton-j engines: a non-terminal delivery state, a drain that
 * arrives while a browse peek is under way, and a message the codec cannot encode.
 */
@Timeout(value = 60, unit = SECONDS)
class ConsumerLinkEdgesTest {
  private static final String GROUP = DestinationNames.queueGroup("orders");

  /** The real mapping, except that a message whose body is "poison" cannot be encoded. */
  private static final LinkCodec POISONED =
      new LinkCodec() {
        private final LinkCodec real = new MappingCodec();

        @Override
        public Inbound decode(byte[] bytes, int offset, int length, long nowMillis) {
          return real.decode(bytes, offset, length, nowMillis);
        }

        @Override
        public byte[] encode(ReceivedMessage message) {
          if (new String(message.body(), StandardCharsets.UTF_8).contains("poison")) {
            throw new NumberFormatException("poison cannot be encoded");
          }
          return real.encode(message);
        }
      };

  private final InMemoryMessagingService service = new InMemoryMessagingService();
  private final EngineHarness h =
      new EngineHarness(service, new AmqpLinkAttacher(2 * 1024 * 1024, POISONED));

  @AfterEach
  void close() {
    h.close();
    service.close();
  }

  private void awaitTrue(java.util.concurrent.Callable<Boolean> c) {
    await().atMost(10, SECONDS).until(() -> h.call(c));
  }

  private void sendAll(EngineHarness.Pair p, String... bodies) {
    List<Delivery> ds = new ArrayList<>();
    h.run(
        () -> {
          Sender s = sender(p.session, "producer", "orders");
          for (String b : bodies) {
            ds.add(send(s, text(b)));
          }
        });
    awaitTrue(() -> ds.stream().allMatch(d -> d.getRemoteState() instanceof Accepted));
  }

  private static List<String> bodies(List<EngineHarness.Got> got) {
    return got.stream().map(g -> body(g.message())).toList();
  }

  @Test
  void aReceivedStateLeavesTheDeliveryWithThePeerUntilItsOutcome() {
    EngineHarness.Pair p = h.connect("app");
    sendAll(p, "m");
    Receiver r = h.call(() -> receiver(p.session, "consumer", source("orders")));
    h.run(() -> r.flow(5));
    awaitTrue(() -> p.got(r).size() == 1);
    Delivery d = p.got(r).get(0).delivery();

    h.run(
        () -> {
          Received received = new Received();
          received.setSectionNumber(UnsignedInteger.valueOf(2));
          received.setSectionOffset(UnsignedLong.valueOf(0));
          d.disposition(received); // how far the peer got, not an outcome: nothing is settled
        });
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> h.call(() -> !d.remotelySettled() && p.got(r).size() == 1));
    assertThat(service.inFlight(GROUP, "orders")).isEqualTo(1);

    h.run(
        () -> {
          d.disposition(Accepted.getInstance());
          d.settle();
        });
    await().atMost(10, SECONDS).until(() -> service.finished(GROUP, "orders") == 1);
    assertThat(p.got(r)).hasSize(1);
  }

  @Test
  void aDrainArrivingWhileABrowsePeekIsUnderWayDeliversEachMessageOnce() {
    EngineHarness.Pair p = h.connect("app");
    sendAll(p, "a", "b", "c");
    Receiver b =
        h.call(
            () -> {
              Source src = source("orders");
              src.setDistributionMode(Terminus.COPY);
              return receiver(p.session, "browser", src);
            });
    h.run(
        () -> {
          b.flow(10);
          // The flow reaches the link, which peeks; the peek's answer is queued behind this task,
          // so the drain below arrives before it, as when both frames come in one read.
          while (p.pumpOnce()) {
            // until both engines are quiet
          }
          b.drain(0);
        });
    awaitTrue(() -> !b.draining() && p.got(b).size() >= 3);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> h.call(() -> p.got(b).size() == 3));
    assertThat(bodies(p.got(b))).containsExactly("a", "b", "c");
  }

  @Test
  void aMessageThatCannotBeEncodedIsDeadLetteredAndTheLinkGoesOn() {
    EngineHarness.Pair p = h.connect("app");
    sendAll(p, "one", "poison", "two");
    Receiver r = h.call(() -> receiver(p.session, "consumer", source("orders")));
    h.run(() -> r.flow(10));
    awaitTrue(() -> p.got(r).size() == 2);
    assertThat(bodies(p.got(r))).containsExactly("one", "two");
    await().atMost(10, SECONDS).until(() -> service.messages("%DLQ%" + GROUP).size() == 1);

    sendAll(p, "three");
    awaitTrue(() -> p.got(r).size() == 3);
    assertThat(body(p.got(r).get(2).message())).isEqualTo("three");
  }
}
