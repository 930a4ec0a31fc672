package io.wharfmq.client;

import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.body.ConsumerData;
import io.wharfmq.remoting.protocol.body.HeartbeatData;
import io.wharfmq.remoting.protocol.body.SubscriptionData;
import io.wharfmq.tls.ClientTls;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes subscribed topics and calls a listener. Members of a group share queues (CLUSTERING,
 * offsets on the brokers) or each read everything (BROADCASTING, offsets in a local file).
 * Heartbeats every 30 s, rebalancing every 20 s and at once when the broker says the group changed
 * (NOTIFY_CONSUMER_IDS_CHANGED) or a route changed; committing the lowest unconsumed offset of each
 * queue every 5 s and at close.
 *
 * <p>Retries (concurrent listener, clustering): the consumer also subscribes the group's retry
 * topic {@code %RETRY%<group>}. A failed message (RETRY_LATER or a throwing listener) is sent back
 * to the broker (CONSUMER_SEND_MSG_BACK), which redelivers it through the retry topic after delay
 * level 3 + reconsumeTimes, or puts it in {@code %DLQ%<group>} once it was delivered {@link
 * Builder#maxReconsumeTimes} + 1 times; the queue's offset then moves on. Redelivered messages show
 * their original topic and the broker's reconsume count. If the send-back fails the message is
 * retried locally after {@link Builder#retryDelay}. Broadcasting has no send-back: local retries,
 * then the message is dropped.
 *
 * <p>Orderly listener: one batch of a queue at a time, in offset order. In clustering the member
 * locks each queue on its broker (LOCK_BATCH_MQ) before taking it, renews its locks every 20 s,
 * consumes only queues it holds, and commits then unlocks a queue it gives up or at close. A failed
 * batch suspends the queue for {@link Builder#suspendTime} and is delivered again, nothing behind
 * it overtaking; after {@link Builder#maxReconsumeTimes} failed re-deliveries the message goes to
 * the dead-letter topic and the queue moves on.
 *
 * <p>Thread-safe. The listener runs on the consume threads.
 */
public final class PushConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PushConsumer.class);
  private static final Duration LOCK_RETRY_DELAY = Duration.ofMillis(500);

  private final String group;
  private final MessageModel model;
  private final ConsumeFrom consumeFrom;
  private final Map<String, Subscription> subscriptions;
  private final ClientRuntime runtime;
  private final QueueAssigner assigner;
  private final OffsetStore offsets;
  private final ConsumeService consume;
  private final QueueLocker locker;
  private final String retryTopic;
  private final AtomicBoolean lockRetryPending = new AtomicBoolean();
  private final Set<ProcessQueue> releasing = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService pullThread;
  private final PushPuller puller;
  private final Map<MessageQueue, ProcessQueue> queues = new ConcurrentHashMap<>();
  private Set<String> heartbeatBrokers = Set.of();
  private volatile boolean closed;

  private PushConsumer(Builder b) {
    this.group = b.consumerGroup;
    this.model = b.messageModel;
    this.consumeFrom = b.consumeFrom;
    this.runtime =
        new ClientRuntime(
            "push-" + group, b.namesrvAddr, b.requestTimeout, b.clock, b.credentials, b.tls);
    long subVersion = b.clock.millis();
    Map<String, Subscription> subs = new LinkedHashMap<>();
    b.subscriptions.forEach((t, sub) -> subs.put(t, sub.withVersion(subVersion)));
    boolean clustering = model == MessageModel.CLUSTERING;
    this.retryTopic = clustering && !b.orderly ? MessageView.RETRY_PREFIX + group : null;
    if (retryTopic != null) {
      subs.put(retryTopic, Subscription.of(retryTopic, "*", subVersion));
    }
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
    ConsumeThreads threads = new ConsumeThreads(b.listener, b.consumeThreads, group);
    RetrySender retries =
        clustering
            ? new RetrySender(runtime, group, b.maxReconsumeTimes, this::afterSendBack)
            : null;
    this.consume =
        b.orderly
            ? new OrderlyConsumeService(
                threads,
                b.consumeBatchSize,
                b.suspendTime.toMillis(),
                b.maxReconsumeTimes,
                retries,
                b.clock)
            : new ConcurrentConsumeService(
                threads, b.consumeBatchSize, b.retryDelay.toMillis(), b.maxReconsumeTimes, retries);
    this.locker = b.orderly && clustering ? new QueueLocker(runtime, group, consume) : null;
    this.pullThread =
        Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("wharf-pull-" + group));
    this.puller =
        new PushPuller(
            runtime,
            group,
            clustering,
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
        RequestCode.RESET_CONSUMER_CLIENT_OFFSET,
        (channel, request) -> {
          resetOffsets(
              String.valueOf(channel.remoteAddress()), request.get("topic"), request.body());
          return null;
        },
        runtime.scheduler);
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
    runtime.refreshRoutesPeriodically(subscriptions.keySet());
    runtime.every(b.heartbeatInterval, b.heartbeatInterval, "heartbeat", () -> heartbeat(true));
    runtime.every(b.rebalanceInterval, b.rebalanceInterval, "rebalance", this::rebalance);
    runtime.every(b.commitInterval, b.commitInterval, "offset commit", () -> commit(false));
    if (locker != null) {
      Duration renew = Duration.ofMillis(QueueLocker.RENEW_INTERVAL_MILLIS);
      runtime.every(renew, renew, "queue lock renewal", () -> locker.renew(queues.values()));
    }
  }

  /** A message went to the retry topic: make sure this member reads it once it has a route. */
  private void afterSendBack() {
    if (retryTopic != null && !runtime.routes.isKnown(retryTopic)) {
      runtime.soon("rebalance", this::rebalance);
    }
  }

  /** The client id brokers know this member by. */
  public String clientId() {
    return runtime.clientId();
  }

  /**
   * The queues of the subscribed topics this member reads now; its share of the group's retry
   * topic, which the consumer subscribes by itself, is not listed.
   */
  public Set<MessageQueue> assignment() {
    Set<MessageQueue> out = new HashSet<>(queues.keySet());
    out.removeIf(mq -> mq.topic().equals(retryTopic));
    return Set.copyOf(out);
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
  /**
   * RESET_CONSUMER_CLIENT_OFFSET (220, from the broker, after it moved the group's committed
   * offsets to a time: "backtrack"): as RocketMQ's client, drops the topic's queues named in the
   * body with what they cached, takes the new offsets and rebalances, which starts those queues
   * again there. Runs on the scheduler thread.
   */
  private void resetOffsets(String broker, String topic, byte[] body) {
    if (topic == null || !subscriptions.containsKey(topic)) {
      log.warn(
          "Offset reset from {} for {} ignored: {} does not subscribe it", broker, topic, group);
      return;
    }
    Map<MessageQueue, Long> table;
    try {
      table = ResetOffsets.parse(body);
    } catch (IllegalArgumentException | ArithmeticException e) {
      log.warn("Offset reset from {} for {} ignored: {}", broker, topic, e.getMessage());
      return;
    }
    List<MessageQueue> moved = new ArrayList<>();
    table.forEach(
        (mq, offset) -> {
          if (!mq.topic().equals(topic)) {
            return;
          }
          ProcessQueue pq = queues.remove(mq);
          if (pq != null) {
            pq.drop();
          }
          offsets.update(mq, offset);
          moved.add(mq);
        });
    offsets.persist(moved, false);
    log.info("{} of {} reset {} by {}", runtime.clientId(), group, table, broker);
    runtime.soon("rebalance", this::rebalance);
  }

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
        if (locker != null) {
          releasing.add(pq);
          release(pq);
          continue;
        }
        offsets.update(pq.queue, pq.commitOffset());
        removed.add(pq.queue);
      }
    }
    if (!removed.isEmpty()) {
      offsets.persist(removed, false);
      removed.forEach(offsets::remove);
      log.info("{} of {} gave up {}", runtime.clientId(), group, removed);
    }
    boolean lockMissing = false;
    for (MessageQueue mq : assigned) {
      if (queues.containsKey(mq)) {
        continue;
      }
      if (locker != null && !locker.lock(mq)) {
        // The previous owner has not let go yet; it unlocks after committing its offset.
        log.debug("{} of {} cannot lock {} yet", runtime.clientId(), group, mq);
        lockMissing = true;
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
      if (locker != null) {
        pq.lockGranted(runtime.clock.millis());
      }
      offsets.update(mq, start);
      queues.put(mq, pq);
      log.info("{} of {} takes {} from offset {}", runtime.clientId(), group, mq, start);
      puller.start(pq);
    }
    if (lockMissing && lockRetryPending.compareAndSet(false, true)) {
      runtime.later(
          LOCK_RETRY_DELAY,
          "rebalance (locks)",
          () -> {
            lockRetryPending.set(false);
            rebalance();
          });
    }
  }

  /**
   * Orderly clustering: gives up a queue once the batch in hand is done, committing its offset
   * before unlocking it, so that the next owner starts exactly after what this member consumed.
   */
  private void release(ProcessQueue pq) {
    boolean idle;
    try {
      idle = pq.consumeLock.tryLock(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (!idle) {
      runtime.later(Duration.ofSeconds(1), "release " + pq.queue, () -> release(pq));
      return;
    }
    try {
      if (!releasing.remove(pq) || queues.containsKey(pq.queue)) {
        return; // released at close, or assigned back to this member meanwhile: keep the lock
      }
      offsets.update(pq.queue, pq.commitOffset());
      offsets.persist(List.of(pq.queue), true);
      offsets.remove(pq.queue);
      locker.unlock(Set.of(pq.queue));
      log.info("{} of {} gave up and unlocked {}", runtime.clientId(), group, pq.queue);
    } finally {
      pq.consumeLock.unlock();
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
    if (locker != null) {
      // Queues given up while their listener was busy: it has finished now.
      Set<MessageQueue> unlock = new HashSet<>(queues.keySet());
      List<MessageQueue> late = new ArrayList<>();
      for (ProcessQueue pq : releasing) {
        if (releasing.remove(pq) && !queues.containsKey(pq.queue)) {
          offsets.update(pq.queue, pq.commitOffset());
          late.add(pq.queue);
        }
      }
      offsets.persist(late, true);
      unlock.addAll(late);
      locker.unlock(unlock);
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
    private Credentials credentials;
    private ClientTls tls;
    private String consumerGroup;
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
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
    private Duration suspendTime = Duration.ofSeconds(1);
    private int maxReconsumeTimes = 16;
    private Duration heartbeatInterval = Duration.ofSeconds(30);
    private Duration rebalanceInterval = Duration.ofSeconds(20);
    private Duration commitInterval = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(3);
    private Path offsetStoreDir;
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

    /** Consumer group. Required. */
    public Builder consumerGroup(String v) {
      consumerGroup = v;
      return this;
    }

    /** Subscribes to {@code topic} with a tag expression: "*" or "TagA || TagB". */
    public Builder subscribe(String topic, String tagExpression) {
      subscriptions.put(topic, Subscription.of(topic, tagExpression, 0));
      return this;
    }

    /**
     * Subscribes to {@code topic} with a SQL92 selector over message properties (the JMS selector
     * grammar), e.g. {@code "region = 'eu' AND amount > 100"}, evaluated by the broker; messages
     * without a property the selector names do not match (three-valued logic).
     */
    public Builder subscribeSql(String topic, String selector) {
      subscriptions.put(topic, Subscription.sql(topic, selector, 0));
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

    /**
     * Delay before a failed message is delivered again locally: when its send-back to the broker
     * failed, or when broadcasting (default 5 s).
     */
    public Builder retryDelay(Duration v) {
      retryDelay = Objects.requireNonNull(v);
      return this;
    }

    /** Orderly: how long a queue pauses on a failed batch before it is retried (default 1 s). */
    public Builder suspendTime(Duration v) {
      suspendTime = Objects.requireNonNull(v);
      return this;
    }

    /**
     * Deliveries after the first before a failing message goes to the dead-letter topic {@code
     * %DLQ%<group>} (default 16, sent to the broker with every send-back; 0 means no retry). Past
     * the broker's last delay level the retry delay stays at that level's.
     */
    public Builder maxReconsumeTimes(int v) {
      maxReconsumeTimes = v;
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
      if (!ConsumerGroupName.isValid(consumerGroup)) {
        problems.add(ConsumerGroupName.RULE);
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
      if (maxReconsumeTimes < 0) {
        problems.add("maxReconsumeTimes must be >= 0");
      }
      for (Duration d :
          List.of(retryDelay, suspendTime, rebalanceInterval, heartbeatInterval, commitInterval)) {
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
