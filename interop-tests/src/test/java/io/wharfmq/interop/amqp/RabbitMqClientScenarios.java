package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.amqp.AmqpException;
import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.ConnectionSettings;
import com.rabbitmq.client.amqp.Consumer;
import com.rabbitmq.client.amqp.Environment;
import com.rabbitmq.client.amqp.Management;
import com.rabbitmq.client.amqp.Message;
import com.rabbitmq.client.amqp.Publisher;
import com.rabbitmq.client.amqp.impl.AmqpEnvironmentBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;

/**
 * RabbitMQ's AMQP 1.0 Java client ({@code com.rabbitmq.client:amqp-client}) driving Wharf: run as a
 * child JVM by {@link RabbitMqClientInteropTest}, because the client needs Netty 4.2 and the test
 * class path has the build's Netty 4.1. Takes {@code PORT SCENARIO...}; prints {@code begin NAME},
 * then {@code scenario NAME ok} or {@code scenario NAME failed} with the stack trace, for each, and
 * {@code done=true} at the end. Each scenario asserts what RabbitMQ 4 would answer.
 */
public final class RabbitMqClientScenarios {
  private static final int WAIT_SECONDS = 10;

  private final Environment env;
  private final Connection connection;
  private final Management management;

  private RabbitMqClientScenarios(Environment env, Connection connection) {
    this.env = env;
    this.connection = connection;
    this.management = connection.management();
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Environment env =
        new AmqpEnvironmentBuilder()
            .connectionSettings()
            .host("127.0.0.1")
            .port(port)
            .saslMechanism(ConnectionSettings.SASL_MECHANISM_ANONYMOUS)
            .environmentBuilder()
            .build();
    try (env;
        Connection c = env.connectionBuilder().build()) {
      RabbitMqClientScenarios s = new RabbitMqClientScenarios(env, c);
      for (int i = 1; i < args.length; i++) {
        String name = args[i];
        System.out.println("begin " + name);
        try {
          switch (name) {
            case "queues" -> s.queues();
            case "exchanges" -> s.exchanges();
            case "bindings" -> s.bindings();
            case "publishConsume" -> s.publishConsume();
            case "outcomes" -> s.outcomes();
            case "anonymous" -> s.anonymous();
            case "lifetimes" -> s.lifetimes();
            default -> throw new IllegalArgumentException("no scenario " + name);
          }
          System.out.println("scenario " + name + " ok");
        } catch (Throwable t) {
          System.out.println("scenario " + name + " failed");
          t.printStackTrace(System.out);
        }
      }
    } catch (Throwable t) {
      System.out.println("connection failed");
      t.printStackTrace(System.out);
    }
    System.out.println("done=true");
    System.out.flush();
    System.exit(0);
  }

  /** Declare (201, then 200), 409 on other settings, 403 for amq., 404, purge, delete. */
  void queues() {
    String q = "rq 1/\u00e9"; // percent-encoded in the request target
    Management.QueueInfo info = management.queue(q).declare();
    assertThat(info.name()).isEqualTo(q);
    assertThat(info.type()).isEqualTo(Management.QueueType.CLASSIC);
    assertThat(info.durable()).isTrue();
    assertThat(info.messageCount()).isZero();
    assertThat(info.leader()).isNotEmpty();
    assertThat(management.queue(q).declare().name()).isEqualTo(q); // equivalent: 200
    assertThatThrownBy(() -> management.queue(q).messageTtl(Duration.ofSeconds(5)).declare())
        .isInstanceOf(AmqpException.class)
        .hasMessageContaining("409");
    assertThatThrownBy(() -> management.queue("amq.mine").declare())
        .isInstanceOf(AmqpException.class)
        .hasMessageContaining("403");
    assertThatThrownBy(() -> management.queueInfo("rq-absent"))
        .isInstanceOf(AmqpException.AmqpEntityDoesNotExistException.class);

    Management.QueueInfo quorum =
        management.queue("rq-args").quorum().queue().messageTtl(Duration.ofMinutes(1)).declare();
    assertThat(quorum.type()).isEqualTo(Management.QueueType.QUORUM);
    assertThat(quorum.arguments()).containsEntry("x-message-ttl", 60_000L);

    try (Publisher p = connection.publisherBuilder().queue(q).build()) {
      for (int i = 0; i < 3; i++) {
        assertThat(publish(p, p.message(("m" + i).getBytes())))
            .isEqualTo(Publisher.Status.ACCEPTED);
      }
    }
    assertThat(management.queueInfo(q).messageCount()).isEqualTo(3);
    assertThat(management.queuePurge(q).messageCount()).isEqualTo(3);
    assertThat(management.queueInfo(q).messageCount()).isZero();
    management.queueDelete(q);
    management.queueDelete("rq-args");
    assertThatThrownBy(() -> management.queueInfo(q))
        .isInstanceOf(AmqpException.AmqpEntityDoesNotExistException.class);
  }

