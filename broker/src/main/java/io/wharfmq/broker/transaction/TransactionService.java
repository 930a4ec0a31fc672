package io.wharfmq.broker.transaction;

import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.client.ClientRegistry;
import io.wharfmq.broker.offset.ConsumerOffsetManager;
import io.wharfmq.broker.schedule.DeliveryRewrite;
import io.wharfmq.broker.schedule.ParkedTargets;
import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.broker.schedule.TimerRewrite;
import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.protocol.MessageIds;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.store.AppendResult;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.format.MessageEncoder;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageSysFlag;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import io.wharfmq.store.retention.RetentionPins;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactional (half) messages. A half message waits in {@link #HALF_TOPIC}; END_TRANSACTION
 * commits it (stored again in its real topic, sysFlag COMMIT) or rolls it back; either way an op
 * record in {@link #OP_TOPIC} (tag "d", body "halfQueueOffset,") marks it resolved, so a repeated
 * end is a no-op. Half messages unresolved past transactionTimeOut (or their
 * CHECK_IMMUNITY_TIME_IN_SECONDS) are checked with a live producer of their group
 * (CHECK_TRANSACTION_STATE, oneway) every transactionCheckInterval; after transactionCheckMax
 * checks they are discarded to {@link #DISCARD_TOPIC}. Everything lives in the commit log, so
 * pending transactions survive a restart: the op queue is replayed at start and checking resumes
 * from the lowest unresolved half offset (kept as the offset of group {@link #CHECK_GROUP}). Check
 * counts are in memory and start again after a restart.
 *
 * <p>A transaction of many sends opened through the messaging service (the AMQP coordinator; {@link
 * #SERVICE_GROUP}) keeps its sends as half messages carrying its id ({@link #SERVICE_TRANSACTION}).
 * {@link #commitAll} first stores a decision record (op tag "c", body the half offsets), which is
 * the commit, and then the committed messages and their op record in one append, so they become
 * visible together. A process killed during that append can leave a torn tail, which recovery cuts
 * at the last whole record: then only the first messages are stored, and the start stores the
 * decided ones again at once (those already stored come twice, as at-least-once allows). The check
 * never asks a producer about such a half: it leaves those of a transaction still open alone,
 * commits those with a decision (a commit that a crash or a full disk interrupted), and rolls back
 * the others once they are older than transactionTimeOut (their transaction died with the process
 * that opened it). Thread-safe; resolution is serialized.
 */
public final class TransactionService {
  private static final Logger log = LoggerFactory.getLogger(TransactionService.class);

  public static final String HALF_TOPIC = "RMQ_SYS_TRANS_HALF_TOPIC";
  public static final String OP_TOPIC = "RMQ_SYS_TRANS_OP_HALF_TOPIC";
  public static final String DISCARD_TOPIC = "TRANS_CHECK_MAX_TIME_TOPIC";
  public static final String CHECK_GROUP = "CID_RMQ_SYS_TRANS";
  public static final String TRAN_MSG = "TRAN_MSG";
  public static final String PGROUP = "PGROUP";
  public static final String TRANSACTION_ID = "__transactionId__";
  public static final String CHECK_IMMUNITY = "CHECK_IMMUNITY_TIME_IN_SECONDS";

  /** The producer group of half messages sent in a transaction opened through the service. */
  public static final String SERVICE_GROUP = "%WHARF_SERVICE_TX%";

  /** The property naming the service transaction a half message belongs to. */
  public static final String SERVICE_TRANSACTION = "WHARF_TX_ID";

  /** Op record tags: "d" a half message is resolved (RocketMQ's), "c" the halves are committed. */
  private static final String OP_DONE = "d";

  private static final String OP_COMMIT_DECIDED = "c";

  /** A half message: where it is stored and its offset in the half topic's queue. */
  public record HalfMessage(long commitLogOffset, long queueOffset) {}

  private final BrokerConfig config;
  private volatile ParkedTargets parked = ParkedTargets.UNCHANGED;
  private final MessageStore store;
  private final ClientRegistry clients;
  private final ConsumerOffsetManager offsets;
  private final InstantSource clock;
  private final InetSocketAddress storeHost;
  private final DeliveryRewrite delivery;
  private final Set<Long> resolved = ConcurrentHashMap.newKeySet();
  private final Map<Long, Integer> checks = new ConcurrentHashMap<>();
  private final Set<Long> decided = ConcurrentHashMap.newKeySet();
  private volatile Predicate<String> serviceTransactionOpen = id -> false;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("wharf-transaction-check"));
  private long opReplayed;

  public TransactionService(
      BrokerConfig config,
      MessageStore store,
      ClientRegistry clients,
      ConsumerOffsetManager offsets,
      InstantSource clock,
      InetSocketAddress storeHost,
      DeliveryRewrite delivery) {
    this.delivery = delivery;
    this.config = config;
    this.store = store;
    this.clients = clients;
    this.offsets = offsets;
    this.clock = clock;
    this.storeHost = storeHost;
  }

  /** The holder of half-message pins in retention's log lines. */
  static final String PIN_HOLDER = RetentionPins.PENDING_PREFIX + "transactional half messages";

  /**
   * What retention must keep for transactions (docs/storage.md, "Retention and queues"), or null:
   * the half queue from the check's progress (the lowest half offset not known to be resolved, as
   * of the last check round; from the first half message before any round). Resolving a half writes
   * its op record after it, so the op records a restart replays stay too. A half message stored
   * longer ago than fileReservedTime is abandoned and pins nothing (RocketMQ's check skips such
   * halves too): without a live producer of its group it is never checked, and it must not hold the
   * disk forever. Any thread.
   */
  public RetentionPins.Pin retentionPin() {
    long abandonedBefore = clock.millis() - config.store().fileReservedTimeHours() * 3_600_000L;
    long from =
        Math.max(
            offsets.query(CHECK_GROUP, HALF_TOPIC, 0),
            store.offsetForTimestamp(HALF_TOPIC, 0, abandonedBefore));
    return RetentionPins.atQueueOffset(store, PIN_HOLDER, HALF_TOPIC, 0, from);
  }

  /** Whether a message sent with these properties and flags is a half message. */
  public static boolean isHalf(MessageToStore m) {
    return MessageSysFlag.transactionType(m.sysFlag()) == MessageSysFlag.TRANSACTION_PREPARED_TYPE
        || "true".equals(MessageProperties.find(m.properties(), TRAN_MSG));
  }

  /** The half message as stored: in the half topic, real topic and queue kept in properties. */
  public static MessageToStore toHalf(MessageToStore m) {
    Map<String, String> props = MessageProperties.decode(m.properties());
    props.put(ScheduleRewrite.REAL_TOPIC, m.topic());
    props.put(ScheduleRewrite.REAL_QID, Integer.toString(m.queueId()));
    ScheduleRewrite.parkDispatch(props);
    String uniq = props.get(MessageProperties.UNIQ_KEY);
    if (uniq != null) {
      props.put(TRANSACTION_ID, uniq);
    }
    return new MessageToStore(
        HALF_TOPIC,
        0,
        m.flag(),
        m.body(),
        MessageProperties.encode(props),
        MessageSysFlag.withTransactionType(m.sysFlag(), MessageSysFlag.TRANSACTION_NOT_TYPE),
        m.bornTimestamp(),
        m.bornHost(),
        m.storeHost(),
        m.reconsumeTimes(),
        0L);
  }

  /** Tells the check which service transactions are still open (their halves are left alone). */
  public void serviceTransactionsOpen(Predicate<String> open) {
    this.serviceTransactionOpen = open;
  }

  public void start() {
    replayOps();
    // A commit a crash interrupted (its decision stored, its messages not, or a torn part of them)
    // is finished now, not a check interval later: a broker killed again within that interval
    // would otherwise leave the transaction half visible for as long as it keeps dying.
    thread.execute(this::completeDecidedSafely);
    thread.scheduleWithFixedDelay(
        this::checkSafely,
        config.transactionCheckInterval(),
        config.transactionCheckInterval(),
        TimeUnit.MILLISECONDS);
  }

  public void shutdown() {
    thread.shutdownNow();
  }

  /** Learns resolved half offsets from op records not seen yet. */
  private synchronized void replayOps() {
    long max = store.maxOffset(OP_TOPIC, 0);
    for (long o = Math.max(opReplayed, store.minOffset(OP_TOPIC, 0)); o < max; o++) {
      ConsumeQueueEntry e = store.queueEntry(OP_TOPIC, 0, o);
      StoredMessage op = e == null ? null : store.readMessage(e.physicalOffset());
      if (op != null) {
        boolean decision = OP_COMMIT_DECIDED.equals(op.propertyMap().get(MessageProperties.TAGS));
        (decision ? decided : resolved).addAll(halfOffsets(op.body()));
      }
    }
    opReplayed = max;
    decided.removeAll(resolved);
  }

  private static List<Long> halfOffsets(byte[] body) {
    List<Long> offsets = new ArrayList<>();
    for (String part : new String(body, StandardCharsets.UTF_8).split(",")) {
      if (!part.isBlank()) {
        offsets.add(Long.parseLong(part.trim()));
      }
    }
    return offsets;
  }

  /**
   * END_TRANSACTION: commits (8) or rolls back (12) the half message at {@code commitLogOffset};
   * unknown (0), a repeat, or a mismatch is ignored with a log line. Returns what happened.
   */
  public synchronized String end(
      String producerGroup, long commitLogOffset, long halfQueueOffset, int type) {
    if (type != MessageSysFlag.TRANSACTION_COMMIT_TYPE
        && type != MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) {
      return "unknown: left for the check";
    }
    StoredMessage half = store.readMessage(commitLogOffset);
    if (half == null
        || !HALF_TOPIC.equals(half.topic())
        || half.queueOffset() != halfQueueOffset
        || !producerGroup.equals(half.propertyMap().get(PGROUP))) {
      log.warn(
          "END_TRANSACTION from group {} names no half message at {} (queue offset {})",
          producerGroup,
          commitLogOffset,
          halfQueueOffset);
      return "no such half message";
    }
    replayOps();
    if (resolved.contains(halfQueueOffset)) {
      return "already resolved";
    }
    if (type == MessageSysFlag.TRANSACTION_COMMIT_TYPE) {
      AppendResult r = store.append(deliverable(committed(half))).join();
      if (!r.isOk()) {
        return "commit failed: " + r.detail();
      }
    }
    writeOp(halfQueueOffset);
    return type == MessageSysFlag.TRANSACTION_COMMIT_TYPE ? "committed" : "rolled back";
  }

  /**
   * A committed message with a delay level or a delivery time goes to the schedule or timer topic
   * first, as RocketMQ does. The half message was stored without checking its timer properties, so
   * unusable ones are dropped here with a log line and the message is delivered at once: the
   * producer was already told its send succeeded.
   */
  private MessageToStore deliverable(MessageToStore committed) {
    try {
      return delivery.apply(committed);
    } catch (TimerRewrite.InvalidTimerException e) {
      log.warn(
          "Committed transactional message for {} delivered now: {}",
          committed.topic(),
          e.getMessage());
      return committed;
    }
  }

  /** Where a committed fan-out still goes (set once the broker's service is up). */
  public void parkedTargets(ParkedTargets parked) {
    this.parked = parked;
  }

  private MessageToStore committed(StoredMessage half) {
    Map<String, String> props = half.propertyMap();
    String topic = props.remove(ScheduleRewrite.REAL_TOPIC);
    String qid = props.remove(ScheduleRewrite.REAL_QID);
    props.remove(TRAN_MSG);
    ScheduleRewrite.restoreDispatch(props, parked);
    return new MessageToStore(
        topic,
        qid == null ? 0 : Integer.parseInt(qid),
        half.flag(),
        half.body(),
        MessageProperties.encode(props),
        MessageSysFlag.withTransactionType(half.sysFlag(), MessageSysFlag.TRANSACTION_COMMIT_TYPE),
        half.bornTimestamp(),
        half.bornHost(),
        storeHost,
        half.reconsumeTimes(),
        half.physicalOffset());
  }

  /**
   * Commits the half messages of one service transaction, all or none: null when committed, else
   * why not (then nothing was committed and the caller rolls back). Committed means the decision
   * record is stored: the messages themselves follow in one append, or, if that append fails (a
   * disk filling up in between), in the check rounds after.
   */
  public synchronized String commitAll(List<HalfMessage> halves) {
    replayOps();
    List<StoredMessage> read = new ArrayList<>(halves.size());
    for (HalfMessage h : halves) {
      StoredMessage half = store.readMessage(h.commitLogOffset());
      if (half == null
          || !HALF_TOPIC.equals(half.topic())
          || half.queueOffset() != h.queueOffset()
          || !SERVICE_GROUP.equals(half.propertyMap().get(PGROUP))) {
        return "no half message at " + h.commitLogOffset();
      }
      if (resolved.contains(h.queueOffset()) || decided.contains(h.queueOffset())) {
        return "half message " + h.queueOffset() + " already resolved";
      }
      read.add(half);
    }
    if (read.isEmpty()) {
      return null;
    }
    // In the order they were stored, which is the order the door sent them in.
    read.sort(Comparator.comparingLong(StoredMessage::queueOffset));
    List<Long> offsets = read.stream().map(StoredMessage::queueOffset).toList();
    AppendResult decision = store.append(op(OP_COMMIT_DECIDED, offsets)).join();
    if (!decision.isOk()) {
      return "commit failed: " + decision.status() + " " + decision.detail();
    }
    decided.addAll(offsets);
    List<MessageToStore> batch = new ArrayList<>(read.size() + 1);
    for (StoredMessage half : read) {
      batch.add(deliverable(committed(half)));
    }
    batch.add(op(OP_DONE, offsets));
    AppendResult r = store.appendBatch(batch).join();
    if (r.isOk()) {
      resolved.addAll(offsets);
      decided.removeAll(offsets);
      offsets.forEach(checks::remove);
    } else {
      // Committed all the same: a transaction larger than a segment goes in one by one now, and
      // what the store refuses now (a disk filling up meanwhile) the check rounds store later.
      log.warn(
          "Transaction of {} messages committed, but storing them together failed ({} {});"
              + " storing them one by one",
          offsets.size(),
          r.status(),
          r.detail());
      for (StoredMessage half : read) {
        commitDecided(half);
      }
    }
    return null;
  }

  private void completeDecidedSafely() {
    try {
      completeDecided();
    } catch (RuntimeException e) {
      log.warn("Completing the commits a restart interrupted failed; the check retries", e);
    }
  }

  /** Stores every half message whose commit was decided and not yet stored. */
  synchronized void completeDecided() {
    for (long o : List.copyOf(decided)) {
      ConsumeQueueEntry e = store.queueEntry(HALF_TOPIC, 0, o);
      StoredMessage half = e == null ? null : store.readMessage(e.physicalOffset());
      if (half != null && !resolved.contains(o)) {
        commitDecided(half);
      }
    }
    if (!decided.isEmpty()) {
      log.info(
          "{} half messages of decided commits are still not stored; the check retries",
          decided.size());
    }
  }

  /** Stores a half message whose commit was decided, and marks it resolved. */
  private void commitDecided(StoredMessage half) {
    AppendResult r = store.append(deliverable(committed(half))).join();
    if (r.isOk()) {
      writeOp(half.queueOffset());
      decided.remove(half.queueOffset());
    }
  }

  /** Rolls back the half messages of one service transaction; the check retries on failure. */
  public synchronized void rollbackAll(List<HalfMessage> halves) {
    if (halves.isEmpty()) {
      return;
    }
    List<Long> offsets = halves.stream().map(HalfMessage::queueOffset).toList();
    AppendResult r = store.appendInternal(op(OP_DONE, offsets)).join();
    if (r.isOk()) {
      resolved.addAll(offsets);
    } else {
      log.warn(
          "Cannot record the rollback of {} half messages ({}); the check rolls them back",
          offsets.size(),
          r.detail());
    }
  }

  private MessageToStore op(String tag, List<Long> halfQueueOffsets) {
    StringBuilder body = new StringBuilder();
    for (long o : halfQueueOffsets) {
      body.append(o).append(',');
    }
    return new MessageToStore(
        OP_TOPIC,
        0,
        0,
        body.toString().getBytes(StandardCharsets.UTF_8),
        MessageProperties.encode(Map.of(MessageProperties.TAGS, tag)),
        0,
        clock.millis(),
        storeHost,
        storeHost,
        0,
        0L);
  }

  private void writeOp(long halfQueueOffset) {
    AppendResult r = store.append(op(OP_DONE, List.of(halfQueueOffset))).join();
    if (r.isOk()) {
      resolved.add(halfQueueOffset);
      checks.remove(halfQueueOffset);
    } else {
      log.error("Cannot record the end of half message {}: {}", halfQueueOffset, r.detail());
    }
  }

  private void checkSafely() {
    try {
      check();
    } catch (RuntimeException e) {
      log.error("Transaction check round failed; will retry", e);
    }
  }

  /** One check round over unresolved half messages; returns how many checks were sent. */
  public synchronized int check() {
    replayOps();
    long progress =
        Math.max(offsets.query(CHECK_GROUP, HALF_TOPIC, 0), store.minOffset(HALF_TOPIC, 0));
    long max = store.maxOffset(HALF_TOPIC, 0);
    long now = clock.millis();
    boolean contiguous = true;
    int sent = 0;
    for (long o = progress; o < max; o++) {
      if (resolved.contains(o)) {
        if (contiguous) {
          progress = o + 1;
        }
        continue;
      }
      contiguous = false;
      ConsumeQueueEntry e = store.queueEntry(HALF_TOPIC, 0, o);
      StoredMessage half = e == null ? null : store.readMessage(e.physicalOffset());
      if (half == null) {
        continue;
      }
      Map<String, String> props = half.propertyMap();
      long immunity = config.transactionTimeOut();
      String immunitySeconds = props.get(CHECK_IMMUNITY);
      if (immunitySeconds != null && immunitySeconds.matches("\\d{1,9}")) {
        immunity = Long.parseLong(immunitySeconds) * 1000;
      }
      if (SERVICE_GROUP.equals(props.get(PGROUP))) {
        resolveServiceHalf(half, props, now);
        continue;
      }
      if (now - half.storeTimestamp() < immunity) {
        continue;
      }
      int done = checks.getOrDefault(o, 0);
      if (done >= config.transactionCheckMax()) {
        discard(half, o);
        continue;
      }
      RemotingChannel producer = clients.producerChannel(props.get(PGROUP));
      if (producer == null) {
        continue; // no live producer of the group: try again next round
      }
      producer.invokeOneway(checkRequest(half, props));
      checks.put(o, done + 1);
      sent++;
    }
    offsets.commit(CHECK_GROUP, HALF_TOPIC, 0, progress);
    return sent;
  }

  /**
   * A half message of a service transaction: never checked with a producer. Committed when its
   * transaction's commit was decided, left alone while its transaction is open, else rolled back
   * once older than transactionTimeOut (its transaction died with an earlier process).
   */
  private void resolveServiceHalf(StoredMessage half, Map<String, String> props, long now) {
    long o = half.queueOffset();
    if (decided.contains(o)) {
      commitDecided(half);
      return;
    }
    if (serviceTransactionOpen.test(props.get(SERVICE_TRANSACTION))
        || now - half.storeTimestamp() < config.transactionTimeOut()) {
      return;
    }
    writeOp(o);
    log.info(
        "Half message {} of transaction {} rolled back: the transaction is no longer open",
        o,
        props.get(SERVICE_TRANSACTION));
  }

  private void discard(StoredMessage half, long halfQueueOffset) {
    MessageToStore m = committed(half);
    store
        .append(
            ScheduleRewrite.withTopic(
                new MessageToStore(
                    m.topic(),
                    m.queueId(),
                    m.flag(),
                    m.body(),
                    m.properties(),
                    0,
                    m.bornTimestamp(),
                    m.bornHost(),
                    m.storeHost(),
                    m.reconsumeTimes(),
                    0L),
                DISCARD_TOPIC,
                0,
                m.properties()))
        .join();
    writeOp(halfQueueOffset);
    log.warn(
        "Half message {} of group {} unresolved after {} checks: discarded to {}",
        halfQueueOffset,
        half.propertyMap().get(PGROUP),
        config.transactionCheckMax(),
        DISCARD_TOPIC);
  }

  /**
   * CHECK_TRANSACTION_STATE: header as RocketMQ sends it, body = the message with its real topic.
   */
  private RemotingCommand checkRequest(StoredMessage half, Map<String, String> props) {
    String uniq = props.get(MessageProperties.UNIQ_KEY);
    MessageToStore real = committed(half);
    MessageToStore asPrepared =
        new MessageToStore(
            real.topic(),
            real.queueId(),
            real.flag(),
            real.body(),
            half.properties(),
            MessageSysFlag.withTransactionType(
                half.sysFlag(), MessageSysFlag.TRANSACTION_PREPARED_TYPE),
            real.bornTimestamp(),
            real.bornHost(),
            storeHost,
            real.reconsumeTimes(),
            0L);
    byte[] body = MessageEncoder.encode(asPrepared, Integer.MAX_VALUE).bytes();
    ByteBuffer b = ByteBuffer.wrap(body);
    MessageEncoder.patchAssignedFields(
        b,
        0,
        io.wharfmq.store.format.MessageRecordLayout.storeTimestampOffset(
            b.getInt(io.wharfmq.store.format.MessageRecordLayout.SYS_FLAG)),
        half.queueOffset(),
        half.physicalOffset(),
        half.storeTimestamp());
    return RemotingCommand.request(RequestCode.CHECK_TRANSACTION_STATE)
        .put("topic", HALF_TOPIC)
        .put("commitLogOffset", half.physicalOffset())
        .put("tranStateTableOffset", half.queueOffset())
        .put("msgId", uniq)
        .put("transactionId", uniq)
        .put("offsetMsgId", MessageIds.offsetMessageId(storeHost, half.physicalOffset()))
        .put("bname", config.brokerName())
        .body(body);
  }
}
