package io.wharfmq.client;

import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.body.ConsumerData;
import io.wharfmq.remoting.protocol.body.HeartbeatData;
import io.wharfmq.remoting.protocol.body.SubscriptionData;
import io.wharfmq.tls.ClientTls;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer the application pulls from: {@link #subscribe} (queues rebalanced among the group's
 * members, as for {@link PushConsumer}) or {@link #assign} (fixed queues), then {@link #poll}.
 * Messages are fetched ahead in the background with LITE_PULL_MESSAGE (361; the subscription
 * travels in the header, sysFlag 0x4). A queue's consumed offset moves when {@link #poll} returns
 * its messages; {@link #commit} (or auto-commit every 5 s) stores it on the broker. {@link #seek}
 * moves a queue's position; messages fetched before are discarded.
 *
 * <p>Thread-safe, though meant for one polling thread.
 */
public final class LitePullConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LitePullConsumer.class);
  private static final long SUSPEND_MILLIS = 20_000;
  private static final long CALL_TIMEOUT_MILLIS = 30_000;
  private static final long ERROR_DELAY_MILLIS = 1_000;
  private static final long FLOW_CONTROL_DELAY_MILLIS = 50;

  /** One assigned queue's positions. Guarded by its monitor. */
  private static final class QueueState {
    final MessageQueue queue;
    long generation;
    long nextPullOffset;
    long consumedOffset;
    int cached;
    volatile boolean dropped;

    QueueState(MessageQueue queue, long offset) {
      this.queue = queue;
      this.nextPullOffset = offset;
      this.consumedOffset = offset;
    }
  }

  private record Batch(QueueState state, long generation, List<MessageView> messages) {}

  private enum Mode {
    NONE,
    SUBSCRIBE,
    ASSIGN
  }

  private final String group;
  private final ConsumeFrom consumeFrom;
  private final int pullBatchSize;
  private final int maxCachedMessagesPerQueue;
  private final ClientRuntime runtime;
  private final QueueAssigner assigner;
  private final OffsetStore offsets;
  private final ScheduledExecutorService pullThread;
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private long subVersion; // guarded by this
  private final Map<MessageQueue, QueueState> queues = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<Batch> fetched = new LinkedBlockingQueue<>();
  private Mode mode = Mode.NONE;
  private volatile boolean closed;
  private final boolean autoCommit;

  private LitePullConsumer(Builder b) {
    this.group = b.consumerGroup;
    this.consumeFrom = b.consumeFrom;
    this.pullBatchSize = b.pullBatchSize;
    this.maxCachedMessagesPerQueue = b.maxCachedMessagesPerQueue;
    this.autoCommit = b.autoCommit;
    this.runtime =
        new ClientRuntime(
            "lite-" + group, b.namesrvAddr, b.requestTimeout, b.clock, b.credentials, b.tls);
    this.assigner =
        new QueueAssigner(runtime, group, MessageModel.CLUSTERING, b.allocationStrategy);
    this.offsets = new RemoteOffsetStore(runtime, group);
    this.pullThread =
        Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("wharf-lite-" + group));
    runtime.remoting.registerProcessor(
        RequestCode.NOTIFY_CONSUMER_IDS_CHANGED,
        (channel, request) -> {
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
    runtime.refreshRoutesPeriodically(subscriptions.keySet());
    runtime.every(b.heartbeatInterval, b.heartbeatInterval, "heartbeat", this::heartbeat);
    runtime.every(b.rebalanceInterval, b.rebalanceInterval, "rebalance", this::rebalance);
    if (autoCommit) {
      runtime.every(b.autoCommitInterval, b.autoCommitInterval, "auto-commit", () -> commit(false));
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The client id brokers know this member by. */
  public String clientId() {
    return runtime.clientId();
  }

  /** Every readable queue of a topic (for {@link #assign}). */
  public List<MessageQueue> fetchQueues(String topic) {
    return runtime.routes.readQueues(topic);
  }

  /** Subscribes to a topic; queues come from rebalancing. Not allowed after {@link #assign}. */
  public synchronized void subscribe(String topic, String tagExpression) {
    if (mode == Mode.ASSIGN) {
      throw new IllegalStateException("assign() was used; subscribe() and assign() do not mix");
    }
    mode = Mode.SUBSCRIBE;
    subVersion = Subscription.nextVersion(runtime.clock.millis(), subVersion);
    subscriptions.put(topic, Subscription.of(topic, tagExpression, subVersion));
    runtime.routes.route(topic);
    runtime.soon("heartbeat", this::heartbeat);
    runtime.soon("rebalance", this::rebalance);
  }

  /** Reads exactly these queues (all messages), replacing any earlier assignment. */
  public synchronized void assign(Collection<MessageQueue> assigned) {
    if (mode == Mode.SUBSCRIBE) {
      throw new IllegalStateException("subscribe() was used; subscribe() and assign() do not mix");
    }
    mode = Mode.ASSIGN;
    Map<String, Set<MessageQueue>> byTopic = new java.util.HashMap<>();
    for (MessageQueue mq : assigned) {
      byTopic.computeIfAbsent(mq.topic(), t -> new TreeSet<>()).add(mq);
      subscriptions.putIfAbsent(mq.topic(), Subscription.of(mq.topic(), "*", 0));
      runtime.routes.route(mq.topic());
    }
    for (QueueState s : queues.values()) {
      if (!byTopic.containsKey(s.queue.topic())) {
        dropQueue(s);
      }
    }
    byTopic.forEach(this::apply);
  }

  /** The queues read now. */
  public Set<MessageQueue> assignment() {
    return Set.copyOf(queues.keySet());
  }

  /**
   * Waits up to {@code timeout} for messages and returns the next fetched batch (at most
   * pullBatchSize messages of one queue), or an empty list.
   */
  public List<MessageView> poll(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!closed) {
      Batch b;
      try {
        b = fetched.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
      if (b == null) {
        return List.of();
      }
      QueueState s = b.state();
      synchronized (s) {
        if (s.dropped || s.generation != b.generation()) {
          continue;
        }
        s.cached -= b.messages().size();
        s.consumedOffset = b.messages().get(b.messages().size() - 1).queueOffset() + 1;
      }
      return b.messages();
    }
    return List.of();
  }

  /** Moves a queue's position: the next poll of it returns messages from {@code offset}. */
  public void seek(MessageQueue queue, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0");
    }
    QueueState s = queues.get(queue);
    if (s == null) {
      throw new IllegalStateException(queue + " is not assigned to this consumer");
    }
    long generation;
    synchronized (s) {
      generation = ++s.generation;
      s.nextPullOffset = offset;
      s.consumedOffset = offset;
      s.cached = 0;
    }
    schedulePull(s, generation, 0);
  }

  /** The consumed offset of a queue (the next to be returned), or -1 if not assigned. */
  public long position(MessageQueue queue) {
    QueueState s = queues.get(queue);
    if (s == null) {
      return -1;
    }
    synchronized (s) {
      return s.consumedOffset;
    }
  }

  /** The group's committed offset of a queue on the broker, or -1 if it has none. */
  public long committed(MessageQueue queue) {
    return offsets.readStored(queue, false);
  }

  /** Commits what {@link #poll} has returned so far, and waits for the brokers. */
  public void commit() {
    commit(true);
  }

  private void commit(boolean sync) {
    for (QueueState s : queues.values()) {
      synchronized (s) {
        offsets.update(s.queue, s.consumedOffset);
      }
    }
    offsets.persist(List.copyOf(queues.keySet()), sync);
  }

  private void heartbeat() {
    if (mode != Mode.SUBSCRIBE) {
      return;
    }
    Set<SubscriptionData> subs = new HashSet<>();
    for (Subscription s : subscriptions.values()) {
      subs.add(s.toData());
    }
    HeartbeatData data =
        new HeartbeatData(
            runtime.clientId(),
            Set.of(),
            Set.of(
                new ConsumerData(
                    group,
                    "CONSUME_ACTIVELY",
                    MessageModel.CLUSTERING.name(),
                    consumeFrom.wireName(),
                    subs,
                    false)),
            0,
            false);
    for (String address : runtime.routes.masterAddresses(subscriptions.keySet())) {
      try {
        runtime.brokers.heartbeat(address, data);
      } catch (ClientException e) {
        log.warn("Heartbeat to {} failed: {}", address, e.getMessage());
      }
    }
  }

  private void rebalance() {
    if (closed || mode != Mode.SUBSCRIBE) {
      return;
    }
    heartbeat();
    for (String topic : subscriptions.keySet()) {
      try {
        apply(topic, assigner.assign(topic));
      } catch (ClientException e) {
        log.warn("Rebalance of {} for {} failed: {}", topic, group, e.getMessage());
      }
    }
  }

  private synchronized void apply(String topic, Set<MessageQueue> assigned) {
    List<MessageQueue> removed = new ArrayList<>();
    for (QueueState s : queues.values()) {
      if (s.queue.topic().equals(topic) && !assigned.contains(s.queue)) {
        dropQueue(s);
        removed.add(s.queue);
      }
    }
    if (!removed.isEmpty()) {
      offsets.persist(removed, false);
      removed.forEach(offsets::remove);
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
      QueueState s = new QueueState(mq, start);
      queues.put(mq, s);
      offsets.update(mq, start);
      log.info("{} of {} reads {} from offset {}", runtime.clientId(), group, mq, start);
      schedulePull(s, 0, 0);
    }
  }

  private void dropQueue(QueueState s) {
    s.dropped = true;
    queues.remove(s.queue);
    synchronized (s) {
      offsets.update(s.queue, s.consumedOffset);
    }
  }

  private void schedulePull(QueueState s, long generation, long delayMillis) {
    try {
      pullThread.schedule(() -> pull(s, generation), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("Pull of {} not scheduled: shutting down", s.queue);
    }
  }

  private void pull(QueueState s, long generation) {
    long offset;
    synchronized (s) {
      if (s.dropped || closed || s.generation != generation) {
        return;
      }
      if (s.cached >= maxCachedMessagesPerQueue) {
        schedulePull(s, generation, FLOW_CONTROL_DELAY_MILLIS);
        return;
      }
      offset = s.nextPullOffset;
    }
    Subscription sub = subscriptions.get(s.queue.topic());
    String address = runtime.routes.masterAddress(s.queue.brokerName());
    if (sub == null || address == null) {
      schedulePull(s, generation, ERROR_DELAY_MILLIS);
      return;
    }
    BrokerProxy.PullSpec spec =
        new BrokerProxy.PullSpec(
            RequestCode.LITE_PULL_MESSAGE,
            group,
            s.queue,
            offset,
            pullBatchSize,
            BrokerProxy.PULL_SUSPEND | BrokerProxy.PULL_SUBSCRIPTION | BrokerProxy.PULL_LITE,
            0,
            SUSPEND_MILLIS,
            sub.expression(),
            sub.subVersion());
    try {
      runtime
          .brokers
          .pull(address, spec, CALL_TIMEOUT_MILLIS)
          .whenCompleteAsync((r, e) -> onResult(s, generation, sub, r, e), pullThread);
    } catch (RejectedExecutionException e) {
      log.debug("Pull of {} abandoned: shutting down", s.queue);
    }
  }

  private void onResult(
      QueueState s, long generation, Subscription sub, PullResult r, Throwable error) {
    if (error != null) {
      log.debug("Pull of {} failed: {}", s.queue, error.toString());
      schedulePull(s, generation, ERROR_DELAY_MILLIS);
      return;
    }
    synchronized (s) {
      if (s.dropped || s.generation != generation) {
        return;
      }
      List<MessageView> matched = new ArrayList<>();
      for (MessageView m : r.messages()) {
        if (sub.matches(m) && m.queueOffset() >= s.nextPullOffset) {
          matched.add(m);
        }
      }
      if (r.status() == PullResult.Status.OFFSET_ILLEGAL) {
        log.warn(
            "Offset {} of {} is out of range; moving to {}",
            s.nextPullOffset,
            s.queue,
            r.nextBeginOffset());
        if (s.cached == 0) {
          s.consumedOffset = r.nextBeginOffset();
        }
      }
      s.nextPullOffset = r.nextBeginOffset();
      if (!matched.isEmpty()) {
        s.cached += matched.size();
        fetched.add(new Batch(s, generation, List.copyOf(matched)));
      } else if (s.cached == 0) {
        // Nothing to return up to here: the position may move past filtered-out messages.
        s.consumedOffset = Math.max(s.consumedOffset, r.nextBeginOffset());
      }
    }
    pull(s, generation);
  }

  /** Stops fetching, commits (with auto-commit on), leaves the group and closes connections. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pullThread.shutdownNow();
    Set<String> brokers = runtime.routes.masterAddresses(subscriptions.keySet());
    if (autoCommit) {
      try {
        commit(true);
      } catch (RuntimeException e) {
        log.warn("Final offset commit of {} failed: {}", group, e.toString());
      }
    }
    if (mode == Mode.SUBSCRIBE) {
      for (String address : brokers) {
        try {
          runtime.brokers.unregister(address, runtime.clientId(), null, group);
        } catch (ClientException e) {
          log.warn("Unregister from {} failed: {}", address, e.getMessage());
        }
      }
    }
    runtime.close();
  }

  /** Configures and starts a {@link LitePullConsumer}. Not thread-safe. */
  public static final class Builder {
    private String namesrvAddr;
    private Credentials credentials;
    private ClientTls tls;
    private String consumerGroup;
    private ConsumeFrom consumeFrom = ConsumeFrom.LAST;
    private AllocationStrategy allocationStrategy = AllocationStrategy.AVERAGE;
    private boolean autoCommit = true;
    private Duration autoCommitInterval = Duration.ofSeconds(5);
    private int pullBatchSize = 10;
    private int maxCachedMessagesPerQueue = 1000;
    private Duration heartbeatInterval = Duration.ofSeconds(30);
    private Duration rebalanceInterval = Duration.ofSeconds(20);
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

    /** Where to start on queues the group has no offset for (default LAST). */
    public Builder consumeFrom(ConsumeFrom v) {
      consumeFrom = Objects.requireNonNull(v);
      return this;
    }

    public Builder allocationStrategy(AllocationStrategy v) {
      allocationStrategy = Objects.requireNonNull(v);
      return this;
    }

    /** Commit polled offsets every autoCommitInterval and at close (default true). */
    public Builder autoCommit(boolean v) {
      autoCommit = v;
      return this;
    }

    public Builder autoCommitInterval(Duration v) {
      autoCommitInterval = Objects.requireNonNull(v);
      return this;
    }

    /** Messages per fetch, hence per poll at most (default 10). */
    public Builder pullBatchSize(int v) {
      pullBatchSize = v;
      return this;
    }

    public Builder maxCachedMessagesPerQueue(int v) {
      maxCachedMessagesPerQueue = v;
      return this;
    }

    public Builder rebalanceInterval(Duration v) {
      rebalanceInterval = Objects.requireNonNull(v);
      return this;
    }

    public Builder heartbeatInterval(Duration v) {
      heartbeatInterval = Objects.requireNonNull(v);
      return this;
    }

    public Builder requestTimeout(Duration v) {
      requestTimeout = Objects.requireNonNull(v);
      return this;
    }

    public Builder clock(InstantSource v) {
      clock = Objects.requireNonNull(v);
      return this;
    }

    public LitePullConsumer build() {
      NameServerClient.parse(namesrvAddr);
      if (!ConsumerGroupName.isValid(consumerGroup)) {
        throw new IllegalArgumentException(ConsumerGroupName.RULE);
      }
      if (pullBatchSize < 1 || pullBatchSize > 32 || maxCachedMessagesPerQueue < 1) {
        throw new IllegalArgumentException(
            "pullBatchSize must be 1..32 and maxCachedMessagesPerQueue >= 1");
      }
      return new LitePullConsumer(this);
    }
  }
}
