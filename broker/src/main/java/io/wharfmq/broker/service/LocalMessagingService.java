package io.wharfmq.broker.service;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.client.DoorConsumers;
import io.wharfmq.broker.exchange.ExchangeRouter;
import io.wharfmq.broker.exchange.TopologyRegistry;
import io.wharfmq.broker.longpoll.PullRequestHoldService;
import io.wharfmq.broker.pop.DeadLetterRoute;
import io.wharfmq.broker.pop.PopHoldService;
import io.wharfmq.broker.pop.PopService;
import io.wharfmq.broker.queue.DeadLettering;
import io.wharfmq.broker.queue.QueueArguments;
import io.wharfmq.broker.queue.QueueDirectory;
import io.wharfmq.broker.queue.QueueRef;
import io.wharfmq.broker.queue.TopologyQueueDirectory;
import io.wharfmq.broker.schedule.ParkedTargets;
import io.wharfmq.broker.topic.SystemTopics;
import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.broker.transaction.TransactionService;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.service.AckStatus;
import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.ChangeResult;
import io.wharfmq.service.ContainerClaims;
import io.wharfmq.service.Declared;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.EndTransactionCommand;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.PeekCommand;
import io.wharfmq.service.PeekResult;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.PopResult;
import io.wharfmq.service.PullCommand;
import io.wharfmq.service.PullResult;
import io.wharfmq.service.QueueInfo;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Receipt;
import io.wharfmq.service.Result;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.service.Subscription;
import io.wharfmq.service.TopicInfo;
import io.wharfmq.service.message.TypedProperties;
import io.wharfmq.store.MessageFilter;
import io.wharfmq.store.format.MessageSysFlag;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's {@link MessagingService} in its own process (local mode): every door (RocketMQ
 * remoting processors, the AMQP adapter, admin paths) reaches topics, groups, sends, pops, pulls,
 * offsets and transactions through it. It composes the broker's components; it keeps no state of
 * its own besides non-durable groups ({@link GroupRegistry}) and the container-ids its doors'
 * connections hold ({@link ContainerClaims}). docs/architecture.md. Thread-safe.
 */
public final class LocalMessagingService implements MessagingService {
  private static final Logger log = LoggerFactory.getLogger(LocalMessagingService.class);

  /** Longest a subscription starting at the tail waits for dispatch to reach the commit log end. */
  static final java.time.Duration TAIL_WAIT = java.time.Duration.ofSeconds(5);

  /** Longest a browse's first look waits for dispatch to reach the commit log end. */
  static final java.time.Duration BROWSE_WAIT = java.time.Duration.ofSeconds(1);

  private static final long DELETE_TIMEOUT_SECONDS = 30;

  private final BrokerContext ctx;
  private final GroupRegistry groups;
  private final SendPipeline sends;
  private final QueueRules queueRules;
  private final SendBack sendBacks;
  private final PopOperations popOps;
  private final PullReader pulls;
  private final PopService pops;
  private final TransactionService transactions;
  private final ServiceTransactions serviceTransactions;
  private final Executor admin;
  private final TopologyOperations topology;
  private final ContainerClaims containerClaims = new ContainerClaims();

