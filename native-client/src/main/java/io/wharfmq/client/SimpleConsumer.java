package io.wharfmq.client;

import io.wharfmq.remoting.netty.NamedThreadFactory;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
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

  /**
   * Completes the asynchronous calls' futures: never a network thread, so that what a caller chains
   * on them may call this consumer again (a new connection must not be awaited on a network
   * thread).
   */
  private final ExecutorService callbacks =
      Executors.newSingleThreadExecutor(new NamedThreadFactory("wharf-simple-consumer-callbacks"));

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
    return join(receiveAsync(maxMessages, invisibleDuration, await));
  }

  /**
   * As {@link #receive(int, Duration, Duration)} without blocking the caller: the future completes
   * with the messages (maybe none) or fails with a {@link ClientException}. Several receives may be
   * in flight at once, so that a consumer never waits a round trip between batches. The future
   * completes on this consumer's callback thread, as do those of the other asynchronous calls.
   */
  public CompletableFuture<List<ReceivedMessage>> receiveAsync(
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
      return CompletableFuture.failedFuture(
          new ClientException(
              ClientException.NO_RESPONSE, "no broker serves " + subscriptions.keySet()));
    }
    int start = Math.floorMod(next.getAndIncrement(), targets.size());
    return onCallbackThread(
        popFrom(targets, start, 0, maxMessages, invisibleDuration, await, null));
  }

  /**
   * Pops from the {@code i}-th target after {@code start} and on to the next while none has
   * messages; only the last one waits {@code await}. A broker that does not answer (it died, the
   * route has not dropped it yet) must not keep the group from the others; a broker that refuses
   * ends the receive (every broker would). {@code unreachable} is the first broker's silence so
   * far, thrown when no broker answered at all.
   */
  private CompletableFuture<List<ReceivedMessage>> popFrom(
      List<Target> targets,
      int start,
      int i,
      int maxMessages,
      Duration invisible,
      Duration await,
      ClientException unreachable) {
    Target t = targets.get((start + i) % targets.size());
    boolean last = i == targets.size() - 1;
    long poll = last ? await.toMillis() : 0;
    return pop(t, maxMessages, invisible, poll)
        .handle(
            (got, error) -> {
              ClientException silent = unreachable;
              if (error != null) {
                ClientException e = clientException(error);
                if (e.code() != ClientException.NO_RESPONSE) {
                  throw e;
                }
                silent = silent == null ? e : silent;
                if (last) {
                  throw silent;
                }
              } else if (!got.isEmpty() || last) {
                return CompletableFuture.completedFuture(got);
              }
              return popFrom(targets, start, i + 1, maxMessages, invisible, await, silent);
            })
        .thenCompose(f -> f);
  }

  /**
   * One pop from one broker. A broker that does not answer may have restarted elsewhere (another
   * address behind the same name): the topic's route is looked up again at once rather than at the
   * next periodic refresh, so the next receive finds it.
   */
  private CompletableFuture<List<ReceivedMessage>> pop(
      Target t, int maxMessages, Duration invisible, long poll) {
    return PopRequests.pop(
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
            poll + timeoutMillis)
        .whenComplete(
            (got, error) -> {
              if (error != null && clientException(error).code() == ClientException.NO_RESPONSE) {
                runtime.soon("route refresh", () -> runtime.routes.refresh(t.topic()));
              }
            });
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
  public CompletableFuture<Void> ackAsync(ReceivedMessage message) {
    return PopRequests.ack(runtime.remoting, group, message, timeoutMillis);
  }

  /**
   * Acknowledges several received messages without waiting, with one request per broker
   * (BATCH_ACK_MESSAGE). The future fails with a {@link ClientException} when a broker refuses or
   * answers that some were not in flight (NO_MESSAGE, 208: their handles expired and they may come
   * again); the others are acknowledged all the same.
   */
  public CompletableFuture<Void> ackAllAsync(List<ReceivedMessage> messages) {
    Map<String, List<ReceivedMessage>> byBroker = new LinkedHashMap<>();
    for (ReceivedMessage m : messages) {
      byBroker.computeIfAbsent(m.brokerAddress(), k -> new ArrayList<>()).add(m);
    }
    CompletableFuture<?>[] parts =
        byBroker.entrySet().stream()
            .map(
                e ->
                    PopRequests.batchAck(
                        runtime.remoting, group, e.getKey(), e.getValue(), timeoutMillis))
            .toArray(CompletableFuture<?>[]::new);
    return onCallbackThread(CompletableFuture.allOf(parts));
  }

  /** As {@link #ackAllAsync}, waiting for the answers. */
  public void ackAll(List<ReceivedMessage> messages) {
    join(ackAllAsync(messages));
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

  /**
   * As {@link #changeInvisibleDuration} without waiting; the future fails with a {@link
   * ClientException} when the broker refuses.
   */
  public CompletableFuture<ReceivedMessage> changeInvisibleDurationAsync(
      ReceivedMessage message, Duration duration) {
    return onCallbackThread(
        PopRequests.changeInvisible(
            runtime.remoting, group, message, duration.toMillis(), timeoutMillis));
  }

  /** {@code f}, completed on the callback thread (on the completing thread once closed). */
  private <T> CompletableFuture<T> onCallbackThread(CompletableFuture<T> f) {
    return f.whenCompleteAsync(
        (r, e) -> {},
        task -> {
          try {
            callbacks.execute(task);
          } catch (RejectedExecutionException closed) {
            task.run();
          }
        });
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

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientException("interrupted", e);
    } catch (ExecutionException e) {
      throw clientException(e.getCause());
    }
  }

  private static ClientException clientException(Throwable error) {
    Throwable cause = error instanceof CompletionException c ? c.getCause() : error;
    if (cause instanceof ClientException ce) {
      return ce;
    }
    return new ClientException("request failed", cause);
  }

  @Override
  public void close() {
    runtime.close();
    callbacks.shutdown();
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
