package io.wharfmq.broker.pop;

import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.offset.ConsumerOffsetManager;
import io.wharfmq.broker.pop.PopQueue.InFlight;
import io.wharfmq.store.AppendResult;
import io.wharfmq.store.GetMessageResult;
import io.wharfmq.store.MessageFilter;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POP consumption: several consumers of a group share a queue; each message is delivered to one of
 * them, stays invisible for the invisibility time the consumer asked for, and is delivered again
 * (reconsumeTimes + 1) unless acknowledged in time; after the group's max reconsume times it goes
 * to %DLQ%group ({@link PopDeadLetters}).
 *
 * <p>State lives in memory per group, topic and queue ({@link PopQueue}) and every change is
 * appended to the pop log ({@link PopLog}, one record per pop, ack or invisibility change,
 * docs/formats.md) before it is answered, so a restart rebuilds it by replaying the log from a
 * replay start kept with the consumer offsets ({@link #checkpoint}). Redelivery happens in place:
 * the message is read again from its own queue, no copy is written.
 *
 * <p>Thread-safe: each queue's state has its own lock; the pop log is appended to with that lock
 * held, so a queue's records are in the log in the order they happened.
 */
public final class PopService {
  private static final Logger log = LoggerFactory.getLogger(PopService.class);

  /** RocketMQ's ConsumeInitMode.MIN: a new group starts at the queue's first message. */
  public static final int INIT_MODE_MIN = 0;

  /**
   * The message handed out by a pop: its queue, offset and record bytes as delivered; {@code
   * deliveredBefore} when an earlier delivery of it went back (released, timed out, or unsettled at
   * a restart), whatever its reconsumeTimes says.
   */
  public record Delivered(
      int queueId, long offset, int reconsumeTimes, byte[] record, boolean deliveredBefore) {
    public Delivered(int queueId, long offset, int reconsumeTimes, byte[] record) {
      this(queueId, offset, reconsumeTimes, record, false);
    }
  }

  /** What a pop found (messages may be empty). */
  public record PopResult(long popTime, List<Delivered> messages, long restNum) {}

  /** Outcome of an ack or an invisibility change. */
  public enum Outcome {
    OK,
    /** The message is not in flight: never delivered, or (change only) already acknowledged. */
    NOT_IN_FLIGHT,
    /** The receipt handle is from an earlier delivery; another consumer holds the message now. */
    STALE_HANDLE,
    /** The pop log could not be written. */
    LOG_FAILED
  }

  /** Answer of {@link #changeInvisibleTime}: the new popTime identifies the new receipt handle. */
  public record Change(Outcome outcome, long popTime) {}

  private record Key(String group, String topic, int queueId) {}

  /**
   * One pop request's parameters and what it collected so far: {@code now} decides what is due,
   * {@code popTime} stamps the deliveries (see {@link #popTimeFor}).
   */
  private record Round(
      long now,
      long popTime,
      long invisibleMillis,
      MessageFilter filter,
      String keep,
      List<Delivered> out,
      List<CompletableFuture<AppendResult>> appends) {}

  private final BrokerConfig config;
  private final ToIntFunction<String> retryLimit;
  private final MessageStore store;
  private final ConsumerOffsetManager offsets;
  private final InstantSource clock;
  private final PopLog popLog;
  private final PopDeadLetters deadLetters;
  private final Map<Key, PopQueue> queues = new ConcurrentHashMap<>();

  public PopService(
      BrokerConfig config,
      ToIntFunction<String> retryLimit,
      MessageStore store,
      ConsumerOffsetManager offsets,
      InstantSource clock,
      PopLog popLog,
      PopDeadLetters deadLetters) {
    this.config = config;
    this.retryLimit = retryLimit;
    this.store = store;
    this.offsets = offsets;
    this.clock = clock;
    this.popLog = popLog;
    this.deadLetters = deadLetters;
  }

  /** Deliveries after which an unacknowledged message goes to the DLQ: the group's setting. */
  int maxReconsumeTimes(String group) {
    return retryLimit.applyAsInt(group);
  }

  // ---------------------------------------------------------------- pop

  /**
   * Pops up to {@code max} messages of {@code topic} from {@code queueIds} (tried in turn, starting
   * at a rotating one): messages whose invisibility ended first, then new ones. The future
   * completes once the pop log records the deliveries.
   */
  public CompletableFuture<PopResult> pop(
      String group,
      String topic,
      int[] queueIds,
      int max,
      long invisibleMillis,
      MessageFilter filter,
      int initMode) {
    return pop(group, topic, queueIds, max, invisibleMillis, filter, initMode, null);
  }

  /**
   * Pops as {@link #pop(String, String, int[], int, long, MessageFilter, int)}; with {@code
   * keepUnmatched} not null, messages the filter does not match stay available to the group's other
   * consumers (a JMS queue selector) instead of being finished for the group, and {@code
   * keepUnmatched} names the filter (e.g. its type and expression): the scan resumes where the last
   * pop with that name stopped, so a rare selector does not read the backlog again on every pop.
   */
  public CompletableFuture<PopResult> pop(
      String group,
      String topic,
      int[] queueIds,
      int max,
      long invisibleMillis,
      MessageFilter filter,
      int initMode,
      String keepUnmatched) {
    long now = clock.millis();
    long popTime = popTimeFor(group, topic, queueIds, now);
    List<Delivered> out = new ArrayList<>();
    List<CompletableFuture<AppendResult>> appends = new ArrayList<>();
    String keep = filter == MessageFilter.ALL ? null : keepUnmatched;
    Round round = new Round(now, popTime, invisibleMillis, filter, keep, out, appends);
    List<PopQueue> busy = new ArrayList<>();
    int start = Math.floorMod((int) (System.nanoTime() >>> 10), queueIds.length);
    for (int i = 0; i < queueIds.length && out.size() < max; i++) {
      PopQueue q = queue(group, topic, queueIds[(start + i) % queueIds.length], initMode);
      if (!q.lock.tryLock()) {
        busy.add(q);
        continue;
      }
      try {
        popFrom(q, max - out.size(), round);
      } finally {
        q.lock.unlock();
      }
    }
    // Queues another consumer was popping are tried once more, waiting, if nothing was found.
    for (int i = 0; i < busy.size() && out.isEmpty(); i++) {
      PopQueue q = busy.get(i);
      q.lock.lock();
      try {
        popFrom(q, max, round);
      } finally {
        q.lock.unlock();
      }
    }
    long rest = 0;
    for (int queueId : queueIds) {
      PopQueue q = queues.get(new Key(group, topic, queueId));
      if (q != null) {
        rest += Math.max(0, store.maxOffset(topic, queueId) - q.scanFrom);
      }
    }
    PopResult result = new PopResult(popTime, out, rest);
    return CompletableFuture.allOf(appends.toArray(new CompletableFuture<?>[0]))
        .thenApply(
            v -> {
              for (CompletableFuture<AppendResult> a : appends) {
                if (!a.join().isOk()) {
                  throw new IllegalStateException("pop log append failed: " + a.join().status());
                }
              }
              return result;
            });
  }

  /**
   * The popTime of a pop at {@code now}: {@code now}, or later than the popTime of every message of
   * these queues that is visible again, so that no two deliveries of a message share a popTime even
   * within one millisecond (a release and an immediate pop again). The popTime identifies a
   * delivery's receipt handle, and RocketMQ's clients read it as the ms the pop happened, so it is
   * never a counter: it runs ahead of the clock only by the milliseconds such re-deliveries need. A
   * queue another pop holds locked is not looked at; {@link #popFrom} leaves a message whose
   * popTime is not below the pop's for the next pop.
   */
  private long popTimeFor(String group, String topic, int[] queueIds, long now) {
    long popTime = now;
    for (int queueId : queueIds) {
      PopQueue q = queues.get(new Key(group, topic, queueId));
      if (q != null && q.lock.tryLock()) {
        try {
          popTime = Math.max(popTime, q.latestDuePopTime(now) + 1);
        } finally {
          q.lock.unlock();
        }
      }
    }
    return popTime;
  }

  private void popFrom(PopQueue q, int max, Round round) {
    long now = round.now();
    long popTime = round.popTime();
    List<CompletableFuture<AppendResult>> appends = round.appends();
    List<InFlight> changed = new ArrayList<>();
    int limit = maxReconsumeTimes(q.group);
    for (InFlight f : q.due(now, Integer.MAX_VALUE)) {
      if (changed.size() >= max) {
        break;
      }
      if (f.reconsumeTimes >= limit) {
        continue; // the revive round moves it to the DLQ
      }
      if (f.popTime >= popTime) {
        continue; // made visible after popTimeFor looked: the same popTime would name two
      }
      byte[] record = readRecord(q.topic, q.queueId, f.offset);
      if (record == null) {
        log.warn(
            "In-flight message {}@{}:{} of group {} is gone from the store; forgetting it",
            q.topic,
            q.queueId,
            f.offset,
            q.group);
        PopQueue.Finished done = q.finish(f.offset);
        appends.add(markLogged(append(q, List.of(f.finished(PopLogRecord.Kind.DEAD))), done));
        continue;
      }
      if (round.keep() != null && !matches(round.filter(), q, f.offset, record)) {
        continue; // visible again for the group's other consumers
      }
      q.reschedule(f, popTime, popTime + round.invisibleMillis());
      f.reconsumeTimes++;
      setReconsumeTimes(record, f.reconsumeTimes);
      round.out().add(new Delivered(q.queueId, f.offset, f.reconsumeTimes, record, true));
      changed.add(f);
    }
    int rounds = 0;
    while (changed.size() < max && rounds++ < 16) {
      boolean more =
          round.keep() == null
              ? scan(q, max - changed.size(), round, changed)
              : scanKeeping(q, max - changed.size(), round, changed);
      if (!more) {
        break;
      }
    }
    q.advanceScan(q.scanFrom);
    if (!changed.isEmpty()) {
      List<PopLogRecord.Entry> entries = new ArrayList<>(changed.size());
      for (InFlight f : changed) {
        entries.add(f.entry());
      }
      CompletableFuture<AppendResult> a = append(q, entries);
      a.thenAccept(r -> setLogPos(changed, r));
      appends.add(a);
    }
    commitIfMoved(q);
  }

  /** Reads new messages from scanFrom; false when there is nothing more to look at now. */
  private boolean scan(PopQueue q, int max, Round round, List<InFlight> changed) {
    long popTime = round.popTime();
    try (GetMessageResult r =
        store.getMessages(
            q.topic, q.queueId, q.scanFrom, max, config.maxPullBatchBytes(), round.filter())) {
      switch (r.status()) {
        case FOUND -> {
          for (StoredBytes b : r.messages()) {
            long offset = b.buffer().getLong(MessageRecordLayout.QUEUE_OFFSET);
            if (q.taken(offset)) {
              continue; // in flight or done already (a pop that kept unmatched ones took it)
            }
            byte[] record = b.toArray();
            InFlight f =
                new InFlight(
                    offset, popTime, popTime + round.invisibleMillis(), reconsumeTimes(record));
            q.put(f);
            round.out().add(new Delivered(q.queueId, offset, f.reconsumeTimes, record));
            changed.add(f);
          }
          q.advanceScan(r.nextBeginOffset());
          return true;
        }
        case NO_MATCHED_MESSAGE, MESSAGE_WAS_REMOVING, OFFSET_TOO_SMALL -> {
          q.advanceScan(r.nextBeginOffset());
          return true;
        }
        case OFFSET_OVERFLOW_BADLY -> {
          q.scanFrom = r.nextBeginOffset();
          return false;
        }
        default -> {
          return false;
        }
      }
    }
  }

  /**
   * Reads new messages the filter matches from where this filter's last scan stopped, leaving the
   * others (and scanFrom) alone; false when there is nothing more to look at now.
   */
  private boolean scanKeeping(PopQueue q, int max, Round round, List<InFlight> changed) {
    long popTime = round.popTime();
    long from = q.cursor(round.keep());
    try (GetMessageResult r =
        store.getMessages(
            q.topic, q.queueId, from, max, config.maxPullBatchBytes(), round.filter())) {
      switch (r.status()) {
        case FOUND -> {
          for (StoredBytes b : r.messages()) {
            long offset = b.buffer().getLong(MessageRecordLayout.QUEUE_OFFSET);
            if (q.taken(offset)) {
              continue;
            }
            byte[] record = b.toArray();
            InFlight f =
                new InFlight(
                    offset, popTime, popTime + round.invisibleMillis(), reconsumeTimes(record));
            q.put(f);
            round.out().add(new Delivered(q.queueId, offset, f.reconsumeTimes, record));
            changed.add(f);
          }
          q.cursor(round.keep(), r.nextBeginOffset());
          return true;
        }
        case NO_MATCHED_MESSAGE, MESSAGE_WAS_REMOVING -> {
          q.cursor(round.keep(), r.nextBeginOffset());
          return true;
        }
        case OFFSET_TOO_SMALL -> {
          q.advanceScan(r.nextBeginOffset()); // below the queue's first message nothing is left
          return true;
        }
        case OFFSET_OVERFLOW_BADLY -> {
          q.cursor(round.keep(), r.nextBeginOffset());
          return false;
        }
        default -> {
          return false;
        }
      }
    }
  }

  private boolean matches(MessageFilter filter, PopQueue q, long offset, byte[] record) {
    ConsumeQueueEntry e = store.queueEntry(q.topic, q.queueId, offset);
    return (e == null || filter.matchesTagsCode(e.tagsCode()))
        && filter.matchesRecord(java.nio.ByteBuffer.wrap(record));
  }

  // ---------------------------------------------------------------- ack and change

  /**
   * Acknowledges the delivery made at {@code popTime}. A message already done is acknowledged again
   * without effect; a handle from an earlier delivery is refused while a later one is invisible.
   */
  public CompletableFuture<Outcome> ack(
      String group, String topic, int queueId, long offset, long popTime) {
    DeliveryAction<Outcome> acknowledge =
        (q, f, now) ->
            finishLogged(q, f, PopLogRecord.Kind.ACKED)
                .thenApply(r -> r.isOk() ? Outcome.OK : Outcome.LOG_FAILED);
    // Acknowledging a message that is done already succeeds again.
    BiFunction<PopQueue, Outcome, Outcome> refused =
        (q, o) ->
            o == Outcome.NOT_IN_FLIGHT && isDone(q, group, topic, queueId, offset) ? Outcome.OK : o;
    return onDelivery(new Key(group, topic, queueId), offset, popTime, refused, acknowledge);
  }

  /**
   * Acknowledges several deliveries of one queue, each as {@link #ack(String, String, int, long,
   * long)} would, with one pop-log record for all that were in flight. Outcomes in the order given.
   */
  public CompletableFuture<List<Outcome>> ackAll(
      String group, String topic, int queueId, long[] queueOffsets, long[] popTimes) {
    Outcome[] out = new Outcome[queueOffsets.length];
    PopQueue q = queues.get(new Key(group, topic, queueId));
    if (q == null) {
      long committed = Math.max(0, offsets.query(group, topic, queueId));
      for (int i = 0; i < queueOffsets.length; i++) {
        out[i] = queueOffsets[i] < committed ? Outcome.OK : Outcome.NOT_IN_FLIGHT;
      }
      return CompletableFuture.completedFuture(List.of(out));
    }
    q.lock.lock();
    try {
      long now = clock.millis();
      List<PopLogRecord.Entry> entries = new ArrayList<>(queueOffsets.length);
      List<PopQueue.Finished> finished = new ArrayList<>(queueOffsets.length);
      int[] logged = new int[queueOffsets.length];
      int n = 0;
      for (int i = 0; i < queueOffsets.length; i++) {
        long offset = queueOffsets[i];
        InFlight f = q.get(offset);
        if (f == null) {
          out[i] = q.isDone(offset) ? Outcome.OK : Outcome.NOT_IN_FLIGHT;
          continue;
        }
        if (f.popTime != popTimes[i] && f.deadline > now) {
          out[i] = Outcome.STALE_HANDLE;
          continue;
        }
        finished.add(q.finish(offset));
        entries.add(
            new PopLogRecord.Entry(
                offset, PopLogRecord.Kind.ACKED, f.popTime, 0, f.reconsumeTimes));
        logged[n++] = i;
      }
      if (entries.isEmpty()) {
        return CompletableFuture.completedFuture(List.of(out));
      }
      CompletableFuture<AppendResult> a = append(q, entries);
      for (PopQueue.Finished done : finished) {
        markLogged(a, done);
      }
      q.advanceScan(q.scanFrom);
      commitIfMoved(q);
      int loggedCount = n;
      return a.thenApply(
          r -> {
            for (int j = 0; j < loggedCount; j++) {
              out[logged[j]] = r.isOk() ? Outcome.OK : Outcome.LOG_FAILED;
            }
            return List.of(out);
          });
    } finally {
      q.lock.unlock();
    }
  }

  /**
   * Keeps the delivery made at {@code popTime} invisible for {@code invisibleMillis} from now; the
   * answer carries the new popTime, which identifies the receipt handle from then on. The new
   * popTime is now, or one more than the old one if that is not earlier (a change within the
   * millisecond of the pop), so the old handle never names the delivery again.
   */
  public CompletableFuture<Change> changeInvisibleTime(
      String group, String topic, int queueId, long offset, long popTime, long invisibleMillis) {
    DeliveryAction<Change> keepInvisible =
        (q, f, now) -> {
          long changedAt = Math.max(now, f.popTime + 1);
          q.reschedule(f, changedAt, changedAt + invisibleMillis);
          return logInFlight(q, f)
              .thenApply(
                  r ->
                      r.isOk()
                          ? new Change(Outcome.OK, changedAt)
                          : new Change(Outcome.LOG_FAILED, 0));
        };
    BiFunction<PopQueue, Outcome, Change> refused = (q, o) -> new Change(o, 0);
    return onDelivery(new Key(group, topic, queueId), offset, popTime, refused, keepInvisible);
  }

  /**
   * Makes the delivery made at {@code popTime} visible again at once (the next pop takes it). With
   * {@code countDelivery} false the next delivery carries this one's reconsumeTimes and this
   * delivery does not count toward the group's limit (AMQP released); with true it counts as a
   * failed delivery (AMQP modified with delivery-failed).
   */
  public CompletableFuture<Outcome> release(
      String group, String topic, int queueId, long offset, long popTime, boolean countDelivery) {
    DeliveryAction<Outcome> makeVisible =
        (q, f, now) -> {
          q.reschedule(f, f.popTime, now);
          if (!countDelivery) {
            f.reconsumeTimes--; // the next pop adds it back
          }
          return logInFlight(q, f).thenApply(r -> r.isOk() ? Outcome.OK : Outcome.LOG_FAILED);
        };
    return onDelivery(new Key(group, topic, queueId), offset, popTime, (q, o) -> o, makeVisible);
  }

  /**
   * Sends the delivery made at {@code popTime} to the group's dead-letter queue at once and
   * finishes it for the group; {@code reason} (may be null) is stored with the dead letter. The
   * future completes once both the dead letter and the pop log record are stored.
   */
  public CompletableFuture<Outcome> deadLetter(
      String group, String topic, int queueId, long offset, long popTime, String reason) {
    DeliveryAction<Outcome> sendToDlq =
        (q, f, now) -> {
          ConsumeQueueEntry e = store.queueEntry(topic, queueId, offset);
          CompletableFuture<AppendResult> dead =
              e == null
                  ? CompletableFuture.completedFuture(null)
                  : deadLetters.send(
                      group, topic, e.physicalOffset(), f.reconsumeTimes + 1, reason);
          return dead.thenCombine(
              finishLogged(q, f, PopLogRecord.Kind.DEAD),
              (d, r) -> (d == null || d.isOk()) && r.isOk() ? Outcome.OK : Outcome.LOG_FAILED);
        };
    return onDelivery(new Key(group, topic, queueId), offset, popTime, (q, o) -> o, sendToDlq);
  }

  /** What an ack, change, release or dead-lettering does to the delivery its handle names. */
  @FunctionalInterface
  private interface DeliveryAction<T> {
    /** Called with {@code q}'s lock held; {@code now} is the clock's reading under it. */
    CompletableFuture<T> apply(PopQueue q, InFlight f, long now);
  }

  /**
   * Runs {@code action} on the in-flight delivery of {@code offset} that the handle {@code popTime}
   * names, with its queue's lock held; otherwise answers {@code refused} with NOT_IN_FLIGHT (no
   * such delivery; q is null when the group never popped the queue since the start) or STALE_HANDLE
   * (the handle is from an earlier delivery and a later one is invisible).
   */
  private <T> CompletableFuture<T> onDelivery(
      Key key,
      long offset,
      long popTime,
      BiFunction<PopQueue, Outcome, T> refused,
      DeliveryAction<T> action) {
    PopQueue q = queues.get(key);
    if (q == null) {
      return CompletableFuture.completedFuture(refused.apply(null, Outcome.NOT_IN_FLIGHT));
    }
    q.lock.lock();
    try {
      InFlight f = q.get(offset);
      long now = clock.millis();
      if (f == null) {
        return CompletableFuture.completedFuture(refused.apply(q, Outcome.NOT_IN_FLIGHT));
      }
      if (f.popTime != popTime && f.deadline > now) {
        return CompletableFuture.completedFuture(refused.apply(q, Outcome.STALE_HANDLE));
      }
      return action.apply(q, f, now);
    } finally {
      q.lock.unlock();
    }
  }

  /** Whether the group finished {@code offset}; q (locked) is null when it never popped it. */
  private boolean isDone(PopQueue q, String group, String topic, int queueId, long offset) {
    return q == null
        ? offset < Math.max(0, offsets.query(group, topic, queueId))
        : q.isDone(offset);
  }

  /**
   * Finishes {@code f} for the group (acknowledged or dead-lettered) and logs it as {@code kind};
   * call with q's lock held.
   */
  private CompletableFuture<AppendResult> finishLogged(
      PopQueue q, InFlight f, PopLogRecord.Kind kind) {
    PopQueue.Finished done = q.finish(f.offset);
    CompletableFuture<AppendResult> a = markLogged(append(q, List.of(f.finished(kind))), done);
    q.advanceScan(q.scanFrom);
    commitIfMoved(q);
    return a;
  }

  /** Logs {@code f}'s new invisibility; call with q's lock held. */
  private CompletableFuture<AppendResult> logInFlight(PopQueue q, InFlight f) {
    CompletableFuture<AppendResult> a = append(q, List.of(f.entry()));
    a.thenAccept(r -> setLogPos(List.of(f), r));
    return a;
  }

  /**
   * What a browser needs of a queue's pop state: done below scanFrom unless in flight, and at or
   * above it when in {@code doneAhead} (finished by a pop that kept unmatched messages).
   */
  public record View(
      long committed, long scanFrom, java.util.Set<Long> inFlight, java.util.Set<Long> doneAhead) {

    /** Whether the group finished {@code offset}. */
    public boolean isDone(long offset) {
      return offset < scanFrom ? !inFlight.contains(offset) : doneAhead.contains(offset);
    }
  }

  /** The pop state of a group's queue, or null when the group never popped it. */
  public View view(String group, String topic, int queueId) {
    PopQueue q = queues.get(new Key(group, topic, queueId));
    if (q == null) {
      return null;
    }
    q.lock.lock();
    try {
      java.util.Set<Long> offsets = new java.util.HashSet<>();
      for (InFlight f : q.all()) {
        offsets.add(f.offset);
      }
      return new View(q.committed(), q.scanFrom, offsets, q.doneAheadOffsets());
    } finally {
      q.lock.unlock();
    }
  }

  /**
   * Forgets the pop state of every (group, topic) that {@code which} names: a deleted group,
   * subscription or topic. What was in flight is logged as acknowledged, so a replay does not bring
   * it back. Returns the number of queues forgotten.
   */
  public int forget(java.util.function.BiPredicate<String, String> which) {
    int n = 0;
    for (Map.Entry<Key, PopQueue> en : queues.entrySet()) {
      Key k = en.getKey();
      if (!which.test(k.group(), k.topic())) {
        continue;
      }
      PopQueue q = en.getValue();
      q.lock.lock();
      try {
        List<PopLogRecord.Entry> done = new ArrayList<>();
        for (InFlight f : q.all()) {
          done.add(f.finished(PopLogRecord.Kind.ACKED));
          q.remove(f.offset);
        }
        if (!done.isEmpty()) {
          append(q, done);
        }
        queues.remove(k, q);
        n++;
      } finally {
        q.lock.unlock();
      }
    }
    return n;
  }

  /**
   * Makes every in-flight message of {@code group} that was popped before this start (read from the
   * pop log by {@link #load}) due now, each at most once: its holder kept the receipt in the memory
   * of a process that is gone (an AMQP link), so it would only wait out its invisibility. Only
   * memory changes: a replay after another crash reads the old deadline, and the caller returns it
   * again. Returns how many.
   */
  public int returnFromBeforeStart(String group) {
    long now = clock.millis();
    int n = 0;
    for (PopQueue q : queues.values()) {
      if (!q.group.equals(group)) {
        continue;
      }
      q.lock.lock();
      try {
        for (InFlight f : q.all()) {
          if (f.fromBeforeStart) {
            f.fromBeforeStart = false;
            if (f.deadline > now) {
              q.reschedule(f, f.popTime, now);
            }
            n++;
          }
        }
      } finally {
        q.lock.unlock();
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- revive, checkpoint, replay

  /**
   * One revive round: messages whose invisibility ended after their last allowed delivery go to the
   * DLQ. Returns the topics that have messages visible again, so held pops can be woken.
   */
  public List<String> revive() {
    long now = clock.millis();
    List<String> visible = new ArrayList<>();
    for (PopQueue q : queues.values()) {
      if (!q.lock.tryLock()) {
        continue;
      }
      try {
        if (!q.hasDue(now)) {
          continue;
        }
        int limit = maxReconsumeTimes(q.group);
        List<PopLogRecord.Entry> dead = new ArrayList<>();
        List<PopQueue.Finished> finished = new ArrayList<>();
        boolean redeliverable = false;
        for (InFlight f : q.due(now, Integer.MAX_VALUE)) {
          if (f.reconsumeTimes < limit) {
            redeliverable = true;
            continue;
          }
          finished.add(q.finish(f.offset));
          ConsumeQueueEntry e = store.queueEntry(q.topic, q.queueId, f.offset);
          if (e != null) {
            deadLetters.send(q.group, q.topic, e.physicalOffset(), f.reconsumeTimes + 1);
          }
          dead.add(f.finished(PopLogRecord.Kind.DEAD));
        }
        if (!dead.isEmpty()) {
          CompletableFuture<AppendResult> a = append(q, dead);
          for (PopQueue.Finished d : finished) {
            markLogged(a, d);
          }
          q.advanceScan(q.scanFrom);
          commitIfMoved(q);
        }
        if (redeliverable && !visible.contains(q.topic)) {
          visible.add(q.topic);
        }
      } finally {
        q.lock.unlock();
      }
    }
    return visible;
  }

  /** Whether a pop of these queues would find something now (closes the hold race). */
  public boolean hasAvailable(String group, String topic, int[] queueIds) {
    return hasAvailable(group, topic, queueIds, MessageFilter.ALL, null);
  }

  /**
   * Whether a pop with {@code filter} and {@code keepUnmatched} (see {@link #pop(String, String,
   * int[], int, long, MessageFilter, int, String)}) might find something now: messages past where
   * that filter's scan stopped, or due messages it matches.
   */
  public boolean hasAvailable(
      String group, String topic, int[] queueIds, MessageFilter filter, String keepUnmatched) {
    long now = clock.millis();
    int limit = maxReconsumeTimes(group);
    String keep = filter == MessageFilter.ALL ? null : keepUnmatched;
    for (int queueId : queueIds) {
      PopQueue q = queues.get(new Key(group, topic, queueId));
      long max = store.maxOffset(topic, queueId);
      if (q == null ? max > 0 : keep == null && max > q.scanFrom) {
        return true;
      }
      if (q != null && q.lock.tryLock()) {
        try {
          if (keep != null && max > q.cursor(keep)) {
            return true;
          }
          // Due messages past the limit wait for the revive round; they are not poppable.
          for (InFlight f : q.due(now, Integer.MAX_VALUE)) {
            if (f.reconsumeTimes < limit && (keep == null || matchesStored(filter, q, f.offset))) {
              return true;
            }
          }
        } finally {
          q.lock.unlock();
        }
      }
    }
    return false;
  }

  /**
   * Records where a replay must start (the oldest record that is the latest about some in-flight
   * message), so that it is persisted with the committed offsets it is consistent with. Call before
   * persisting offsets.
   */
  public void checkpoint() {
    long start = popLog.end();
    for (PopQueue q : queues.values()) {
      q.lock.lock();
      try {
        start = q.replayStart(start);
      } finally {
        q.lock.unlock();
      }
    }
    popLog.replayFrom(start);
  }

  /** Rebuilds the pop state from the pop log. Call once, before serving, after dispatch. */
  public void load() {
    load(group -> true);
  }

  /**
   * Rebuilds the pop state from the pop log, keeping only groups that {@code known} accepts: a
   * group that lived in memory only (a non-durable subscription) is gone after a restart, and so is
   * what it had in flight. Call once, before serving, after dispatch.
   */
  public void load(java.util.function.Predicate<String> known) {
    int applied = popLog.replay(this::apply);
    queues.keySet().removeIf(k -> !known.test(k.group()));
    int inFlight = 0;
    for (PopQueue q : queues.values()) {
      q.lock.lock();
      try {
        long committed = offsets.query(q.group, q.topic, q.queueId);
        if (committed >= 0) {
          q.dropBelow(committed);
          q.scanFrom = Math.max(q.scanFrom, committed);
        }
        inFlight += q.inFlightCount();
        commitIfMoved(q);
      } finally {
        q.lock.unlock();
      }
    }
    log.info(
        "Pop state from {} records: {} queues, {} messages in flight",
        applied,
        queues.size(),
        inFlight);
  }

  private void apply(PopLogRecord r, long pos) {
    PopQueue q =
        queues.computeIfAbsent(
            new Key(r.group(), r.topic(), r.queueId()),
            k -> new PopQueue(k.group(), k.topic(), k.queueId(), r.scanFrom()));
    q.lock.lock();
    try {
      q.scanFrom = Math.max(q.scanFrom, r.scanFrom());
      for (PopLogRecord.Entry e : r.entries()) {
        if (e.kind() == PopLogRecord.Kind.IN_FLIGHT) {
          InFlight f = new InFlight(e.offset(), e.popTime(), e.deadline(), e.reconsumeTimes());
          f.logPos = pos;
          f.fromBeforeStart = true;
          q.put(f);
        } else {
          PopQueue.Finished done = q.finish(e.offset());
          if (done != null) {
            done.logPos = pos;
          }
        }
      }
      q.advanceScan(q.scanFrom);
    } finally {
      q.lock.unlock();
    }
  }

  /**
   * The oldest offset of the queue the group has not finished (delivered and not acknowledged, or
   * not delivered yet), or -1 when the group never popped the queue since the start. Retention pins
   * of groups with queue semantics read it.
   */
  public long oldestUnfinished(String group, String topic, int queueId) {
    PopQueue q = queues.get(new Key(group, topic, queueId));
    if (q == null) {
      return -1;
    }
    q.lock.lock();
    try {
      return q.committed();
    } finally {
      q.lock.unlock();
    }
  }

  /**
   * Finishes every message of the queue below {@code offset} that is not in flight (a purge of a
   * queue's ready messages): the group's scan moves there, what is in flight stays. Recorded in the
   * pop log when messages are in flight (the committed offset cannot move past them), else as the
   * committed offset. A group that never popped the queue gets its committed offset moved.
   */
  public void skipTo(String group, String topic, int queueId, long offset) {
    PopQueue q = queues.get(new Key(group, topic, queueId));
    if (q == null) {
      if (offsets.query(group, topic, queueId) < offset) {
        offsets.commit(group, topic, queueId, offset);
      }
      return;
    }
    q.lock.lock();
    try {
      q.advanceScan(offset);
      if (q.inFlightCount() > 0) {
        append(q, List.of());
      }
      commitIfMoved(q);
    } finally {
      q.lock.unlock();
    }
  }

  /**
   * Messages of the topic's first {@code queueCount} queues past the group's scan position: stored,
   * not yet handed out (a queue the group has not popped since the start counts from its committed
   * offset). Reads each position without its queue's lock, as {@link #hasAvailable} does: a hint
   * that may lag a pop in progress, cheap enough for a connection's thread.
   */
  public long readyBacklog(String group, String topic, int queueCount) {
    long ready = 0;
    for (int queueId = 0; queueId < queueCount; queueId++) {
      PopQueue q = queues.get(new Key(group, topic, queueId));
      long from = q != null ? q.scanFrom : offsets.query(group, topic, queueId);
      if (from >= 0) {
        ready += Math.max(0, store.maxOffset(topic, queueId) - from);
      }
    }
    return ready;
  }

  /** Messages in flight for a group's queue (tests and metrics). */
  public int inFlight(String group, String topic, int queueId) {
    PopQueue q = queues.get(new Key(group, topic, queueId));
    if (q == null) {
      return 0;
    }
    q.lock.lock();
    try {
      return q.inFlightCount();
    } finally {
      q.lock.unlock();
    }
  }

  // ---------------------------------------------------------------- helpers

  private PopQueue queue(String group, String topic, int queueId, int initMode) {
    return queues.computeIfAbsent(
        new Key(group, topic, queueId),
        k -> {
          long start = offsets.query(group, topic, queueId);
          if (start < 0) {
            long min = store.minOffset(topic, queueId);
            // As for pulls: a new group starts at the end unless asked for the beginning or the
            // queue still holds its first message.
            start = initMode == INIT_MODE_MIN || min == 0 ? min : store.maxOffset(topic, queueId);
            offsets.commit(group, topic, queueId, start);
          }
          return new PopQueue(group, topic, queueId, start);
        });
  }

  private void commitIfMoved(PopQueue q) {
    long c = q.committedIfMoved();
    if (c >= 0) {
      offsets.commit(q.group, q.topic, q.queueId, c);
    }
  }

  /** Appends a record about {@code q}; call with q's lock held (keeps the queue's log order). */
  private CompletableFuture<AppendResult> append(PopQueue q, List<PopLogRecord.Entry> entries) {
    return popLog.append(PopLog.record(q, entries));
  }

  /** Notes where the record finishing an offset above scanFrom went (for the replay start). */
  private static CompletableFuture<AppendResult> markLogged(
      CompletableFuture<AppendResult> a, PopQueue.Finished done) {
    if (done != null) {
      a.thenAccept(
          r -> {
            if (r.isOk()) {
              done.logPos = r.queueOffset();
            }
          });
    }
    return a;
  }

  private static void setLogPos(List<InFlight> changed, AppendResult r) {
    if (r.isOk()) {
      for (InFlight f : changed) {
        f.logPos = Math.max(f.logPos, r.queueOffset());
      }
    }
  }

  private boolean matchesStored(MessageFilter filter, PopQueue q, long offset) {
    byte[] record = readRecord(q.topic, q.queueId, offset);
    return record != null && matches(filter, q, offset, record);
  }

  private byte[] readRecord(String topic, int queueId, long offset) {
    try (StoredBytes b = store.readQueueRecord(topic, queueId, offset)) {
      return b == null ? null : b.toArray();
    }
  }

  private static int reconsumeTimes(byte[] record) {
    int sysFlag = java.nio.ByteBuffer.wrap(record).getInt(MessageRecordLayout.SYS_FLAG);
    return java.nio.ByteBuffer.wrap(record)
        .getInt(MessageRecordLayout.reconsumeTimesOffset(sysFlag));
  }

  private static void setReconsumeTimes(byte[] record, int times) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(record);
    b.putInt(
        MessageRecordLayout.reconsumeTimesOffset(b.getInt(MessageRecordLayout.SYS_FLAG)), times);
  }
}
