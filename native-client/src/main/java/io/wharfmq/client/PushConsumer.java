package io.wharfmq.client;

import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.body.ConsumerData;
import io.wharfmq.remoting.protocol.body.HeartbeatData;
import io.wharfmq.remoting.protocol.body.SubscriptionData;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes subscribed topics and calls a listener. Members of a group share queues (CLUSTERING,
 * offsets on the brokers) or each read everything (BROADCASTING, offsets in a local file).
 * Heartbeats every 30 s, rebalancing every 20 s and at once when the broker says the group changed
 * (NOTIFY_CONSUMER_IDS_CHANGED) or a route changed; committing the lowest unconsumed offset of each
 * queue every 5 s and at close.
 *
 * <p>Retries: RETRY_LATER re-delivers the messages <em>locally</em> after {@link
 * Builder#retryDelay} (reconsumeTimes grows), holding back the queue's committed offset until they
 * succeed. The broker-side retry topic (CONSUMER_SEND_MSG_BACK, %RETRY%group, DLQ) is not used yet;
 * messages in retry are lost to this member if it stops, and re-read by whoever gets the queue
 * next. Orderly listeners get one batch of a queue at a time, in offset order; the broker queue
 * locks (LOCK_BATCH_MQ) that keep two members from briefly sharing a queue during a rebalance are
 * not taken yet.
 *
 * <p>Thread-safe. The listener runs on the consume threads.
 */
public final class PushConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PushConsumer.class);

  private final String group;
  private final MessageModel model;
  private final ConsumeFrom consumeFrom;
  private final Map<String, Subscription> subscriptions;
  private final ClientRuntime runtime;
  private final QueueAssigner assigner;
  private final OffsetStore offsets;
  private final ConsumeService consume;
  private final ScheduledExecutorService pullThread;
  private final PushPuller puller;
  private final Map<MessageQueue, ProcessQueue> queues = new ConcurrentHashMap<>();
  private Set<String> heartbeatBrokers = Set.of();
  private volatile boolean closed;

  private PushConsumer(Builder b) {
    this.group = b.consumerGroup;
    this.model = b.messageModel;
    this.consumeFrom = b.consumeFrom;
    this.runtime = new ClientRuntime("push-" + group, b.namesrvAddr, b.requestTimeout, b.clock);
    long subVersion = b.clock.millis();
    Map<String, Subscription> subs = new LinkedHashMap<>();
    b.subscriptions.forEach((t, e) -> subs.put(t, Subscription.of(t, e, subVersion)));
    this.subscriptions = Map.copyOf(subs);
    this.assigner = new QueueAssigner(runtime, group, model, b.allocationStrategy);
    this.offsets =
        model == MessageModel.CLUSTERING
            ? new RemoteOffsetStore(runtime, group)
            : new LocalOffsetStore(
                b.offsetStoreDir != null
                    ? b.offsetStoreDir
                    : LocalOffsetStore.defaultDir(runtime.clientId()),
                group);
    this.consume =
        new ConsumeService(
            b.listener,
            b.orderly,
            b.consumeThreads,
            b.consumeBatchSize,
            b.retryDelay.toMillis(),
            group);
    this.pullThread =
        Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("wharf-pull-" + group));
    this.puller =
        new PushPuller(
            runtime,
            group,
            model == MessageModel.CLUSTERING,
            subscriptions,
            offsets,
            consume,
            new PushPuller.Limits(
                b.maxCachedMessagesPerQueue, b.maxCachedBytesPerQueue, b.maxOffsetSpan),
            pullThread,
            () -> runtime.soon("heartbeat", () -> heartbeat(true)));
  }

  public static Builder builder() {
    return new Builder();
  }

  private void start(Builder b) {
    runtime.remoting.registerProcessor(
        RequestCode.NOTIFY_CONSUMER_IDS_CHANGED,
        (channel, request) -> {
          log.debug("Group {} changed (told by {}); rebalancing", group, channel);
          runtime.soon("rebalance", this::rebalance);
          return null;
        },
        runtime.scheduler);
    runtime.routes.onChange(
        topic -> {
          if (subscriptions.containsKey(topic)) {
            runtime.soon("rebalance", this::rebalance);
          }
        });
    for (String topic : subscriptions.keySet()) {
      try {
        runtime.routes.route(topic);
      } catch (ClientException e) {
        log.warn("No route for {} yet: {}", topic, e.getMessage());
      }
    }
    runtime.soon("heartbeat", () -> heartbeat(true));
    runtime.soon("rebalance", this::rebalance);
    runtime.every(
        ClientRuntime.ROUTE_REFRESH,
        ClientRuntime.ROUTE_REFRESH,
        "route refresh",
        () -> runtime.routes.refreshAll(subscriptions.keySet()));
    runtime.every(b.heartbeatInterval, b.heartbeatInterval, "heartbeat", () -> heartbeat(true));
    runtime.every(b.rebalanceInterval, b.rebalanceInterval, "rebalance", this::rebalance);
    runtime.every(b.commitInterval, b.commitInterval, "offset commit", () -> commit(false));
  }

  /** The client id brokers know this member by. */
  public String clientId() {
    return runtime.clientId();
  }

  /** The queues this member reads now. */
  public Set<MessageQueue> assignment() {
    return Set.copyOf(queues.keySet());
  }

  private HeartbeatData heartbeatData() {
    Set<SubscriptionData> subs = new HashSet<>();
    for (Subscription s : subscriptions.values()) {
      subs.add(s.toData());
    }
    ConsumerData data =
        new ConsumerData(
            group, "CONSUME_PASSIVELY", model.name(), consumeFrom.wireName(), subs, false);
    return new HeartbeatData(runtime.clientId(), Set.of(), Set.of(data), 0, false);
  }

  /** Sends a heartbeat to the brokers of the subscribed topics (all, or only new ones). */
  private void heartbeat(boolean all) {
    Set<String> brokers = runtime.routes.masterAddresses(subscriptions.keySet());
    HeartbeatData data = heartbeatData();
    for (String address : brokers) {
      if (all || !heartbeatBrokers.contains(address)) {
        try {
          runtime.brokers.heartbeat(address, data);
        } catch (ClientException e) {
          log.warn("Heartbeat to {} failed: {}", address, e.getMessage());
        }
      }
    }
    heartbeatBrokers = brokers;
  }

  /** Recomputes this member's queues; runs on the scheduler thread. */
  private void rebalance() {
    if (closed) {
      return;
    }
    heartbeat(false);
    for (String topic : subscriptions.keySet()) {
      Set<MessageQueue> assigned;
      try {
        assigned = assigner.assign(topic);
      } catch (ClientException e) {
        log.warn("Rebalance of {} for {} failed: {}", topic, group, e.getMessage());
        continue;
      }
      apply(topic, assigned);
    }
  }

  private void apply(String topic, Set<MessageQueue> assigned) {
    List<MessageQueue> removed = new ArrayList<>();
    for (ProcessQueue pq : queues.values()) {
      if (pq.queue.topic().equals(topic) && !assigned.contains(pq.queue)) {
        pq.drop();
        queues.remove(pq.queue);
        offsets.update(pq.queue, pq.commitOffset());
        removed.add(pq.queue);
      }
    }
    if (!removed.isEmpty()) {
      offsets.persist(removed, false);
      removed.forEach(offsets::remove);
      log.info("{} of {} gave up {}", runtime.clientId(), group, removed);
    }
    for (MessageQueue mq : assigned) {
      if (queues.containsKey(mq)) {
        continue;
      }
      long start;
      try {
        start = assigner.startOffset(offsets, mq, consumeFrom);
      } catch (ClientException e) {
        log.warn("Cannot find where to start {} for {}: {}", mq, group, e.getMessage());
        continue;
      }
      ProcessQueue pq = new ProcessQueue(mq, start);
      offsets.update(mq, start);
      queues.put(mq, pq);
      log.info("{} of {} takes {} from offset {}", runtime.clientId(), group, mq, start);
      puller.start(pq);
    }
  }

  private void commit(boolean sync) {
    for (ProcessQueue pq : queues.values()) {
      offsets.update(pq.queue, pq.commitOffset());
    }
    offsets.persist(List.copyOf(queues.keySet()), sync);
  }

  /**
   * Stops pulling, lets running listeners finish (up to 10 s), commits offsets and leaves the group
   * (UNREGISTER_CLIENT), so the others rebalance at once.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ProcessQueue pq : queues.values()) {
      pq.drop();
    }
    pullThread.shutdownNow();
    consume.shutdown(10_000);
    Set<String> brokers = runtime.routes.masterAddresses(subscriptions.keySet());
    try {
      commit(true);
    } catch (RuntimeException e) {
      log.warn("Final offset commit of {} failed: {}", group, e.toString());
    }
    for (String address : brokers) {
      try {
        runtime.brokers.unregister(address, runtime.clientId(), null, group);
      } catch (ClientException e) {
        log.warn("Unregister from {} failed: {}", address, e.getMessage());
      }
    }
    runtime.close();
  }

  /** Configures and starts a {@link PushConsumer}. Not thread-safe. */
  public static final class Builder {
    private String namesrvAddr;
    private String consumerGroup;
    private final Map<String, String> subscriptions = new LinkedHashMap<>();
    private MessageModel messageModel = MessageModel.CLUSTERING;
    private ConsumeFrom consumeFrom = ConsumeFrom.LAST;
    private MessageListener listener;
    private boolean orderly;
    private AllocationStrategy allocationStrategy = AllocationStrategy.AVERAGE;
    private int consumeThreads = 4;
    private int consumeBatchSize = 1;
    private int maxCachedMessagesPerQueue = 1000;
    private long maxCachedBytesPerQueue = 100L * 1024 * 1024;
    private long maxOffsetSpan = 2000;
    private Duration retryDelay = Duration.ofSeconds(5);
    private Duration heartbeatInterval = Duration.ofSeconds(30);
    private Duration rebalanceInterval = Duration.ofSeconds(20);
    private Duration commitInterval = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(3);
    private Path offsetStoreDir;
    private InstantSource clock = InstantSource.system();

    private Builder() {}

    /** Name servers, "host:port;host:port". Required. */
    public Builder namesrvAddr(String v) {
      namesrvAddr = v;
      return this;
    }

    /** Consumer group. Required. */
    public Builder consumerGroup(String v) {
      consumerGroup = v;
      return this;
    }

    /** Subscribes to {@code topic} with a tag expression: "*" or "TagA || TagB". */
    public Builder subscribe(String topic, String tagExpression) {
      Subscription.of(topic, tagExpression, 0);
      subscriptions.put(topic, tagExpression);
      return this;
    }

    public Builder messageModel(MessageModel v) {
      messageModel = Objects.requireNonNull(v);
      return this;
    }

    /** Where to start on queues the group has no offset for (default LAST). */
    public Builder consumeFrom(ConsumeFrom v) {
      consumeFrom = Objects.requireNonNull(v);
      return this;
    }

    /** A listener called from several threads at once. */
    public Builder listener(MessageListener v) {
      listener = Objects.requireNonNull(v);
      orderly = false;
      return this;
    }

    /** A listener that sees each queue's messages one batch at a time, in order. */
    public Builder orderlyListener(MessageListener v) {
      listener = Objects.requireNonNull(v);
      orderly = true;
      return this;
    }

    public Builder allocationStrategy(AllocationStrategy v) {
      allocationStrategy = Objects.requireNonNull(v);
      return this;
    }

    /** Listener threads (default 4). */
    public Builder consumeThreads(int v) {
      consumeThreads = v;
      return this;
    }

    /** Messages per listener call at most (default 1). */
    public Builder consumeBatchSize(int v) {
      consumeBatchSize = v;
      return this;
    }

    /** Pause pulling a queue with this many unconsumed messages (default 1000). */
    public Builder maxCachedMessagesPerQueue(int v) {
      maxCachedMessagesPerQueue = v;
      return this;
    }

    /** Pause pulling a queue with this many unconsumed body bytes (default 100 MiB). */
    public Builder maxCachedBytesPerQueue(long v) {
      maxCachedBytesPerQueue = v;
      return this;
    }

    /**
     * Pause pulling a queue whose oldest and newest unconsumed offsets are this far apart (default
     * 2000; concurrent listeners only matter here).
     */
    public Builder maxOffsetSpan(long v) {
      maxOffsetSpan = v;
      return this;
    }

    /** Delay before a RETRY_LATER batch is delivered again (default 5 s). */
    public Builder retryDelay(Duration v) {
      retryDelay = Objects.requireNonNull(v);
      return this;
    }

    /** Default 20 s. */
    public Builder rebalanceInterval(Duration v) {
      rebalanceInterval = Objects.requireNonNull(v);
      return this;
    }

    /** Default 30 s. */
    public Builder heartbeatInterval(Duration v) {
      heartbeatInterval = Objects.requireNonNull(v);
      return this;
    }

    /** Default 5 s. */
    public Builder commitInterval(Duration v) {
      commitInterval = Objects.requireNonNull(v);
      return this;
    }

    /** Timeout of control requests (routes, offsets, heartbeats; default 3 s). */
    public Builder requestTimeout(Duration v) {
      requestTimeout = Objects.requireNonNull(v);
      return this;
    }

    /** Broadcasting only: offset file directory (default ~/.wharf/offsets/<clientId>). */
    public Builder offsetStoreDir(Path v) {
      offsetStoreDir = v;
      return this;
    }

    public Builder clock(InstantSource v) {
      clock = Objects.requireNonNull(v);
      return this;
    }

    /** Validates, starts and returns the consumer. */
    public PushConsumer build() {
      NameServerClient.parse(namesrvAddr);
      List<String> problems = new ArrayList<>();
      if (consumerGroup == null || !consumerGroup.matches("[%|a-zA-Z0-9_-]{1,255}")) {
        problems.add("consumerGroup must be 1-255 characters of [%|a-zA-Z0-9_-]");
      }
      if (subscriptions.isEmpty()) {
        problems.add("subscribe to at least one topic");
      }
      if (listener == null) {
        problems.add("set a listener or an orderlyListener");
      }
      if (consumeThreads < 1 || consumeBatchSize < 1) {
        problems.add("consumeThreads and consumeBatchSize must be >= 1");
      }
      if (maxCachedMessagesPerQueue < 1 || maxCachedBytesPerQueue < 1 || maxOffsetSpan < 1) {
        problems.add("flow-control limits must be >= 1");
      }
      for (Duration d : List.of(retryDelay, rebalanceInterval, heartbeatInterval, commitInterval)) {
        if (d.isNegative() || d.isZero()) {
          problems.add("intervals and delays must be positive, got " + d);
        }
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            "Invalid push consumer configuration: " + String.join("; ", problems));
      }
      PushConsumer c = new PushConsumer(this);
      c.start(this);
      return c;
    }
  }
}