  /** Every exchange type; 409 on another type; 403 for amq. names; the pre-declared ones. */
  void exchanges() {
    for (Management.ExchangeType t : Management.ExchangeType.values()) {
      String name = "rx-" + t.name().toLowerCase();
      management.exchange(name).type(t).declare();
      management.exchange(name).type(t).declare(); // equivalent
    }
    assertThatThrownBy(
            () -> management.exchange("rx-fanout").type(Management.ExchangeType.TOPIC).declare())
        .isInstanceOf(AmqpException.class)
        .hasMessageContaining("409");
    assertThatThrownBy(() -> management.exchange("amq.mine").declare())
        .isInstanceOf(AmqpException.class)
        .hasMessageContaining("403");
    management.exchange("amq.topic").type(Management.ExchangeType.TOPIC).declare();
    assertThatThrownBy(() -> management.exchangeDelete("amq.topic"))
        .isInstanceOf(AmqpException.class)
        .hasMessageContaining("403");
    for (Management.ExchangeType t : Management.ExchangeType.values()) {
      management.exchangeDelete("rx-" + t.name().toLowerCase());
    }
    // Deleted: a publisher to it is refused at attach (amqp:not-found).
    assertThatThrownBy(() -> connection.publisherBuilder().exchange("rx-direct").key("k").build())
        .isInstanceOf(AmqpException.class);
  }

  /** Bind with and without arguments, to a queue and to an exchange; unbind both. */
  void bindings() {
    management.exchange("bx-headers").type(Management.ExchangeType.HEADERS).declare();
    management.exchange("bx-direct").type(Management.ExchangeType.DIRECT).declare();
    management.queue("bq").declare();
    Map<String, Object> args = Map.of("x-match", "all", "colour", "red");
    management.binding().sourceExchange("bx-headers").destinationQueue("bq").arguments(args).bind();
    management.binding().sourceExchange("bx-direct").destinationQueue("bq").key("k/1").bind();
    management
        .binding()
        .sourceExchange("bx-direct")
        .destinationExchange("bx-headers")
        .key("k2")
        .bind();
    try (Publisher p = connection.publisherBuilder().exchange("bx-headers").build()) {
      assertThat(publish(p, p.message().property("colour", "red")))
          .isEqualTo(Publisher.Status.ACCEPTED);
      assertThat(publish(p, p.message().property("colour", "blue")))
          .isEqualTo(Publisher.Status.RELEASED);
    }
    try (Publisher p = connection.publisherBuilder().exchange("bx-direct").key("k/1").build()) {
      assertThat(publish(p, p.message())).isEqualTo(Publisher.Status.ACCEPTED);
    }
    management
        .unbind()
        .sourceExchange("bx-headers")
        .destinationQueue("bq")
        .arguments(args)
        .unbind();
    management.unbind().sourceExchange("bx-direct").destinationQueue("bq").key("k/1").unbind();
    management
        .unbind()
        .sourceExchange("bx-direct")
        .destinationExchange("bx-headers")
        .key("k2")
        .unbind();
    try (Publisher p = connection.publisherBuilder().exchange("bx-direct").key("k/1").build()) {
      assertThat(publish(p, p.message())).isEqualTo(Publisher.Status.RELEASED);
    }
    assertThat(management.queueInfo("bq").messageCount()).isEqualTo(2);
    management.queueDelete("bq");
    management.exchangeDelete("bx-headers");
    management.exchangeDelete("bx-direct");
  }

  /**
   * Publish to /exchanges/X/K, consume /queues/Q: x-exchange and x-routing-key on delivery, the
   * consumer counted in the queue's consumer_count.
   */
  void publishConsume() throws Exception {
    management.exchange("px").type(Management.ExchangeType.TOPIC).declare();
    management.queue("pq").declare();
    management.binding().sourceExchange("px").destinationQueue("pq").key("a.*").bind();
    BlockingQueue<Message> got = new LinkedBlockingQueue<>();
    Consumer c =
        connection
            .consumerBuilder()
            .queue("pq")
            .messageHandler(
                (ctx, m) -> {
                  ctx.accept();
                  got.add(m);
                })
            .build();
    try (c;
        Publisher p = connection.publisherBuilder().exchange("px").key("a.b").build()) {
      Message sent =
          p.message("hello".getBytes()).messageId("m-1").annotation("x-exchange", "fake");
      assertThat(publish(p, sent)).isEqualTo(Publisher.Status.ACCEPTED);
      Message m = got.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(m).as("delivery").isNotNull();
      assertThat(new String(m.body())).isEqualTo("hello");
      assertThat(m.annotation("x-exchange")).isEqualTo("px");
      assertThat(m.annotation("x-routing-key")).isEqualTo("a.b");
      assertThat(management.queueInfo("pq").consumerCount()).isEqualTo(1);
    }
    management.queueDelete("pq");
    management.exchangeDelete("px");
  }