  /**
   * @param executor runs pops and pulls woken from their hold and the commits of transactions (must
   *     not be an I/O thread)
   * @param admin runs {@link #administer} work and a first peek's wait for dispatch: the blocking
   *     topic, group and subscription calls of callers that must not block (a few named threads,
   *     shut down with the broker)
   */
  public LocalMessagingService(
      BrokerContext ctx,
      PopService pops,
      PopHoldService popHolds,
      PullRequestHoldService pullHolds,
      TransactionService transactions,
      Executor executor,
      Executor admin,
      TopologyRegistry topology) {
    this.ctx = ctx;
    this.admin = admin;
    this.groups = new GroupRegistry(ctx.subscriptionGroups());
    ctx.offsets().keepInMemory(groups::isTransient);
    this.topology = new TopologyOperations(ctx, this, groups, pops, topology);
    this.sends =
        new SendPipeline(ctx, groups, new RoutedSends(ctx, topology, this.topology::queueExists));
    DeadLettering deadLettering =
        new DeadLettering(c -> sends.send(c, null), ctx.clock(), ctx.storeHost());
    TopologyOperations ops = this.topology;
    deadLettering.targets(
        (routing, props) -> {
          Map<String, Object> headers;
          try {
            headers = TypedProperties.read(props);
          } catch (IllegalArgumentException damaged) {
            headers = Map.of();
          }
          Map<String, Object> h = headers;
          ExchangeRouter.Route r =
              ExchangeRouter.route(
                  topology.current(),
                  routing.vhost(),
                  routing.exchange(),
                  routing.routingKeys(),
                  () -> h,
                  q -> ops.queueExists(routing.vhost(), q));
          return r.status() == Status.OK ? r.queues() : List.of();
        });
    this.queueRules = new QueueRules(ctx, pops, deadLettering, executor);
    sends.enforce(queueRules);
    queueRules.directory(new TopologyQueueDirectory(topology));
    this.sendBacks = new SendBack(ctx, groups);
    this.popOps = new PopOperations(ctx, groups, pops, popHolds, executor, queueRules);
    this.pulls = new PullReader(ctx, groups, pullHolds, executor);
    this.pops = pops;
    this.transactions = transactions;
    this.serviceTransactions = new ServiceTransactions(sends, transactions, executor);
  }

  /** Messages published to exchanges that reached no queue since the start (not stored). */
  public long unroutableCount() {
    return ctx.stats().unroutableTotal();
  }

  /**
   * RabbitMQ's topology (exchanges, queues with their arguments, bindings, vhosts): what other
   * broker code reads, e.g. a queue's arguments.
   */
  public TopologyRegistry topology() {
    return topology.registry();
  }

  /**
   * Deliveries after which a message of {@code group} goes to its DLQ, less one: what the pop
   * service asks (non-durable groups included).
   */
  public int maxReconsumeTimes(String group) {
    return groups.maxReconsumeTimes(group);
  }

  /**
   * Where queue arguments (TTL, dead-letter exchange, length limits) are looked up: the topology
   * registry. Until it is set no queue has arguments.
   */
  public void queueDirectory(QueueDirectory directory) {
    queueRules.directory(directory);
  }

  /** Takes the dead letters of declared queues with a dead-letter exchange (the pop service's). */
  public DeadLetterRoute deadLetterRoute() {
    return queueRules;
  }

  /**
   * One round of the queues' housekeeping (the broker runs it every few hundred ms): queues over
   * their drop-head length limit lose their head.
   */
  public void enforceQueueArguments() {
    for (QueueRef q : queueRules.directory().withArguments()) {
      QueueArguments a = q.arguments();
      if (a.expires() >= 0
          && !popOps.hasWaiting(q.group())
          && queueRules.unusedFor(q) >= a.expires()) {
        log.info(
            "Queue {} in vhost {} unused for {} ms (x-expires): deleted",
            q.name(),
            q.vhost(),
            a.expires());
        Result<Long> r = deleteQueue(q.vhost(), q.name(), false, false);
        if (r.isOk()) {
          continue;
        }
        log.warn(
            "Queue {} in vhost {} expired but not deleted: {} {}",
            q.name(),
            q.vhost(),
            r.status(),
            r.detail());
      }
      if (a.messageTtl() >= 0 || a.hasDeadLetterExchange()) {
        queueRules.sweepExpired(q);
      }
      if (a.isLimited() && !a.rejectPublish()) {
        queueRules.dropHead(q);
      }
    }
  }

  /** Whether the group exists now, durable or not (the pop service's replay filter). */
  public boolean groupExists(String group) {
    return groups.exists(group);
  }

  // ------------------------------------------------------------------ threading

  @Override
  public ContainerClaims containerClaims() {
    return containerClaims;
  }

