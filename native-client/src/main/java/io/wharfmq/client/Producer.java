package io.wharfmq.client;

import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.remoting.netty.RemotingException;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.HeartbeatData;
import io.wharfmq.remoting.protocol.body.ProducerData;
import io.wharfmq.tls.ClientTls;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends messages to the brokers of a topic's route. Queues are chosen round robin, skipping brokers
 * that recently failed or answered slowly ({@link LatencyFaultTracker}); a send that fails with a
 * retriable code (17, 14, 1, 2, 16) or a transport error is retried on another broker, within the
 * send timeout. Routes are refreshed every 30 s and after transport failures; a dead name server is
 * skipped for the next one. Bodies are sent uncompressed.
 *
 * <p>The producer heartbeats its group (HEART_BEAT with producer data) to every broker it knows, at
 * start, when it first sends to a broker and every {@link Builder#heartbeatInterval}; brokers need
 * that to reach it with transaction checks. With a {@link Builder#transactionChecker} it can {@link
 * #sendInTransaction send in transactions}.
 *
 * <p>Thread-safe: any thread may send. {@link #close} waits for nothing in flight; async sends
 * still pending fail.
 *
 * <pre>{@code
 * try (Producer p = Producer.builder().namesrvAddr("127.0.0.1:9876").producerGroup("pg").build()) {
 *   SendResult r = p.send(Message.builder("TopicA").tags("TagA").body(bytes).build());
 * }
 * }</pre>
 */
public final class Producer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Producer.class);

  private final String group;
  private final long sendTimeoutMillis;
  private final int retries;
  private final ClientRuntime runtime;
  private final LatencyFaultTracker faults;
  private final ExecutorService asyncExecutor;
  private final Map<String, AtomicInteger> nextQueue = new ConcurrentHashMap<>();
  private final Set<String> heartbeated = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean heartbeatPending = new AtomicBoolean();
  private final TransactionCheckAdapter transactions;

  private Producer(Builder b) {
    this.group = b.producerGroup;
    this.sendTimeoutMillis = b.sendTimeout.toMillis();
    this.retries = b.retries;
    this.runtime =
        new ClientRuntime(
            "producer", b.namesrvAddr, b.requestTimeout, b.clock, b.credentials, b.tls);
    this.faults = new LatencyFaultTracker(b.clock);
    this.asyncExecutor =
        Executors.newFixedThreadPool(2, new NamedThreadFactory("wharf-producer-async"));
    this.transactions =
        b.checker != null ? new TransactionCheckAdapter(runtime, group, b.checker) : null;
  }

  private void start(Builder b) {
    if (transactions != null) {
      transactions.start();
    }
    runtime.refreshRoutesPeriodically(Set.of());
    runtime.soon("heartbeat", this::heartbeat);
    runtime.every(b.heartbeatInterval, b.heartbeatInterval, "heartbeat", this::heartbeat);
  }

  /** Heartbeats the group to every broker master this producer knows of. */
  private void heartbeat() {
    HeartbeatData data =
        new HeartbeatData(runtime.clientId(), Set.of(new ProducerData(group)), Set.of(), 0, false);
    for (String address : runtime.routes.allMasterAddresses()) {
      try {
        runtime.brokers.heartbeat(address, data);
        heartbeated.add(address);
      } catch (ClientException e) {
        log.warn("Heartbeat to {} failed: {}", address, e.getMessage());
      }
    }
  }

  /** A send went to {@code address}: heartbeat there soon if it has not heard of this producer. */
  private void sentTo(String address) {
    if (!heartbeated.contains(address) && heartbeatPending.compareAndSet(false, true)) {
      runtime.soon(
          "heartbeat",
          () -> {
            heartbeatPending.set(false);
            heartbeat();
          });
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Sends and waits for the broker's answer. */
  public SendResult send(Message message) {
    return sendWithRetries(SendRequests.single(message, newId(), null), null);
  }

  /**
   * Sends to the queue chosen by the hash of {@code shardingKey}, so messages with one key keep
   * their order while the topic's queue count does not change. Retries stay on that queue.
   */
  public SendResult send(Message message, String shardingKey) {
    Objects.requireNonNull(shardingKey, "shardingKey");
    List<MessageQueue> queues = runtime.routes.writeQueues(message.topic());
    MessageQueue mq = queues.get(Math.floorMod(shardingKey.hashCode(), queues.size()));
    return sendWithRetries(SendRequests.single(message, newId(), shardingKey), mq);
  }

  /** Sends without blocking; the future completes with the result or a {@link ClientException}. */
  public CompletableFuture<SendResult> sendAsync(Message message) {
    SendRequests.Prepared p = SendRequests.single(message, newId(), null);
    CompletableFuture<SendResult> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sendTimeoutMillis);
    asyncExecutor.execute(() -> attemptAsync(p, 0, null, deadline, result));
    return result;
  }

  /**
   * Sends {@code message} as a half message (invisible to consumers), runs {@code local}, and
   * commits or rolls the message back according to its answer (END_TRANSACTION, oneway). UNKNOWN
   * leaves it to the broker, which asks this group's {@link TransactionChecker} later. A half
   * message the broker refused is not sent again and {@code local} does not run (the exception
   * propagates); a stored one with a status other than SEND_OK is rolled back without running
   * {@code local}, as RocketMQ does.
   *
   * @throws IllegalStateException if the producer was built without a transaction checker
   * @throws IllegalArgumentException if the message has a delay level
   */
  public TransactionSendResult sendInTransaction(Message message, LocalTransaction local) {
    if (transactions == null) {
      throw new IllegalStateException("build the producer with a transactionChecker first");
    }
    Objects.requireNonNull(local, "local");
    SendResult half = sendWithRetries(SendRequests.half(message, newId(), group), null);
    TransactionResolution resolution = TransactionResolution.ROLLBACK;
    String remark = null;
    if (half.status() == SendStatus.SEND_OK) {
      try {
        resolution = local.execute(half);
      } catch (RuntimeException e) {
        log.warn("Local transaction of {} failed; leaving it to the check", half.msgId(), e);
        resolution = null;
        remark = "executeLocalTransactionBranch exception: " + e;
      }
      if (resolution == null) {
        resolution = TransactionResolution.UNKNOWN;
      }
    }
    transactions.endLocal(address(half.queue()), message.topic(), half, resolution, remark);
    return new TransactionSendResult(half, resolution);
  }

  /** Sends without waiting for, or learning about, the outcome. No retries. */
  public void sendOneway(Message message) {
    SendRequests.Prepared p = SendRequests.single(message, newId(), null);
    MessageQueue mq = selectQueue(p.topic(), null);
    RemotingCommand request =
        SendRequests.request(p, mq, group, runtime.clock.millis()).markOneway();
    String address = address(mq);
    sentTo(address);
    try {
      runtime.remoting.invokeOneway(address, request);
    } catch (RemotingException e) {
      faults.record(mq.brokerName(), 0, true);
      throw new ClientException("oneway send to " + mq.brokerName() + " failed", e);
    }
  }

  /**
   * Sends messages of one topic in one request; they get consecutive offsets in one queue. The
   * result's msgId lists every message's id, comma-joined.
   */
  public SendResult sendBatch(List<Message> messages) {
    return sendBatch(messages, null);
  }

  /**
   * As {@link #sendBatch(List)}, to the queue chosen by the hash of {@code shardingKey} (null: any
   * queue), as {@link #send(Message, String)} chooses it: batches and single sends with one key
   * keep their order.
   */
  public SendResult sendBatch(List<Message> messages, String shardingKey) {
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("empty batch");
    }
    String topic = messages.get(0).topic();
    List<String> ids = new ArrayList<>();
    for (Message m : messages) {
      if (!m.topic().equals(topic)) {
        throw new IllegalArgumentException(
            "a batch must have one topic: " + topic + ", " + m.topic());
      }
      ids.add(newId());
    }
    MessageQueue mq = null;
    if (shardingKey != null) {
      List<MessageQueue> queues = runtime.routes.writeQueues(topic);
      mq = queues.get(Math.floorMod(shardingKey.hashCode(), queues.size()));
    }
    return sendWithRetries(SendRequests.batch(messages, ids, newId()), mq);
  }

  /** {@link #sendAtomically(List, List)} with one sharding key for every message. */
  public SendResult sendAtomically(List<Message> messages, String shardingKey) {
    Objects.requireNonNull(shardingKey, "shardingKey");
    return sendAtomically(messages, java.util.Collections.nCopies(messages.size(), shardingKey));
  }

  /**
   * Stores messages of any topics all or none, in one WHARF_SEND_TRANSACTION request to one broker:
   * the one with the queue the first message's sharding key chooses (as {@link #send(Message,
   * String)}); every message goes to the queue of that broker its own key chooses among its topic's
   * queues there, so messages of one key keep their order. A transaction spans the topics of one
   * broker: a topic without a writable queue on it fails the whole call. Not retried, since a
   * request whose answer was lost may have been committed; the result's queue is the first
   * message's, its offset -1 (the offsets are known only once committed).
   *
   * @throws ClientException nothing was stored (a refusal, or a topic not on the broker); or, for
   *     {@link ClientException#NO_RESPONSE}, the outcome is unknown
   */
  public SendResult sendAtomically(List<Message> messages, List<String> shardingKeys) {
    if (messages.isEmpty() || messages.size() != shardingKeys.size()) {
      throw new IllegalArgumentException("one sharding key per message, and a message at least");
    }
    List<MessageQueue> first = runtime.routes.writeQueues(messages.get(0).topic());
    String broker =
        first.get(Math.floorMod(shardingKeys.get(0).hashCode(), first.size())).brokerName();
    List<MessageQueue> queues = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      String topic = messages.get(i).topic();
      List<MessageQueue> here =
          runtime.routes.writeQueues(topic).stream()
              .filter(q -> q.brokerName().equals(broker))
              .toList();
      if (here.isEmpty()) {
        throw new ClientException(
            ResponseCode.TOPIC_NOT_EXIST,
            "topic "
                + topic
                + " has no writable queue on broker "
                + broker
                + ": a transaction spans the topics of one broker");
      }
      queues.add(here.get(Math.floorMod(shardingKeys.get(i).hashCode(), here.size())));
      ids.add(newId());
    }
    RemotingCommand request =
        SendRequests.transaction(
            messages, queues, ids, shardingKeys, group, runtime.clock.millis());
    MessageQueue mq = queues.get(0);
    RemotingCommand response;
    String address = address(mq);
    try {
      response = runtime.remoting.invokeSync(address, request, sendTimeoutMillis);
    } catch (RemotingException e) {
      transportFailed(mq);
      throw new ClientException(
          "transaction to " + broker + " failed, outcome unknown: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientException("interrupted while sending a transaction", e);
    }
    if (response.code() != ResponseCode.SUCCESS) {
      throw new ClientException(
          response.code(),
          "broker "
              + broker
              + " refused the transaction: "
              + response.code()
              + " "
              + response.remark());
    }
    return new SendResult(SendStatus.SEND_OK, String.join(",", ids), null, mq, -1);
  }

  private String newId() {
    return runtime.identity.nextMessageId();
  }

  private SendResult sendWithRetries(SendRequests.Prepared p, MessageQueue fixedQueue) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sendTimeoutMillis);
    String lastBroker = null;
    ClientException last = null;
    for (int attempt = 0; attempt <= retries; attempt++) {
      long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (remaining <= 0) {
        break;
      }
      MessageQueue mq = fixedQueue != null ? fixedQueue : selectQueue(p.topic(), lastBroker);
      try {
        return sendOnce(p, mq, remaining);
      } catch (ClientException e) {
        if (!SendRequests.retriable(e)) {
          throw e;
        }
        log.debug("Send to {} failed (attempt {}): {}", mq, attempt + 1, e.getMessage());
        last = e;
        lastBroker = mq.brokerName();
      }
    }
    if (last == null) {
      throw new ClientException(
          ClientException.NO_RESPONSE, "send timed out after " + sendTimeoutMillis + " ms");
    }
    throw last;
  }

  private SendResult sendOnce(SendRequests.Prepared p, MessageQueue mq, long timeoutMillis) {
    RemotingCommand request = SendRequests.request(p, mq, group, runtime.clock.millis());
    long start = System.nanoTime();
    RemotingCommand response;
    String address = address(mq);
    sentTo(address);
    try {
      response = runtime.remoting.invokeSync(address, request, timeoutMillis);
    } catch (RemotingException e) {
      transportFailed(mq);
      throw new ClientException("send to " + mq.brokerName() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientException("interrupted while sending", e);
    }
    return answered(p, mq, response, start);
  }

  private SendResult answered(
      SendRequests.Prepared p, MessageQueue mq, RemotingCommand response, long startNanos) {
    long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    try {
      SendResult r = SendRequests.result(response, p, mq);
      faults.record(mq.brokerName(), latency, false);
      return r;
    } catch (ClientException e) {
      faults.record(mq.brokerName(), latency, SendRequests.retriable(e));
      throw e;
    }
  }

  private void transportFailed(MessageQueue mq) {
    faults.record(mq.brokerName(), 0, true);
    runtime.soon("route refresh", () -> runtime.routes.refresh(mq.topic()));
  }

  private void attemptAsync(
      SendRequests.Prepared p,
      int attempt,
      String lastBroker,
      long deadline,
      CompletableFuture<SendResult> result) {
    MessageQueue mq;
    RemotingCommand request;
    String address;
    try {
      mq = selectQueue(p.topic(), lastBroker);
      address = address(mq);
      sentTo(address);
      request = SendRequests.request(p, mq, group, runtime.clock.millis());
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    long start = System.nanoTime();
    runtime
        .remoting
        .invokeAsync(address, request, Math.max(1, remaining))
        .whenCompleteAsync(
            (response, error) -> {
              ClientException failure;
              if (error != null) {
                transportFailed(mq);
                failure =
                    ClientException.transport("send to " + mq.brokerName() + " failed", error);
              } else {
                try {
                  result.complete(answered(p, mq, response, start));
                  return;
                } catch (ClientException e) {
                  failure = e;
                } catch (RuntimeException e) {
                  result.completeExceptionally(e);
                  return;
                }
              }
              if (SendRequests.retriable(failure)
                  && attempt < retries
                  && System.nanoTime() < deadline) {
                attemptAsync(p, attempt + 1, mq.brokerName(), deadline, result);
              } else {
                result.completeExceptionally(failure);
              }
            },
            asyncExecutor);
  }

  /** Round robin over the topic's queues, avoiding the last failed broker and backed-off ones. */
  private MessageQueue selectQueue(String topic, String avoidBroker) {
    List<MessageQueue> queues = runtime.routes.writeQueues(topic);
    int start = nextQueue.computeIfAbsent(topic, t -> new AtomicInteger()).getAndIncrement();
    int n = queues.size();
    for (int i = 0; i < n; i++) {
      MessageQueue mq = queues.get(Math.floorMod(start + i, n));
      if (!mq.brokerName().equals(avoidBroker) && faults.isAvailable(mq.brokerName())) {
        return mq;
      }
    }
    for (int i = 0; i < n; i++) {
      MessageQueue mq = queues.get(Math.floorMod(start + i, n));
      if (!mq.brokerName().equals(avoidBroker)) {
        return mq;
      }
    }
    return queues.get(Math.floorMod(start, n));
  }

  private String address(MessageQueue mq) {
    String address = runtime.routes.masterAddress(mq.brokerName());
    if (address == null) {
      runtime.soon("route refresh", () -> runtime.routes.refresh(mq.topic()));
      throw new ClientException(
          ClientException.NO_RESPONSE, "no address known for broker " + mq.brokerName());
    }
    return address;
  }

  /**
   * Stops the background work, leaves the group on the brokers (UNREGISTER_CLIENT) and closes
   * connections.
   */
  @Override
  public void close() {
    asyncExecutor.shutdown();
    try {
      asyncExecutor.awaitTermination(sendTimeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (transactions != null) {
      transactions.close();
    }
    for (String address : heartbeated) {
      try {
        runtime.brokers.unregister(address, runtime.clientId(), group, null);
      } catch (ClientException e) {
        log.debug("Unregister from {} failed: {}", address, e.getMessage());
      }
    }
    runtime.close();
  }

  /** Configures and starts a {@link Producer}. Not thread-safe. */
  public static final class Builder {
    private String namesrvAddr;
    private Credentials credentials;
    private ClientTls tls;
    private String producerGroup = "DEFAULT_PRODUCER";
    private Duration sendTimeout = Duration.ofSeconds(3);
    private Duration requestTimeout = Duration.ofSeconds(3);
    private int retries = 2;
    private Duration heartbeatInterval = Duration.ofSeconds(30);
    private TransactionChecker checker;
    private InstantSource clock = InstantSource.system();

    private Builder() {}

    /** Name servers, "host:port;host:port". Required. */
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

    /** Producer group (default DEFAULT_PRODUCER). */
    public Builder producerGroup(String v) {
      producerGroup = Objects.requireNonNull(v);
      return this;
    }

    /** Time budget of one send, retries included (default 3 s). */
    public Builder sendTimeout(Duration v) {
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException("sendTimeout must be positive");
      }
      sendTimeout = v;
      return this;
    }

    /** Timeout of route lookups (default 3 s). */
    public Builder requestTimeout(Duration v) {
      requestTimeout = v;
      return this;
    }

    /** Extra attempts after a retriable failure (default 2). */
    public Builder retries(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("retries must be >= 0");
      }
      retries = v;
      return this;
    }

    /** How often the group is heartbeated to the brokers (default 30 s). */
    public Builder heartbeatInterval(Duration v) {
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException("heartbeatInterval must be positive");
      }
      heartbeatInterval = v;
      return this;
    }

    /**
     * Enables {@link Producer#sendInTransaction}: answers the brokers' checks of this group's
     * unresolved transactions. Give every producer of a transactional group a checker, and the
     * group a name of its own (not the default).
     */
    public Builder transactionChecker(TransactionChecker v) {
      checker = Objects.requireNonNull(v);
      return this;
    }

    /** The clock for timestamps and back-off periods (tests). */
    public Builder clock(InstantSource v) {
      clock = Objects.requireNonNull(v);
      return this;
    }

    public Producer build() {
      NameServerClient.parse(namesrvAddr);
      Producer p = new Producer(this);
      p.start(this);
      return p;
    }
  }
}
