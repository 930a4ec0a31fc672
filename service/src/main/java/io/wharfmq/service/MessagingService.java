package io.wharfmq.service;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Wharf's messaging semantics, independent of any wire protocol: what the RocketMQ remoting
 * processors, the AMQP adapter and the admin paths call. The broker implements it in its own
 * process (local mode); a gateway can implement it over the native client in front of a cluster
 * (cluster mode), as RocketMQ 5's proxy does with its {@code MessagingProcessor}.
 *
 * <p>Expected conditions (topic missing, store busy, disk full, handle stale) are statuses in the
 * results, never exceptions. A future completes exceptionally only on a bug or an I/O failure the
 * service could not classify. Implementations are thread-safe; futures may complete on any thread.
 *
 * <p>The topic, group and subscription methods are synchronous and may block: they write state
 * files with fsync, a subscription at the tail waits for dispatch, a deletion waits for the store.
 * Callers whose thread serves other connections (the AMQP adapter's event loops) run them through
 * {@link #administer}; the RocketMQ remoting processors call them directly on their own pools.
 */
public interface MessagingService {

  // ------------------------------------------------------------------ threading

  /**
   * Runs {@code work}, a sequence of calls to this service's blocking methods (topics, groups,
   * subscriptions), on a thread of the service's own and completes with its result, or
   * exceptionally with what it threw (also when the service is shutting down and takes no more
   * work). The caller's thread returns at once. Work items may run concurrently with each other; a
   * caller that needs them in order chains them. The default runs {@code work} on the calling
   * thread, for a service whose administrative calls do not block.
   */
  default <T> CompletableFuture<T> administer(Supplier<T> work) {
    try {
      return CompletableFuture.completedFuture(work.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // ------------------------------------------------------------------ topics and groups

  /** The topic, or null when it does not exist. */
  TopicInfo topic(String topic);

  /**
   * Creates the topic when it does not exist (with the broker's default queue count) and returns
   * it; an existing topic is returned unchanged. Refused (status) for an illegal or reserved name.
   */
  Result<TopicInfo> ensureTopic(String topic);

  /** Deletes the topic, its queues and its offsets. */
  Result<Void> deleteTopic(String topic);

  /**
   * Creates or updates a consumer group with these settings. A new group starts at the tail of
   * every topic it later subscribes to when {@code startAtTail} is set (a queue or subscription
   * created now never receives what was sent before it existed), at the head otherwise.
   */
  Result<Void> ensureGroup(GroupSettings settings);

  /** Deletes the group, its subscriptions, its offsets and its in-flight state. */
  Result<Void> deleteGroup(String group);

  /**
   * Makes visible now every delivery of {@code group} that was popped before this service started
   * and is still unsettled, each at most once. For callers that keep receipts in their own memory
   * (AMQP links): after a restart nobody can settle those deliveries, so they need not wait out
   * their invisibility time. Returns how many. A service that keeps no in-flight state across
   * restarts has none.
   */
  default Result<Integer> returnDeliveriesFromBeforeStart(String group) {
    return Result.ok(0);
  }

  /** The group's settings, or null when it does not exist. */
  GroupSettings group(String group);

  /**
   * Subscribes the group to the topic with a filter. For a new subscription with {@code
   * startAtTail} the group's offsets are set to the end of every queue of the topic, so only later
   * messages reach it. A subscription whose filter (type or expression) differs from the stored one
   * replaces it: it is new, and nothing of the old one (offsets, messages taken but not finished)
   * carries over. Durable: survives restarts.
   */
  Result<Void> subscribe(Subscription subscription);

  /** Removes the group's subscription to the topic (its offsets go with it). */
  Result<Void> unsubscribe(String group, String topic);

  // ------------------------------------------------------------------ sending

  /**
   * Stores one message or a batch on one topic: resolves (or, when allowed, creates) the topic,
   * diverts delayed and timer messages to the timer wheel, retry messages past their limit to the
   * group's DLQ and transactional (half) messages to the half topic, and completes once the store
   * acknowledged (page cache for ASYNC flush, fsync for SYNC).
   */
  CompletableFuture<SendResult> send(SendCommand command);

  /** Commits or rolls back a transactional (half) message stored earlier. */
  CompletableFuture<Result<Void>> endTransaction(EndTransactionCommand command);

  // ------------------------------------------------------------------ transactions of many sends

  /**
   * Opens a transaction that groups many sends (an AMQP coordinator's declare): they are stored as
   * they come, stay invisible, and become visible all together at {@link #commitTransaction} or
   * never. Returns the transaction's id, unique for this service. The transaction lives until it is
   * committed or rolled back; one the service does not know after a restart is rolled back by the
   * service itself (docs/amqp.md, "Transactions").
   */
  String beginTransaction();

  /**
   * Stores one message ({@code command.batch()} false) inside the open transaction: durable but
   * invisible until the commit. A status other than OK means the message is not part of the
   * transaction (NOT_FOUND: the transaction is not open).
   */
  CompletableFuture<SendResult> sendInTransaction(String transactionId, SendCommand command);

  /**
   * Makes every message stored in the transaction visible, all or none, and ends it. OK: all of
   * them are committed (visible at once, or after a crash once the service has recovered); any
   * other status: none is, and the transaction is rolled back. Sends of the transaction still being
   * stored must have completed before the call.
   */
  CompletableFuture<Result<Void>> commitTransaction(String transactionId);

  /** Discards every message stored in the transaction and ends it. */
  CompletableFuture<Result<Void>> rollbackTransaction(String transactionId);

  // ------------------------------------------------------------------ consuming: POP

  /**
   * Takes up to {@code max} messages for the group from the topic's queues: each is delivered to
   * one caller and stays invisible until acknowledged or until its invisibility time ends. When
   * nothing is there and {@code pollMillis > 0} the call waits up to that long for a message.
   * Cancelling the future ends a waiting pop; what it takes meanwhile is given back. Deleting the
   * group answers its waiting pops at once with NOT_FOUND.
   */
  CompletableFuture<PopResult> pop(PopCommand command);

  /** Acknowledges a popped message: it is done for the group. */
  CompletableFuture<AckStatus> ack(Receipt receipt);

  /**
   * Acknowledges several popped messages, each as {@link #ack(Receipt)} would; the answer has one
   * status per receipt, in order. A service may record the acknowledgements of one queue together
   * (the local one writes one pop-log record per queue instead of one per message), which is why
   * callers that settle many deliveries at once (an AMQP consumer's dispositions of one read)
   * should prefer it.
   */
  default CompletableFuture<List<AckStatus>> ackAll(List<Receipt> receipts) {
    List<CompletableFuture<AckStatus>> each = new java.util.ArrayList<>(receipts.size());
    for (Receipt r : receipts) {
      each.add(ack(r));
    }
    return CompletableFuture.allOf(each.toArray(new CompletableFuture<?>[0]))
        .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
  }

  /**
   * Keeps a popped message invisible for {@code invisibleMillis} more from now (0: visible again at
   * once). The answer carries the receipt that identifies the delivery from then on.
   */
  CompletableFuture<ChangeResult> changeInvisibility(Receipt receipt, long invisibleMillis);

  /**
   * Returns a popped message to its queue at once. With {@code countDelivery} false the next
   * delivery has the same delivery count as this one (AMQP released); with true it counts as a
   * failed delivery (AMQP modified with delivery-failed, a RocketMQ consumer's retry).
   */
  CompletableFuture<AckStatus> release(Receipt receipt, boolean countDelivery);

  /**
   * Sends a popped message to the group's dead-letter destination at once and acknowledges it (AMQP
   * rejected or modified with undeliverable-here). {@code reason} is stored with it.
   */
  CompletableFuture<AckStatus> deadLetter(Receipt receipt, String reason);

  /**
   * Reads up to {@code max} messages the group has not finished, without taking them (a queue
   * browser). {@code after} is the position returned by the previous peek, or null to start. Does
   * not block the caller (a first peek's wait for dispatch runs on the service's threads).
   */
  CompletableFuture<PeekResult> peek(PeekCommand command);

  // ------------------------------------------------------------------ consuming: offsets

  /**
   * Reads messages from one queue from an offset (RocketMQ pull), filtered. When nothing is there
   * and {@code pollMillis > 0} the call waits up to that long.
   */
  CompletableFuture<PullResult> pull(PullCommand command);

  /** The group's committed offset in one queue, or -1 when it has none. */
  long committedOffset(String group, String topic, int queueId);

  /** Commits the group's offset in one queue. */
  void commitOffset(String group, String topic, int queueId, long offset);

  /** The offset the next message of the queue will get (one past the last). */
  long maxOffset(String topic, int queueId);

  /** The first offset still stored in the queue. */
  long minOffset(String topic, int queueId);

  /** The queue offset of the first message stored at or after {@code timestampMillis}. */
  long offsetAt(String topic, int queueId, long timestampMillis);

  /** The topics the group has offsets or subscriptions in. */
  List<String> topicsOf(String group);

  /**
   * Messages of {@code topic} stored and not yet handed to a consumer of {@code group} (POP: past
   * where the group's scan is, summed over the topic's queues), or -1 when the service does not
   * know. A figure from memory that may lag a moment behind; it never blocks, so a connection's
   * thread may ask it (AMQP producer flow control, docs/amqp.md).
   */
  default long readyBacklog(String group, String topic) {
    return -1;
  }

  // ------------------------------------------------------------------ consumers of other doors

  /**
   * Tells the service that a consumer of another door (an AMQP receiver link) now reads {@code
   * group}, so admin tools list and count it with the group's RocketMQ clients (docs/admin.md). It
   * takes no part in RocketMQ rebalancing. Does not block: event loops call it directly. Returns
   * what ends the registration; run it once when the consumer goes. The default keeps nothing.
   *
   * @param consumerId what admin tools show as its client id
   * @param address the peer's address
   */
  default Runnable consumerAttached(String group, String consumerId, String address) {
    return () -> {};
  }

  /**
   * The container-ids (JMS ClientIDs) every door of this service claims in, so that one ID is held
   * by one connection across protocols; null when the service keeps none (each door then keeps its
   * own). Thread-safe; never blocks.
   */
  default ContainerClaims containerClaims() {
    return null;
  }

  // ------------------------------------------------------------------ RabbitMQ's model (issue 13)
  // Exchanges, queues with arguments, bindings and vhosts (docs/rabbitmq.md). Durable topology is
  // kept with the broker's other metadata. The defaults answer UNAVAILABLE: a service without an
  // exchange model. Like the topic and group methods these may block (callers on event loops use
  // administer).

  /**
   * Creates the exchange, or answers {@code created=false} when an equivalent one exists. CONFLICT
   * when one exists with other settings; FORBIDDEN for the default exchange and names starting
   * {@code amq.}; NOT_FOUND for an unknown vhost; ILLEGAL for a bad name or argument.
   */
  default Result<Declared<ExchangeSpec>> declareExchange(ExchangeSpec spec) {
    return Result.fail(Status.UNAVAILABLE, "this service has no exchange model");
  }

  /** The exchange (the pre-declared {@code amq.*} ones included), or NOT_FOUND. */
  default Result<ExchangeSpec> exchange(String vhost, String name) {
    return Result.fail(Status.UNAVAILABLE, "this service has no exchange model");
  }

  /**
   * Deletes the exchange and every binding from or to it (OK when absent). With {@code ifUnused}
   * CONFLICT while it has bindings; FORBIDDEN for pre-declared exchanges.
   */
  default Result<Void> deleteExchange(String vhost, String name, boolean ifUnused) {
    return Result.fail(Status.UNAVAILABLE, "this service has no exchange model");
  }

  /**
   * Creates the queue (its topic and group, starting at the tail) or answers {@code created=false}
   * when an equivalent one exists; CONFLICT when it exists with other settings, or is exclusive to
   * another owner; FORBIDDEN for names starting {@code amq.}. A queue made implicitly by a plain
   * AMQP address or a JMS Queue is a durable queue without arguments.
   */
  default Result<Declared<QueueInfo>> declareQueue(QueueSpec spec) {
    return Result.fail(Status.UNAVAILABLE, "this service has no exchange model");
  }

  /** The queue with its counts, or NOT_FOUND. */
  default Result<QueueInfo> queue(String vhost, String name) {
    return Result.fail(Status.UNAVAILABLE, "this service has no exchange model");
  }

  /**
   * Deletes the queue, its bindings and its messages; the value is how many messages it held (0
   * when absent). CONFLICT when {@code ifUnused} and it has consumers, or {@code ifEmpty} and it
   * holds messages.
   */
  default Result<Long> deleteQueue(String vhost, String name, boolean ifUnused, boolean ifEmpty) {
    return Result.fail(Status.UNAVAILABLE, "this service has no exchange model");
  }

  /** Drops every ready message of the queue; the value is how many. NOT_FOUND when absent. */
  default Result<Long> purgeQueue(String vhost, String name) {
    return Result.fail(Status.UNAVAILABLE, "this service has no exchange model");
  }

  /**
   * Adds the binding (OK when it exists). NOT_FOUND when the source or destination does not exist;
   * FORBIDDEN for the default exchange. Messages published after it returns are routed by it.
   */
  default Result<Void> bind(BindingSpec binding) {
    return Result.fail(Status.UNAVAILABLE, "this service has no exchange model");
  }

  /** Removes the binding; OK also when it does not exist. */
  default Result<Void> unbind(BindingSpec binding) {
    return Result.fail(Status.UNAVAILABLE, "this service has no exchange model");
  }

  /**
   * The bindings of the vhost that match every non-null argument ({@code destinationIsQueue} is
   * only compared when {@code destination} is non-null).
   */
  default Result<List<BindingSpec>> bindings(
      String vhost, String source, String destination, boolean destinationIsQueue, String key) {
    return Result.fail(Status.UNAVAILABLE, "this service has no exchange model");
  }

  /** Creates a vhost (OK when it exists). {@code /} always exists. */
  default Result<Void> createVhost(String name) {
    return Result.fail(Status.UNAVAILABLE, "this service has no exchange model");
  }

  /** Deletes a vhost with everything in it; FORBIDDEN for {@code /}. */
  default Result<Void> deleteVhost(String name) {
    return Result.fail(Status.UNAVAILABLE, "this service has no exchange model");
  }

  /** The vhosts, {@code /} first. */
  default List<String> vhosts() {
    return List.of("/");
  }
}
