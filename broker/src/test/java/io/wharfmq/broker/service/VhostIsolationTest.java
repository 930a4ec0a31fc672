package io.wharfmq.broker.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.ExchangeType;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Result;
import io.wharfmq.service.Routing;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.Status;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names in one vhost never collide with another's (docs/rabbitmq.md, "Vhosts"): the same exchange
 * and queue names in two vhosts (and in {@code /}) are separate exchanges, queues, bindings and
 * topics, their messages stay apart, and deleting one vhost leaves the other whole. On a real
 * broker and store in a temp dir.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VhostIsolationTest {
  @TempDir Path dir;
  Broker broker;
  LocalMessagingService service;

  @BeforeEach
  void start() throws Exception {
    BrokerConfig config = TestBrokers.config(dir, 1, 4).autoCreateTopicEnable(true);
    broker = Broker.start(config, InstantSource.system());
    service = broker.messagingService();
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
  }

  private static <T> T ok(Result<T> r) {
    assertThat(r.status()).as(r.detail()).isEqualTo(Status.OK);
    return r.value();
  }

  private void sendToQueue(String vhost, String queue, String body) {
    OutgoingMessage m =
        new OutgoingMessage(
            body.getBytes(StandardCharsets.UTF_8), 0, "", System.currentTimeMillis(), 0);
    SendCommand c =
        new SendCommand(
            DestinationNames.topic(vhost, queue),
            0,
            List.of(m),
            false,
            0,
            new InetSocketAddress("127.0.0.1", 1),
            false,
            -1);
    assertThat(service.send(c).join().status()).isEqualTo(Status.OK);
  }

  private long messages(String vhost, String queue) {
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    return ok(service.queue(vhost, queue)).messageCount();
  }

  @Test
  void theSameNamesInTwoVhostsAreSeparateExchangesQueuesBindingsAndMessages() {
    ok(service.createVhost("a"));
    ok(service.createVhost("b"));
    assertThat(service.vhosts()).containsExactly("/", "a", "b");
    for (String v : new String[] {"/", "a", "b"}) {
      // Different settings per vhost: a shared name would be a CONFLICT on the second declare.
      ExchangeType type = v.equals("a") ? ExchangeType.DIRECT : ExchangeType.FANOUT;
      assertThat(
              ok(service.declareExchange(
                      new ExchangeSpec(v, "orders", type, true, false, false, Map.of())))
                  .created())
          .as(v)
          .isTrue();
      assertThat(
              ok(service.declareQueue(
                      new QueueSpec(v, "q", !v.equals("b"), false, false, Map.of(), null)))
                  .created())
          .as(v)
          .isTrue();
      ok(service.bind(new BindingSpec(v, "orders", "q", true, "key-" + v, Map.of())));
    }
    assertThat(DestinationNames.topic("a", "q"))
        .isNotEqualTo(DestinationNames.topic("b", "q"))
        .isNotEqualTo(DestinationNames.topic("/", "q"));
    assertThat(ok(service.exchange("a", "orders")).type()).isEqualTo(ExchangeType.DIRECT);
    assertThat(ok(service.exchange("b", "orders")).type()).isEqualTo(ExchangeType.FANOUT);
    assertThat(ok(service.bindings("a", "orders", null, true, null)))
        .extracting(BindingSpec::bindingKey)
        .containsExactly("key-a");
    assertThat(ok(service.bindings("b", null, "q", true, null)))
        .extracting(BindingSpec::bindingKey)
        .containsExactly("key-b");

    sendToQueue("a", "q", "a1");
    sendToQueue("a", "q", "a2");
    sendToQueue("b", "q", "b1");
    assertThat(messages("a", "q")).isEqualTo(2);
    assertThat(messages("b", "q")).isEqualTo(1);
    assertThat(messages("/", "q")).isZero();

    ok(service.deleteVhost("b"));
    assertThat(service.vhosts()).containsExactly("/", "a");
    assertThat(service.queue("b", "q").status()).isEqualTo(Status.NOT_FOUND);
    assertThat(service.topic(DestinationNames.topic("b", "q"))).isNull();
    assertThat(messages("a", "q")).isEqualTo(2);
    assertThat(ok(service.bindings("a", "orders", null, true, null))).hasSize(1);
    assertThat(ok(service.exchange("/", "orders")).type()).isEqualTo(ExchangeType.FANOUT);
    assertThat(service.deleteVhost("/").status()).isEqualTo(Status.FORBIDDEN);
  }

  @Test
  void aPublishToAnExchangeReachesOnlyTheQueuesOfItsVhost() {
    for (String v : new String[] {"a", "b"}) {
      ok(service.createVhost(v));
      ok(
          service.declareExchange(
              new ExchangeSpec(v, "orders", ExchangeType.DIRECT, true, false, false, Map.of())));
      ok(service.declareQueue(new QueueSpec(v, "q", true, false, false, Map.of(), null)));
      ok(service.bind(new BindingSpec(v, "orders", "q", true, "k", Map.of())));
    }
    ok(service.declareQueue(new QueueSpec("/", "q", true, false, false, Map.of(), null)));
    publish("a", "orders", "k");
    assertThat(messages("a", "q")).isEqualTo(1);
    assertThat(messages("b", "q")).isZero();
    publish("b", "orders", "k");
    publish("b", "orders", "k");
    assertThat(messages("a", "q")).isEqualTo(1);
    assertThat(messages("b", "q")).isEqualTo(2);
    // The default exchange of a vhost routes by queue name within that vhost only.
    publish("a", "", "q");
    assertThat(messages("a", "q")).isEqualTo(2);
    assertThat(messages("/", "q")).isZero();
  }

  private void publish(String vhost, String exchange, String key) {
    OutgoingMessage m =
        new OutgoingMessage(
            "x".getBytes(StandardCharsets.UTF_8), 0, "", System.currentTimeMillis(), 0);
    SendCommand c =
        new SendCommand(
            exchange.isEmpty() ? "ignored" : DestinationNames.topic(vhost, exchange),
            0,
            List.of(m),
            false,
            0,
            new InetSocketAddress("127.0.0.1", 1),
            true,
            -1,
            new Routing(vhost, exchange, List.of(key)));
    assertThat(service.send(c).join().status()).isEqualTo(Status.OK);
  }
}