  /** Accept, requeue (redelivered), discard; released when unroutable. */
  void outcomes() throws Exception {
    management.exchange("ox").type(Management.ExchangeType.DIRECT).declare();
    management.queue("oq").declare();
    management.binding().sourceExchange("ox").destinationQueue("oq").key("k").bind();
    try (Publisher p = connection.publisherBuilder().exchange("ox").key("k").build();
        Publisher nowhere = connection.publisherBuilder().exchange("ox").key("other").build()) {
      assertThat(publish(nowhere, nowhere.message())).isEqualTo(Publisher.Status.RELEASED);
      assertThat(publish(p, p.message("one".getBytes()))).isEqualTo(Publisher.Status.ACCEPTED);
    }
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    AtomicInteger deliveries = new AtomicInteger();
    Consumer c =
        connection
            .consumerBuilder()
            .queue("oq")
            .messageHandler(
                (ctx, m) -> {
                  int n = deliveries.getAndIncrement();
                  // settled before the test thread sees it (and may close the consumer)
                  if (n == 0) {
                    ctx.requeue();
                  } else {
                    ctx.discard();
                  }
                  seen.add(new String(m.body()) + "#" + n);
                })
            .build();
    try (c) {
      assertThat(seen.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("one#0");
      assertThat(seen.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("one#1");
    }
    assertThat(seen.poll(200, TimeUnit.MILLISECONDS)).as("discarded, not back").isNull();
    // The discard is settled asynchronously after the client sent it.
    Awaitility.await("oq empty after the discard")
        .atMost(Duration.ofSeconds(WAIT_SECONDS))
        .until(() -> management.queueInfo("oq").messageCount() == 0);
    management.queueDelete("oq");
    management.exchangeDelete("ox");
  }

  /**
   * A publisher without a target: each message's {@code to} names an exchange and key; {@code x-cc}
   * adds keys; an absent exchange rejects the message; binding an absent queue is 404.
   */
  void anonymous() throws Exception {
    management.exchange("ax").type(Management.ExchangeType.DIRECT).declare();
    management.queue("aq1").declare();
    management.queue("aq2").declare();
    management.binding().sourceExchange("ax").destinationQueue("aq1").key("k1").bind();
    management.binding().sourceExchange("ax").destinationQueue("aq2").key("k2").bind();
    assertThatThrownBy(
            () ->
                management
                    .binding()
                    .sourceExchange("ax")
                    .destinationQueue("aq-absent")
                    .key("k")
                    .bind())
        .isInstanceOf(AmqpException.AmqpEntityDoesNotExistException.class);
    try (Publisher p = connection.publisherBuilder().build()) {
      assertThat(publish(p, p.message().toAddress().exchange("ax").key("k1").message()))
          .isEqualTo(Publisher.Status.ACCEPTED);
      Message cc =
          p.message()
              .toAddress()
              .exchange("ax")
              .key("k1")
              .message()
              .annotation("x-cc", List.of("k2"));
      assertThat(publish(p, cc)).isEqualTo(Publisher.Status.ACCEPTED);
      assertThat(publish(p, p.message().toAddress().exchange("ax").key("none").message()))
          .isEqualTo(Publisher.Status.RELEASED);
      assertThat(publish(p, p.message().toAddress().exchange("ax-absent").key("k").message()))
          .isEqualTo(Publisher.Status.REJECTED);
      assertThat(publish(p, p.message().toAddress().queue("aq2").message()))
          .isEqualTo(Publisher.Status.ACCEPTED);
    }
    assertThat(management.queueInfo("aq1").messageCount()).isEqualTo(2);
    assertThat(management.queueInfo("aq2").messageCount()).isEqualTo(2);
    management.queueDelete("aq1");
    management.queueDelete("aq2");
    management.exchangeDelete("ax");
  }

  /** An exclusive queue goes with its connection; an auto-delete queue with its last consumer. */
  void lifetimes() {
    try (Connection other = env.connectionBuilder().build()) {
      other.management().queue("lq-exclusive").exclusive(true).declare();
      assertThat(management.queueInfo("lq-exclusive").exclusive()).isTrue();
    }
    Awaitility.await("the exclusive queue deleted with its connection")
        .atMost(Duration.ofSeconds(WAIT_SECONDS))
        .ignoreExceptionsMatching(
            e -> !(e instanceof AmqpException.AmqpEntityDoesNotExistException))
        .until(() -> gone("lq-exclusive"));
    management.queue("lq-auto").autoDelete(true).declare();
    Consumer c =
        connection.consumerBuilder().queue("lq-auto").messageHandler((ctx, m) -> {}).build();
    assertThat(management.queueInfo("lq-auto").consumerCount()).isEqualTo(1);
    c.close();
    Awaitility.await("the auto-delete queue deleted with its last consumer")
        .atMost(Duration.ofSeconds(WAIT_SECONDS))
        .until(() -> gone("lq-auto"));
  }

  private boolean gone(String queue) {
    try {
      management.queueInfo(queue);
      return false;
    } catch (AmqpException.AmqpEntityDoesNotExistException e) {
      return true;
    }
  }

  private static Publisher.Status publish(Publisher p, Message m) {
    CompletableFuture<Publisher.Status> outcome = new CompletableFuture<>();
    p.publish(m, ctx -> outcome.complete(ctx.status()));
    return outcome.orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
  }
}