  @Override
  public <T> CompletableFuture<T> administer(Supplier<T> work) {
    try {
      return CompletableFuture.supplyAsync(work, admin);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e); // shutting down, or the queue is full
    }
  }

  // ------------------------------------------------------------------ topics and groups

  @Override
  public TopicInfo topic(String topic) {
    TopicConfig c = topic == null ? null : ctx.topics().get(topic);
    return c == null ? null : info(c);
  }

  private TopicInfo info(TopicConfig c) {
    return new TopicInfo(
        c.topicName(),
        c.readQueueNums(),
        c.writeQueueNums(),
        c.isReadable(),
        c.isWritable(),
        ctx.topics().isSystemTopic(c.topicName()));
  }

  /** The filter of parked fan-outs' targets (docs/rabbitmq.md, "Routing"). */
  public ParkedTargets parkedTargets() {
    return parked ->
        RoutedSends.stillReachable(
            parked,
            topic ->
                ctx.topics().get(topic) != null
                    && groups.exists(DestinationNames.queueGroup(topic)));
  }

  /**
   * Completes the topology after a restart (TopologyOperations#reconcile): called once by the
   * broker when the store and pop state are loaded.
   */
  public void reconcileTopology() throws IOException {
    topology.reconcile();
  }

  @Override
  public Result<TopicInfo> ensureTopic(String topic) {
    String problem = TopicConfigManager.checkName(topic);
    if (problem != null) {
      return Result.fail(Status.ILLEGAL, problem);
    }
    TopicConfig existing = ctx.topics().get(topic);
    if (existing != null) {
      return Result.ok(info(existing));
    }
    if (SystemTopics.isNotAllowedSendTopic(topic) || ctx.topics().isSystemTopic(topic)) {
      return Result.fail(Status.FORBIDDEN, "topic " + topic + " is reserved for the broker");
    }
    try {
      TopicConfig c =
          ctx.topics()
              .createIfAbsent(
                  topic,
                  ctx.config().defaultTopicQueueNums(),
                  TopicConfig.PERM_READ | TopicConfig.PERM_WRITE);
      log.info("Topic {} created with {} queues", topic, c.writeQueueNums());
      ctx.topicsChanged().run();
      return Result.ok(info(c));
    } catch (IOException e) {
      log.error("Cannot create topic {}", topic, e);
      return Result.fail(Status.ERROR, "cannot create topic " + topic + ": " + e.getMessage());
    }
  }

  @Override
  public Result<Void> deleteTopic(String topic) {
    if (topic == null || topic.isBlank()) {
      return Result.fail(Status.ILLEGAL, "The specified topic is blank.");
    }
    if (ctx.topics().isSystemTopic(topic)) {
      return Result.fail(
          Status.FORBIDDEN, "The topic[" + topic + "] is conflict with system topic.");
    }
    try {
      boolean existed = ctx.topics().delete(topic);
      ctx.offsets().removeTopic(topic);
      pops.forget((g, t) -> t.equals(topic));
      ctx.topicsChanged().run();
      // A publish routed to this topic before its config went may still be on its way to the
      // log: its dispatch would make the consume queues again after they are deleted.
      if (!sends.awaitRoutedSends(java.time.Duration.ofSeconds(DELETE_TIMEOUT_SECONDS))) {
        log.warn("Topic {}: publishes routed to it still in flight; deleting anyway", topic);
      }
      int queues =
          ctx.store()
              .deleteTopicQueues(topic::equals)
              .get(DELETE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      log.info("Topic {} deleted with its offsets and {} consume queues", topic, queues);
      return existed ? Result.ok(null) : Result.fail(Status.NOT_FOUND, "no topic " + topic);
    } catch (IOException | ExecutionException | TimeoutException e) {
      log.error("Cannot delete topic {}", topic, e);
      return Result.fail(Status.ERROR, "delete topic " + topic + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.fail(Status.ERROR, "delete topic " + topic + " interrupted");
    }
  }

  /**
   * Creates or replaces a topic with every RocketMQ setting (admin tools) and registers it with the
   * name servers before returning, so the caller's next route lookup finds it.
   */
  public Result<TopicInfo> putTopic(TopicConfig config) {
    if (ctx.topics().isSystemTopic(config.topicName())) {
      return Result.fail(
          Status.FORBIDDEN, "The topic[" + config.topicName() + "] is conflict with system topic.");
    }
    try {
      if (!config.equals(ctx.topics().get(config.topicName()))) {
        // As RocketMQ: nothing changed, nothing to write or register.
        ctx.topics().put(config);
        ctx.registerNow().run();
      }
      return Result.ok(info(config));
    } catch (IOException e) {
      log.error("Cannot store topic {}", config.topicName(), e);
      return Result.fail(Status.ERROR, "cannot store topic: " + e.getMessage());
    }
  }

  /** Creates or replaces a durable group with every RocketMQ setting (admin tools). */
  public Result<Void> putGroup(SubscriptionGroupConfig config) {
    if (groups.isTransient(config.groupName())) {
      return Result.fail(
          Status.ILLEGAL, "a non-durable group named " + config.groupName() + " exists");
    }
    try {
      String problem = ctx.subscriptionGroups().put(config);
      return problem == null ? Result.ok(null) : Result.fail(Status.ILLEGAL, problem);
    } catch (IOException e) {
      log.error("Cannot store group {}", config.groupName(), e);
      return Result.fail(Status.ERROR, "cannot store group: " + e.getMessage());
    }
  }

  /**
   * RocketMQ's group deletion: the group's settings go; its offsets and in-flight state go only
   * with {@code cleanOffsets} (without, a group re-created later goes on where it was).
   */
  public Result<Void> deleteGroup(String group, boolean cleanOffsets) {
    if (cleanOffsets) {
      return deleteGroup(group);
    }
    try {
      return groups.delete(group)
          ? Result.ok(null)
          : Result.fail(Status.NOT_FOUND, "no group " + group);
    } catch (IOException e) {
      log.error("Cannot delete group {}", group, e);
      return Result.fail(Status.ERROR, "cannot delete group: " + e.getMessage());
    }
  }

  @Override
  public Result<Void> ensureGroup(GroupSettings settings) {
    try {
      Result<Void> r = groups.ensure(settings);
      if (!r.isOk()) {
        log.warn("Group {} refused: {}", settings.name(), r.detail());
      }
      return r;
    } catch (IOException e) {
      log.error("Cannot store group {}", settings.name(), e);
      return Result.fail(Status.ERROR, "cannot store group: " + e.getMessage());
    }
  }

  @Override
  public Result<Integer> returnDeliveriesFromBeforeStart(String group) {
    int n = pops.returnFromBeforeStart(group);
    if (n > 0) {
      log.info("Group {}: {} deliveries unsettled before the restart are visible again", group, n);
    }
    return Result.ok(n);
  }

  @Override
  public Result<Void> deleteGroup(String group) {
    try {
      boolean existed = groups.delete(group);
      ctx.offsets().removeGroup(group);
      int queues = pops.forget((g, t) -> g.equals(group));
      popOps.groupDeleted(group);
      log.info("Group {} deleted (existed: {}, pop state of {} queues)", group, existed, queues);
      return existed ? Result.ok(null) : Result.fail(Status.NOT_FOUND, "no group " + group);
    } catch (IOException e) {
      log.error("Cannot delete group {}", group, e);
      return Result.fail(Status.ERROR, "cannot delete group: " + e.getMessage());
    }
  }

  @Override
  public GroupSettings group(String group) {
    return groups.settings(group);
  }

  @Override
  public Result<Void> subscribe(Subscription s) {
    TopicConfig topic = ctx.topics().get(s.topic());
    if (topic == null) {
      return Result.fail(Status.NOT_FOUND, "topic[" + s.topic() + "] not exist");
    }
    var filter = ReadFilters.filter(s.type(), s.expression());
    if (!filter.isOk()) {
      return Result.fail(filter.status(), filter.detail());
    }
    try {
      Subscription old = groups.subscription(s.group(), s.topic());
      if (old != null && (old.type() != s.type() || !old.expression().equals(s.expression()))) {
        // Another filter is another subscription (JMS: a changed selector unsubscribes): what the
        // old one had not consumed is not the new one's.
        groups.unsubscribe(s.group(), s.topic());
        ctx.offsets().remove(s.group(), s.topic());
        pops.forget((g, t) -> g.equals(s.group()) && t.equals(s.topic()));
      }
      Result<Boolean> r = groups.subscribe(s);
      if (!r.isOk()) {
        return Result.fail(r.status(), r.detail());
      }
      GroupSettings settings = groups.settings(s.group());
      boolean atTail = s.startAtTail() || (settings != null && settings.startAtTail());
      if (r.value() && atTail) {
        // The tail is what every acknowledged send implies: the consume queues are filled behind
        // the commit log, so wait (bounded) until they caught up with its current end.
        if (!ctx.store().awaitDispatched(TAIL_WAIT)) {
          log.warn(
              "Subscription of {} to {} starts at the consume queues' end: dispatch did not catch"
                  + " up with the commit log within {}",
              s.group(),
              s.topic(),
              TAIL_WAIT);
        }
        for (int q = 0; q < topic.readQueueNums(); q++) {
          ctx.offsets().commit(s.group(), s.topic(), q, ctx.store().maxOffset(s.topic(), q));
        }
      }
      return Result.ok(null);
    } catch (IOException e) {
      log.error("Cannot store subscription of {} to {}", s.group(), s.topic(), e);
      return Result.fail(Status.ERROR, "cannot store subscription: " + e.getMessage());
    }
  }

  @Override
  public Result<Void> unsubscribe(String group, String topic) {
    try {
      boolean existed = groups.unsubscribe(group, topic);
      ctx.offsets().remove(group, topic);
      pops.forget((g, t) -> g.equals(group) && t.equals(topic));
      return existed
          ? Result.ok(null)
          : Result.fail(Status.NOT_FOUND, "group " + group + " has no subscription to " + topic);
    } catch (IOException e) {
      log.error("Cannot remove subscription of {} to {}", group, topic, e);
      return Result.fail(Status.ERROR, "cannot remove subscription: " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------ sending

  @Override
  public CompletableFuture<SendResult> send(SendCommand command) {
    return sends.send(command, null);
  }

  /**
   * A send from a RocketMQ producer: a missing topic is created, when {@code command.autoCreate()},
   * from the producer's default topic as RocketMQ does (its permissions, at most its queues).
   */
  public CompletableFuture<SendResult> send(
      SendCommand command, String defaultTopic, int defaultTopicQueueNums) {
    return sends.send(command, new SendPipeline.TopicTemplate(defaultTopic, defaultTopicQueueNums));
  }

  /**
   * RocketMQ's consumer send-back: the message stored at {@code commitLogOffset} failed for {@code
   * group}; it comes back later through the group's retry topic, or goes to its DLQ once it was
   * delivered {@code maxReconsumeTimes} times (-1: the group's setting) or when {@code delayLevel}
   * is negative. {@code originMessageId} (may be null) is recorded as ORIGIN_MESSAGE_ID; {@code
   * originTopic} (may be null) is the topic the consumer got it from, the retry topic for a message
   * dispatched to a queue.
   */
  public CompletableFuture<Result<Void>> sendBack(
      String group,
      long commitLogOffset,
      int delayLevel,
      int maxReconsumeTimes,
      String originMessageId,
      String originTopic) {
    try {
      return sendBacks.sendBack(
          group, commitLogOffset, delayLevel, maxReconsumeTimes, originMessageId, originTopic);
    } catch (IOException e) {
      log.error("Send-back for group {} failed", group, e);
      return CompletableFuture.completedFuture(
          Result.fail(Status.ERROR, "send-back failed: " + e.getMessage()));
    }
  }

  @Override
  public CompletableFuture<Result<Void>> endTransaction(EndTransactionCommand c) {
    int type =
        c.commit()
            ? MessageSysFlag.TRANSACTION_COMMIT_TYPE
            : MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
    String outcome =
        transactions.end(c.producerGroup(), c.commitLogOffset(), c.queueOffset(), type);
    log.debug("End of transaction {} (check: {}): {}", c.transactionId(), c.fromCheck(), outcome);
    Result<Void> r;
    if (outcome.equals("no such half message")) {
      r = Result.fail(Status.NOT_FOUND, outcome);
    } else if (outcome.startsWith("commit failed")) {
      r = Result.fail(Status.ERROR, outcome);
    } else {
      r = new Result<>(Status.OK, outcome, null);
    }
    return CompletableFuture.completedFuture(r);
  }

  // ------------------------------------------------------------------ transactions of many sends

  @Override
  public String beginTransaction() {
    return serviceTransactions.begin();
  }

  @Override
  public CompletableFuture<SendResult> sendInTransaction(String transactionId, SendCommand c) {
    return serviceTransactions.send(transactionId, c);
  }

  @Override
  public CompletableFuture<Result<Void>> commitTransaction(String transactionId) {
    return serviceTransactions.commit(transactionId);
  }

  @Override
  public CompletableFuture<Result<Void>> rollbackTransaction(String transactionId) {
    return serviceTransactions.rollback(transactionId);
  }

  // ------------------------------------------------------------------ consuming: POP

  @Override
  public CompletableFuture<PopResult> pop(PopCommand command) {
    return popOps.pop(command, null);
  }

  /** A pop with a filter the caller parsed (the RocketMQ pop processor). */
  public CompletableFuture<PopResult> pop(PopCommand command, MessageFilter filter) {
    return popOps.pop(command, filter);
  }

  @Override
  public CompletableFuture<AckStatus> ack(Receipt receipt) {
    return popOps.ack(receipt);
  }

  @Override
  public CompletableFuture<List<AckStatus>> ackAll(List<Receipt> receipts) {
    return popOps.ackAll(receipts);
  }

  @Override
  public CompletableFuture<ChangeResult> changeInvisibility(Receipt receipt, long invisibleMillis) {
    return popOps.changeInvisibility(receipt, invisibleMillis);
  }

  @Override
  public CompletableFuture<AckStatus> release(Receipt receipt, boolean countDelivery) {
    return popOps.release(receipt, countDelivery);
  }

  @Override
  public CompletableFuture<AckStatus> deadLetter(Receipt receipt, String reason) {
    return popOps.deadLetter(receipt, reason);
  }

  @Override
  public CompletableFuture<PeekResult> peek(PeekCommand command) {
    if (command.after() != null) {
      return popOps.peek(command);
    }
    // As for a subscription at the tail: a browser opened after an acknowledged send must see it,
    // and the consume queues are filled behind the commit log. Usually no wait at all; when there
    // is one it happens on the admin threads, not the caller's.
    return administer(
            () -> {
              if (!ctx.store().awaitDispatched(BROWSE_WAIT)) {
                log.warn(
                    "Browse of {} starts before dispatch caught up within {}",
                    command.topic(),
                    BROWSE_WAIT);
              }
              return command;
            })
        .thenCompose(popOps::peek);
  }

  // ------------------------------------------------------------------ consuming: offsets

  @Override
  public CompletableFuture<PullResult> pull(PullCommand command) {
    return pulls.pull(command);
  }

  /**
   * One read of a queue with a filter the caller parsed and no waiting, for the RocketMQ pull
   * processor (which checks group and topic with RocketMQ's answers and holds pulls itself, to
   * answer woken pulls on the connection's I/O thread). The records are views into the store.
   */
  public PullResult read(PullCommand command, MessageFilter filter, int maxBytes) {
    return pulls.read(command, filter, maxBytes);
  }

  @Override
  public long committedOffset(String group, String topic, int queueId) {
    return ctx.offsets().query(group, topic, queueId);
  }

  @Override
  public void commitOffset(String group, String topic, int queueId, long offset) {
    ctx.offsets().commit(group, topic, queueId, offset);
  }

  @Override
  public long maxOffset(String topic, int queueId) {
    return ctx.store().maxOffset(topic, queueId);
  }

  @Override
  public long minOffset(String topic, int queueId) {
    return ctx.store().minOffset(topic, queueId);
  }

  @Override
  public Runnable consumerAttached(String group, String consumerId, String address) {
    return ctx.clients()
        .doors()
        .attach(group, new DoorConsumers.DoorConsumer(consumerId, address, ctx.clock().millis()));
  }

  @Override
  public long offsetAt(String topic, int queueId, long timestampMillis) {
    return ctx.store().offsetForTimestamp(topic, queueId, timestampMillis);
  }

  @Override
  public long readyBacklog(String group, String topic) {
    TopicConfig c = ctx.topics().get(topic);
    return c == null ? -1 : pops.readyBacklog(group, topic, c.readQueueNums());
  }

  @Override
  public List<String> topicsOf(String group) {
    TreeSet<String> topics = new TreeSet<>(ctx.offsets().topicsOf(group));
    topics.addAll(groups.subscribedTopics(group));
    return new ArrayList<>(topics);
  }

  // ------------------------------------------------------------------ RabbitMQ's model

  @Override
  public Result<Declared<ExchangeSpec>> declareExchange(ExchangeSpec spec) {
    return topology.declareExchange(spec);
  }

  @Override
  public Result<ExchangeSpec> exchange(String vhost, String name) {
    return topology.exchange(vhost, name);
  }

  @Override
  public Result<Void> deleteExchange(String vhost, String name, boolean ifUnused) {
    return topology.deleteExchange(vhost, name, ifUnused);
  }

  @Override
  public Result<Declared<QueueInfo>> declareQueue(QueueSpec spec) {
    Result<QueueArguments> args = QueueArguments.parse(spec.arguments());
    if (!args.isOk()) {
      log.info("Queue '{}' refused: {}", spec.name(), args.detail());
      return Result.fail(args.status(), args.detail());
    }
    Result<Declared<QueueInfo>> r = topology.declareQueue(spec);
    if (r.isOk()) {
      queueRules.used(r.value().value().topic()); // x-expires counts from the last declare
    }
    return r;
  }

  @Override
  public Result<QueueInfo> queue(String vhost, String name) {
    Result<QueueInfo> r = topology.queue(vhost, name);
    if (r.isOk()) {
      queueRules.used(r.value().topic());
    }
    return r;
  }

  @Override
  public Result<Long> deleteQueue(String vhost, String name, boolean ifUnused, boolean ifEmpty) {
    Result<Long> r = topology.deleteQueue(vhost, name, ifUnused, ifEmpty);
    queueRules.forgetDeleted();
    return r;
  }

  @Override
  public Result<Long> purgeQueue(String vhost, String name) {
    return topology.purgeQueue(vhost, name);
  }

  @Override
  public Result<Void> bind(BindingSpec binding) {
    return topology.bind(binding);
  }

  @Override
  public Result<Void> unbind(BindingSpec binding) {
    return topology.unbind(binding);
  }

  @Override
  public Result<List<BindingSpec>> bindings(
      String vhost, String source, String destination, boolean destinationIsQueue, String key) {
    return topology.bindings(vhost, source, destination, destinationIsQueue, key);
  }

  @Override
  public Result<Void> createVhost(String name) {
    return topology.createVhost(name);
  }

  @Override
  public Result<Void> deleteVhost(String name) {
    Result<Void> r = topology.deleteVhost(name);
    queueRules.forgetDeleted();
    return r;
  }

  @Override
  public List<String> vhosts() {
    return topology.vhosts();
  }
}
