package io.wharfmq.broker.service;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.pop.DeadLetterRoute;
import io.wharfmq.broker.pop.PopService;
import io.wharfmq.broker.queue.DeadLettering;
import io.wharfmq.broker.queue.QueueArguments;
import io.wharfmq.broker.queue.QueueDirectory;
import io.wharfmq.broker.queue.QueueRef;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.service.message.DeathHistory;
import io.wharfmq.store.MessageFilter;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces the arguments of declared queues on the service's send and pop paths (docs/rabbitmq.md,
 * "Queue arguments and dead-lettering"): message TTL (the smaller of the message's own and the
 * queue's {@code x-message-ttl}), dead-lettering through {@code x-dead-letter-exchange} for
 * rejected, expired, over-limit and too often delivered messages, and the length limits with {@code
 * x-overflow}. Queues are looked up in a {@link QueueDirectory} (the topology registry).
 * Thread-safe.
 */
final class QueueRules implements DeadLetterRoute {
  private static final Logger log = LoggerFactory.getLogger(QueueRules.class);

  /** How long a message the broker takes to drop or dead-letter stays invisible meanwhile. */
  static final long INTERNAL_INVISIBLE_MILLIS = 30_000;

  /** Most messages one enforcement round pops from one queue. */
  private static final int ROUND = 32;

  private final BrokerContext ctx;
  private final PopService pops;
  private final DeadLettering deadLettering;
  private final Executor executor;
  private volatile QueueDirectory directory = QueueDirectory.NONE;

  /** Queues whose length enforcement runs now: one round per queue at a time. */
  private final Set<String> enforcing = ConcurrentHashMap.newKeySet();

  QueueRules(BrokerContext ctx, PopService pops, DeadLettering deadLettering, Executor executor) {
    this.ctx = ctx;
    this.pops = pops;
    this.deadLettering = deadLettering;
    this.executor = executor;
  }

  /** Looks queues up in {@code d} from now on. */
  void directory(QueueDirectory d) {
    this.directory = d;
  }

  QueueDirectory directory() {
    return directory;
  }

  /** The declared queue stored in {@code topic}, or null. */
  QueueRef queue(String topic) {
    return directory.byTopic(topic);
  }

  // ------------------------------------------------------------------ TTL

  /**
   * When the record expires in the queue of {@code topic}, epoch ms, or 0 for never: the message's
   * own expiry ({@code WHARF_EXPIRES_AT}) or its store time plus the queue's {@code x-message-ttl},
   * whichever is earlier.
   */
  long expiresAt(String topic, ByteBuffer record) {
    long own = RecordExpiry.expiresAt(record);
    QueueRef q = directory.byTopic(topic);
    if (q == null || q.arguments().messageTtl() < 0) {
      return own;
    }
    long stored = StoredMessage.storeTimestamp(record, 0);
    long byQueue = stored + q.arguments().messageTtl();
    return own > 0 ? Math.min(own, byQueue) : byQueue;
  }

  boolean isExpired(String topic, ByteBuffer record, long now) {
    long at = expiresAt(topic, record);
    return at > 0 && at <= now;
  }

  /**
   * Finishes an expired delivery the group popped: dead-lettered (reason expired) when the queue
   * has a dead-letter exchange, else dropped. A dead letter that cannot be stored now leaves the
   * delivery in flight: it comes back after its invisibility and is tried again.
   */
  void expired(String group, String topic, int queueId, long offset, byte[] record, long popTime) {
    QueueRef q = directory.byTopic(topic);
    if (q == null || !q.arguments().hasDeadLetterExchange() || !group.equals(q.group())) {
      pops.ack(group, topic, queueId, offset, popTime);
      return;
    }
    StoredMessage m = StoredMessage.decode(ByteBuffer.wrap(record), 0);
    deadLettering
        .republish(q, m, DeathHistory.EXPIRED)
        .thenAccept(
            done -> {
              if (done) {
                pops.ack(group, topic, queueId, offset, popTime);
              }
            });
  }

  /**
   * Takes the expired messages at the head of each of the queue's queues, so that they are
   * dead-lettered (or dropped) without waiting for a consumer, as RabbitMQ expires a queue's head.
   * Only messages from the first not yet taken one on, while they are expired, are taken.
   */
  void sweepExpired(QueueRef q) {
    TopicConfig config = ctx.topics().get(q.topic());
    if (config == null || !enforcing.add("ttl|" + q.topic())) {
      return;
    }
    List<CompletableFuture<?>> rounds = new ArrayList<>();
    try {
      long now = ctx.clock().millis();
      for (int queueId = 0; queueId < config.readQueueNums(); queueId++) {
        int n = expiredAtHead(q, queueId, now);
        if (n > 0) {
          rounds.add(takeExpired(q, queueId, n, now));
        }
      }
    } finally {
      CompletableFuture.allOf(rounds.toArray(new CompletableFuture<?>[0]))
          .whenComplete((v, e) -> enforcing.remove("ttl|" + q.topic()));
    }
  }

  /**
   * How many messages in a row, from the queue's first untaken one, are expired (at most ROUND).
   */
  private int expiredAtHead(QueueRef q, int queueId, long now) {
    PopService.View view = pops.view(q.group(), q.topic(), queueId);
    long from;
    if (view != null) {
      from = view.scanFrom();
    } else {
      long committed = ctx.offsets().query(q.group(), q.topic(), queueId);
      from = committed >= 0 ? committed : ctx.store().minOffset(q.topic(), queueId);
    }
    long max = ctx.store().maxOffset(q.topic(), queueId);
    int n = 0;
    for (long o = from; o < max && n < ROUND; o++) {
      ConsumeQueueEntry e = ctx.store().queueEntry(q.topic(), queueId, o);
      StoredBytes r = e == null ? null : ctx.store().readRecord(e.physicalOffset());
      if (r == null) {
        break;
      }
      try (r) {
        if (!isExpired(q.topic(), r.buffer(), now)) {
          break;
        }
      }
      n++;
    }
    return n;
  }

  private CompletableFuture<?> takeExpired(QueueRef q, int queueId, int n, long now) {
    return pops.pop(
            q.group(),
            q.topic(),
            new int[] {queueId},
            n,
            INTERNAL_INVISIBLE_MILLIS,
            MessageFilter.ALL,
            1,
            null)
        .whenComplete(
            (r, error) -> {
              if (error != null) {
                log.warn("Expiry of queue {}: pop failed", q.name(), error);
                return;
              }
              int expired = 0;
              for (PopService.Delivered d : r.messages()) {
                if (isExpired(q.topic(), ByteBuffer.wrap(d.record()), now)) {
                  expired++;
                  expired(q.group(), q.topic(), d.queueId(), d.offset(), d.record(), r.popTime());
                } else {
                  // Taken with the expired ones (it was due again): back as it was.
                  pops.release(q.group(), q.topic(), d.queueId(), d.offset(), r.popTime(), false);
                }
              }
              if (expired > 0) {
                ctx.stats().expired(expired);
              }
            });
  }

  // ------------------------------------------------------------------ x-expires

  /** When each queue was last used (declared, popped), by topic. */
  private final Map<String, Long> lastUsed = new ConcurrentHashMap<>();

  /** The queue stored in {@code topic} was used now (a pop, a declare, a get). */
  void used(String topic) {
    QueueRef q = directory.byTopic(topic);
    if (q != null && q.arguments().expires() >= 0) {
      lastUsed.put(topic, ctx.clock().millis());
    }
  }

  /**
   * How long the queue has not been used, ms; a queue this service has not seen used yet counts
   * from now (so after a restart the whole x-expires runs again, as in RabbitMQ).
   */
  long unusedFor(QueueRef q) {
    long now = ctx.clock().millis();
    Long at = lastUsed.putIfAbsent(q.topic(), now);
    return at == null ? 0 : now - at;
  }

  /**
   * Forgets what it counted of queues that no longer exist (after a deletion), so that a queue made
   * again under the same name starts from its new store.
   */
  void forgetDeleted() {
    appended.keySet().removeIf(k -> directory.byTopic(k.substring(0, k.lastIndexOf('|'))) == null);
    lastUsed.keySet().removeIf(t -> directory.byTopic(t) == null);
  }

  // ------------------------------------------------------------------ dead letters of consumers

  /**
   * A consumer's rejection ({@code reason} rejected) or a delivery past the group's limit
   * (delivery_limit) of a declared queue with a dead-letter exchange: republished through it. Other
   * groups: null, the group's DLQ takes it as before.
   */
  @Override
  public CompletableFuture<Boolean> route(String group, StoredMessage m, String reason) {
    if (!group.startsWith(DestinationNames.QUEUE_GROUP)) {
      return null;
    }
    QueueRef q = directory.byTopic(group.substring(DestinationNames.QUEUE_GROUP.length()));
    if (q == null || !q.arguments().hasDeadLetterExchange()) {
      return null;
    }
    return deadLettering.republish(q, m, reason);
  }

  // ------------------------------------------------------------------ length limits

  /**
   * Whether the queue stored in {@code topic} takes one more message of {@code bodyBytes}: null
   * when it does (or is not limited, or drops its head instead), else the QUEUE_FULL answer.
   */
  SendResult admit(String topic, int bodyBytes) {
    QueueRef q = directory.byTopic(topic);
    if (q == null || !q.arguments().isLimited() || !q.arguments().rejectPublish()) {
      return null;
    }
    QueueArguments a = q.arguments();
    Length len = length(q, a.maxLengthBytes() >= 0);
    boolean full =
        (a.maxLength() >= 0 && len.messages() >= a.maxLength())
            || (a.maxLengthBytes() >= 0 && len.bytes() + bodyBytes > a.maxLengthBytes());
    if (!full) {
      return null;
    }
    log.debug(
        "Queue {} in vhost {} is full: publish refused (reject-publish)", q.name(), q.vhost());
    return SendResult.fail(
        Status.QUEUE_FULL,
        "queue '" + q.name() + "' in vhost '" + q.vhost() + "' is full (x-overflow reject-publish)",
        topic);
  }

  /**
   * Messages were stored for the queue of {@code topic} up to queue offset {@code end} (exclusive):
   * counted from now on, before dispatch makes them visible, and the head dropped if the queue is
   * over its limit.
   */
  void stored(String topic, int queueId, long end) {
    QueueRef q = directory.byTopic(topic);
    if (q == null || !q.arguments().isLimited()) {
      return;
    }
    if (queueId >= 0) {
      appended.merge(topic + "|" + queueId, end, Math::max);
    }
    if (!q.arguments().rejectPublish()) {
      executor.execute(() -> dropHead(q));
    }
  }

  /**
   * The end of each limited queue as its acknowledged appends left it, by topic and queue id: the
   * consume queue may not show them yet (dispatch runs behind the append), and a publish right
   * after an acknowledged one must see it counted.
   */
  private final Map<String, Long> appended = new ConcurrentHashMap<>();

  /** The ready messages of a queue (not in flight, not finished) and their body bytes. */
  record Length(long messages, long bytes) {}

  /** Counts the queue's ready messages (and their body bytes when {@code withBytes}). */
  Length length(QueueRef q, boolean withBytes) {
    TopicConfig config = ctx.topics().get(q.topic());
    if (config == null) {
      return new Length(0, 0);
    }
    long messages = 0;
    long bytes = 0;
    for (int queueId = 0; queueId < config.readQueueNums(); queueId++) {
      PopService.View view = pops.view(q.group(), q.topic(), queueId);
      long max =
          Math.max(
              ctx.store().maxOffset(q.topic(), queueId),
              appended.getOrDefault(q.topic() + "|" + queueId, 0L));
      long from;
      if (view != null) {
        from = view.scanFrom();
      } else {
        long committed = ctx.offsets().query(q.group(), q.topic(), queueId);
        from = committed >= 0 ? committed : ctx.store().minOffset(q.topic(), queueId);
      }
      for (long o = from; o < max; o++) {
        if (view != null && view.doneAhead().contains(o)) {
          continue;
        }
        messages++;
        if (withBytes) {
          bytes += bodyBytes(q.topic(), queueId, o);
        }
      }
    }
    return new Length(messages, bytes);
  }

  private long bodyBytes(String topic, int queueId, long offset) {
    ConsumeQueueEntry e = ctx.store().queueEntry(topic, queueId, offset);
    if (e == null) {
      return 0;
    }
    StoredBytes r = ctx.store().readRecord(e.physicalOffset());
    if (r == null) {
      return 0;
    }
    try (r) {
      ByteBuffer b = r.buffer();
      return b.getInt(MessageRecordLayout.bodyLengthOffset(b.getInt(MessageRecordLayout.SYS_FLAG)));
    }
  }

  /**
   * Drops (or dead-letters, reason maxlen) the queue's oldest ready messages while it is over its
   * length limit: a round pops what is too many and finishes it; the next round looks again.
   */
  void dropHead(QueueRef q) {
    if (!enforcing.add(q.topic())) {
      return;
    }
    boolean handedOff = false;
    try {
      QueueArguments a = q.arguments();
      Length len = length(q, a.maxLengthBytes() >= 0);
      long over = a.maxLength() >= 0 ? len.messages() - a.maxLength() : 0;
      if (a.maxLengthBytes() >= 0 && len.bytes() > a.maxLengthBytes()) {
        over = Math.max(over, 1); // one at a time until the bytes fit
      }
      TopicConfig config = ctx.topics().get(q.topic());
      if (over <= 0 || config == null) {
        return;
      }
      int n = (int) Math.min(over, ROUND);
      handedOff = true;
      pops.pop(
              q.group(),
              q.topic(),
              PopOperations.queueIds(-1, config.readQueueNums()),
              n,
              INTERNAL_INVISIBLE_MILLIS,
              MessageFilter.ALL,
              1,
              null)
          .whenComplete(
              (r, error) -> {
                try {
                  if (error != null) {
                    log.warn("Length limit of queue {}: pop failed", q.name(), error);
                    return;
                  }
                  for (PopService.Delivered d : r.messages()) {
                    dropOne(q, d, r.popTime());
                  }
                  log.debug(
                      "Queue {} over its length limit: {} dropped from its head",
                      q.name(),
                      r.messages().size());
                } finally {
                  enforcing.remove(q.topic());
                }
              });
    } finally {
      if (!handedOff) {
        enforcing.remove(q.topic());
      }
    }
  }

  private void dropOne(QueueRef q, PopService.Delivered d, long popTime) {
    if (!q.arguments().hasDeadLetterExchange()) {
      pops.ack(q.group(), q.topic(), d.queueId(), d.offset(), popTime);
      return;
    }
    StoredMessage m = StoredMessage.decode(ByteBuffer.wrap(d.record()), 0);
    deadLettering
        .republish(q, m, DeathHistory.MAXLEN)
        .thenAccept(
            done -> {
              if (done) {
                pops.ack(q.group(), q.topic(), d.queueId(), d.offset(), popTime);
              }
            });
  }
}
