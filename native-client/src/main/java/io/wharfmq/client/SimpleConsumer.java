package io.wharfmq.client;

import io.wharfmq.remoting.protocol.body.BrokerData;
import io.wharfmq.remoting.protocol.body.TopicRouteData;
import io.wharfmq.tls.ClientTls;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A consumer that shares queues with the other members of its group and acknowledges each message
 * (POP consumption, docs/pop.md): {@link #receive} pops up to N messages, each invisible to other
 * consumers for the given duration; {@link #ack} acknowledges one, {@link #changeInvisibleDuration}
 * keeps it invisible longer (or shorter, to get it redelivered sooner). A message not acknowledged
 * in time is delivered again (reconsumeTimes + 1); after the broker's max reconsume times it goes
 * to the group's dead-letter queue. Queues are not owned: any number of consumers may receive from
 * the same topic.
 *
 * <p>Thread-safe: several threads may receive and acknowledge at once.
 */
public final class SimpleConsumer implements AutoCloseable {
  /** RocketMQ's limit on messages per pop. */
  public static final int MAX_MESSAGES_PER_RECEIVE = 32;

  private final String group;
  private final Duration awaitDuration;
  private final long timeoutMillis;
  private final Map<String, Subscription> subscriptions;
  private final ClientRuntime runtime;
  private final AtomicInteger next = new AtomicInteger();

  private SimpleConsumer(Builder b) {
    this.group = b.consumerGroup;
    this.awaitDuration = b.awaitDuration;
    this.timeoutMillis = b.requestTimeout.toMillis();
    this.subscriptions = Map.copyOf(b.subscriptions);
    this.runtime =
        new ClientRuntime(
            "simple-consumer", b.namesrvAddr, b.requestTimeout, b.clock, b.credentials, b.tls);
    runtime.refreshRoutesPeriodically(subscriptions.keySet());
  }

  public static Builder builder() {
    return new Builder();
  }

  public String consumerGroup() {
    return group;
  }

  private record Target(String topic, String brokerName, String address) {}

  /**
   * Receives up to {@code maxMessages} (1..32) messages of the subscribed topics, waiting up to the
   * await duration when there are none (then returns an empty list). Each stays invisible to other
   * consumers for {@code invisibleDuration}.
   *
   * @throws ClientException when no broker serves the topics or a broker refuses
   */
  public List<ReceivedMessage> receive(int maxMessages, Duration invisibleDuration) {
    return receive(maxMessages, invisibleDuration, awaitDuration);
  }

  /**
   * As {@link #receive(int, Duration)}, waiting at most {@code await} (0..60 s) instead of the
   * builder's await duration: a JMS {@code receiveNoWait} asks with zero, a timed receive with what
   * is left of its timeout.
   */
  public List<ReceivedMessage> receive(
      int maxMessages, Duration invisibleDuration, Duration await) {
    if (await.isNegative() || await.toSeconds() > 60) {
      throw new IllegalArgumentException("await must be 0..60 s, is " + await);
    }
    if (maxMessages < 1 || maxMessages > MAX_MESSAGES_PER_RECEIVE) {
      throw new IllegalArgumentException(
          "maxMessages must be 1.." + MAX_MESSAGES_PER_RECEIVE + ", is " + maxMessages);
    }
    if (invisibleDuration.toMillis() < 1) {
      throw new IllegalArgumentException("invisibleDuration must be at least 1 ms");
    }
    List<Target> targets = targets();
    if (targets.isEmpty()) {
      throw new ClientException(
          ClientException.NO_RESPONSE, "no broker serves " + subscriptions.keySet());
    }
    int start = Math.floorMod(next.getAndIncrement(), targets.size());
    ClientException unreachable = null;
    int failed = 0;
    for (int i = 0; i < targets.size(); i++) {
      Target t = targets.get((start + i) % targets.size());
      boolean last = i == targets.size() - 1;
      long poll = last ? await.toMillis() : 0;
      List<ReceivedMessage> got;
      try {
        got = pop(t, maxMessages, invisibleDuration, poll);
      } catch (ClientException e) {
        if (e.code() != ClientException.NO_RESPONSE) {
          throw e; // a broker refused: every broker would
        }
        // A broker that does not answer (it died, the route has not dropped it yet) must not keep
        // the group from the others.
        unreachable = unreachable == null ? e : unreachable;
        failed++;
        continue;
      }
      if (!got.isEmpty()) {
        return got;
      }
    }
    if (failed == targets.size()) {
      throw unreachable;
    }
    return List.of();
  }

  /**
   * One pop from one broker. A broker that does not answer may have restarted elsewhere (another
   * address behind the same name): the topic's route is looked up again at once rather than at the
   * next periodic refresh, so the next receive finds it.
   */
  private List<ReceivedMessage> pop(Target t, int maxMessages, Duration invisible, long poll) {
    try {
      return join(
          PopRequests.pop(
              runtime.remoting,
              t.address(),
              new PopRequests.PopSpec(
                  group,
                  t.topic(),
                  t.brokerName(),
                  maxMessages,
                  invisible.toMillis(),
                  poll,
                  subscriptions.get(t.topic())),
              poll + timeoutMillis));
    } catch (ClientException e) {
      if (e.code() == ClientException.NO_RESPONSE) {
        runtime.soon("route refresh", () -> runtime.routes.refresh(t.topic()));
      }
      throw e;
    }
  }

  /**
   * Acknowledges a received message: it will not be delivered again.
   *
   * @throws ClientException when the broker refuses, e.g. NO_MESSAGE (208) because the message
   *     became visible and was delivered again (the handle expired)
   */
  public void ack(ReceivedMessage message) {
    join(ackAsync(message));
  }

  /**
   * Acknowledges without waiting; the future fails with a {@link ClientException} as {@link #ack}
   * throws. Acks sent from one thread reach the broker in that order.
   */
  public java.util.concurrent.CompletableFuture<Void> ackAsync(ReceivedMessage message) {
    return PopRequests.ack(runtime.remoting, group, message, timeoutMillis);
  }

  /**
   * Keeps a received message invisible for {@code duration} from now; returns it with its new
   * receipt handle (the old one no longer acknowledges it).
   */
  public ReceivedMessage changeInvisibleDuration(ReceivedMessage message, Duration duration) {
    return join(
        PopRequests.changeInvisible(
            runtime.remoting, group, message, duration.toMillis(), timeoutMillis));
  }

  private List<Target> targets() {
    List<Target> out = new ArrayList<>();
    for (String topic : subscriptions.keySet()) {
      TopicRouteData r = runtime.routes.route(topic);
      if (r == null) {
        continue;
      }
      for (BrokerData b : r.brokerDatas()) {
        if (b.masterAddress() != null) {
          out.add(new Target(topic, b.brokerName(), b.masterAddress()));
        }
      }
    }
    return out;
  }

  private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
      if (cause instanceof ClientException ce) {
        throw ce;
      }
      throw new ClientException("request failed", cause);
    }
  }

  @Override
  public void close() {
    runtime.close();
  }

  /**
   * Builds a {@link SimpleConsumer}; namesrvAddr, consumerGroup and a subscription are required.
   */
  public static final class Builder {
    private String namesrvAddr;
    private Credentials credentials;
    private ClientTls tls;
    private String consumerGroup;
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private Duration awaitDuration = Duration.ofSeconds(15);
    private Duration requestTimeout = Duration.ofSeconds(3);
    private InstantSource clock = InstantSource.system();

    private Builder() {}

    /**
     * The access key and secret key every request is signed with: needed against a broker with
     * aclEnable=true. Not set: requests are not signed.
     */
    public Builder credentials(Credentials v) {
      credentials = v;
      return this;
    }

    public Builder namesrvAddr(String v) {
      namesrvAddr = v;
      return this;
    }

    /** Connect to name servers and brokers over TLS (wharf+ssl); plain text when not set. */
    public Builder tls(ClientTls v) {
      tls = v;
      return this;
    }

    public Builder consumerGroup(String v) {
      consumerGroup = v;
      return this;
    }

    /** Receive messages of {@code topic} whose tag matches {@code tagExpression} ("*", "a||b"). */
    public Builder subscribe(String topic, String tagExpression) {
      Objects.requireNonNull(tagExpression);
      subscriptions.put(topic, Subscription.of(topic, tagExpression, 0));
      return this;
    }

    /**
     * Receive messages of {@code topic} whose properties match the SQL92 {@code selector} (JMS
     * selector syntax), evaluated by the broker. A selector the broker cannot parse makes {@link
     * SimpleConsumer#receive} throw a ClientException with code {@link
     * ClientException#BAD_SELECTOR}.
     */
    public Builder subscribeSql92(String topic, String selector) {
      subscriptions.put(topic, Subscription.sql(topic, selector, 0));
      return this;
    }

    /** How long an empty receive waits on the broker for messages (long polling). */
    public Builder awaitDuration(Duration v) {
      awaitDuration = v;
      return this;
    }

    public Builder requestTimeout(Duration v) {
      requestTimeout = v;
      return this;
    }

    public Builder clock(InstantSource v) {
      clock = v;
      return this;
    }

    public SimpleConsumer build() {
      NameServerClient.parse(namesrvAddr);
      if (!ConsumerGroupName.isValid(consumerGroup)) {
        throw new IllegalArgumentException(ConsumerGroupName.RULE);
      }
      if (subscriptions.isEmpty()) {
        throw new IllegalArgumentException("subscribe to at least one topic");
      }
      if (awaitDuration.isNegative() || awaitDuration.toSeconds() > 60) {
        throw new IllegalArgumentException("awaitDuration must be 0..60 s");
      }
      return new SimpleConsumer(this);
    }
  }
}
