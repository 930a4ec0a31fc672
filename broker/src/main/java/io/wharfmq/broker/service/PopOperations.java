package io.wharfmq.broker.service;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.pop.PopHoldService;
import io.wharfmq.broker.pop.PopService;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.service.AckStatus;
import io.wharfmq.service.ChangeResult;
import io.wharfmq.service.PeekCommand;
import io.wharfmq.service.PeekPosition;
import io.wharfmq.service.PeekResult;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.PopResult;
import io.wharfmq.service.Receipt;
import io.wharfmq.service.ReceivedMessage;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import io.wharfmq.store.GetMessageResult;
import io.wharfmq.store.MessageFilter;
import io.wharfmq.store.commitlog.StoredBytes;
import io.wharfmq.store.format.MessageRecordLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POP for the service: pop (with long polling through the shared {@link PopHoldService}), ack,
 * invisibility changes, release, dead-lettering and peek. Expired messages (past {@link
 * RecordExpiry}) are never handed out: a pop acknowledges them, a peek skips them. Thread-safe.
 */
final class PopOperations {
  private static final Logger log = LoggerFactory.getLogger(PopOperations.class);

  /** Most messages one pop takes (as RocketMQ). */
  static final int MAX_POP_NUMS = 32;

  /** Longest invisibility accepted (RocketMQ's clients allow up to 12 h). */
  static final long MAX_INVISIBLE_MILLIS = TimeUnit.HOURS.toMillis(12);

  /** Pop rounds in a row that may find only expired messages before the pop answers empty. */
  private static final int EXPIRED_ROUNDS = 8;

  private final BrokerContext ctx;
  private final GroupRegistry groups;
  private final PopService pops;
  private final PopHoldService holds;
  private final Executor executor;
  private final QueueRules rules;

  /**
   * The pops that may wait, by group: deleting a group answers them, so that a pop never outlives
   * its group and takes messages for a group made again under the same name.
   */
  private final Map<String, Set<PopTask>> waiting = new ConcurrentHashMap<>();

  PopOperations(
      BrokerContext ctx,
      GroupRegistry groups,
      PopService pops,
      PopHoldService holds,
      Executor executor,
      QueueRules rules) {
    this.ctx = ctx;
    this.groups = groups;
    this.pops = pops;
    this.holds = holds;
    this.executor = executor;
    this.rules = rules;
  }

  /** One pop request being served: its checked parameters and its answer. */
  private record PopTask(
      PopCommand command,
      MessageFilter filter,
      int[] queueIds,
      long deadlineNanos,
      CompletableFuture<PopResult> answer) {}

  /** Pops with the command's filter, or with {@code parsed} when the caller parsed it already. */
  CompletableFuture<PopResult> pop(PopCommand c, MessageFilter parsed) {
    String problem = null;
    if (c.max() < 1 || c.max() > MAX_POP_NUMS) {
      problem = "max must be 1.." + MAX_POP_NUMS + ", is " + c.max();
    } else if (c.invisibleMillis() <= 0 || c.invisibleMillis() > MAX_INVISIBLE_MILLIS) {
      problem =
          "invisibleTime must be 1.." + MAX_INVISIBLE_MILLIS + " ms, is " + c.invisibleMillis();
    } else if (c.pollMillis() < 0) {
      problem = "pollMillis must not be negative, is " + c.pollMillis();
    }
    if (problem != null) {
      return CompletableFuture.completedFuture(PopResult.fail(Status.ILLEGAL, problem));
    }
    rules.used(c.topic()); // a consumer: the queue is in use (x-expires)
    Result<Void> group;
    try {
      group = groups.mayConsume(c.group());
    } catch (IOException e) {
      return CompletableFuture.completedFuture(
          PopResult.fail(Status.ERROR, "cannot create subscription group: " + e));
    }
    if (!group.isOk()) {
      return CompletableFuture.completedFuture(PopResult.fail(group.status(), group.detail()));
    }
    Result<TopicConfig> topic = ReadFilters.readable(ctx, c.topic(), c.queueId(), true);
    if (!topic.isOk()) {
      return CompletableFuture.completedFuture(PopResult.fail(topic.status(), topic.detail()));
    }
    Result<MessageFilter> filter =
        parsed != null ? Result.ok(parsed) : ReadFilters.filter(c.filterType(), c.expression());
    if (!filter.isOk()) {
      return CompletableFuture.completedFuture(PopResult.fail(filter.status(), filter.detail()));
    }
    PopTask task =
        new PopTask(
            c,
            filter.value(),
            queueIds(c.queueId(), topic.value().readQueueNums()),
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(c.pollMillis()),
            new CompletableFuture<>());
    if (c.pollMillis() > 0) {
      waiting.compute(
          c.group(),
          (g, set) -> {
            Set<PopTask> out = set != null ? set : ConcurrentHashMap.newKeySet();
            out.add(task);
            return out;
          });
      task.answer()
          .whenComplete(
              (r, e) ->
                  waiting.computeIfPresent(
                      c.group(),
                      (g, set) -> {
                        set.remove(task);
                        return set.isEmpty() ? null : set;
                      }));
    }
    attempt(task, 0);
    return task.answer();
  }

  /** Whether pops of the group wait for messages now (a consumer is there). */
  boolean hasWaiting(String group) {
    return waiting.containsKey(group);
  }

  /**
   * Answers the group's waiting pops at once with NOT_FOUND, as a held pop that finds its group
   * gone does: waiting for its next attempt is not enough when the group is made again under the
   * same name meanwhile (a shared subscription's next first link).
   */
  void groupDeleted(String group) {
    Set<PopTask> tasks = waiting.remove(group);
    if (tasks != null) {
      for (PopTask t : tasks) {
        t.answer().complete(PopResult.fail(Status.NOT_FOUND, "group " + group + " deleted"));
      }
    }
  }

  private void attempt(PopTask t, int expiredRounds) {
    if (t.answer().isDone()) {
      return; // cancelled by the caller while held
    }
    PopCommand c = t.command();
    if (!groups.exists(c.group())) {
      // Deleted while the pop was held: popping now would make pop state and offsets for it again.
      log.debug("Held pop of {} ends: group {} was deleted", c.topic(), c.group());
      t.answer().complete(PopResult.fail(Status.NOT_FOUND, "group " + c.group() + " deleted"));
      return;
    }
    int initMode = c.startAtHead() ? PopService.INIT_MODE_MIN : 1;
    pops.pop(
            c.group(),
            c.topic(),
            t.queueIds(),
            c.max(),
            c.invisibleMillis(),
            t.filter(),
            initMode,
            keepKey(c))
        .whenComplete(
            (r, error) -> {
              if (error != null) {
                log.error("Pop of {} for group {} failed", c.topic(), c.group(), error);
                t.answer().complete(PopResult.fail(Status.ERROR, "pop failed: " + error));
                return;
              }
              answer(t, r, expiredRounds);
            });
  }

  private void answer(PopTask t, PopService.PopResult r, int expiredRounds) {
    PopCommand c = t.command();
    long now = ctx.clock().millis();
    List<ReceivedMessage> out = new ArrayList<>(r.messages().size());
    int expired = 0;
    for (PopService.Delivered d : r.messages()) {
      if (rules.isExpired(c.topic(), ByteBuffer.wrap(d.record()), now)) {
        expired++; // dead-lettered through the queue's exchange, or dropped
        rules.expired(c.group(), c.topic(), d.queueId(), d.offset(), d.record(), r.popTime());
        log.debug(
            "Expired message {}:{}@{} finished for group {} without delivery",
            c.topic(),
            d.queueId(),
            d.offset(),
            c.group());
        continue;
      }
      Receipt receipt = new Receipt(c.group(), c.topic(), d.queueId(), d.offset(), r.popTime());
      out.add(new StoredReceivedMessage(d.record(), receipt, d.deliveredBefore()));
    }
    if (expired > 0) {
      ctx.stats().expired(expired);
    }
    if (!out.isEmpty()) {
      ctx.stats().delivered(c.topic(), c.group(), out.size());
      if (!t.answer().complete(new PopResult(Status.OK, null, r.popTime(), out, r.restNum()))) {
        // Cancelled while the pop ran: give the messages back rather than wait out invisibility.
        for (ReceivedMessage m : out) {
          release(m.receipt(), false);
        }
      }
      return;
    }
    if (expired > 0 && expiredRounds < EXPIRED_ROUNDS) {
      executor.execute(() -> attempt(t, expiredRounds + 1));
      return;
    }
    boolean waitMore = System.nanoTime() - t.deadlineNanos() < 0;
    if (waitMore && ctx.config().longPollingEnable()) {
      PopHoldService.HeldPop held =
          new PopHoldService.HeldPop(
              c.topic(),
              t.deadlineNanos(),
              () -> !t.answer().isDone(),
              () -> executor.execute(() -> attempt(t, 0)));
      if (holds.hold(held)) {
        if (pops.hasAvailable(c.group(), c.topic(), t.queueIds(), t.filter(), keepKey(c))) {
          holds.wake(c.topic());
        }
        return;
      }
      t.answer()
          .complete(
              new PopResult(
                  Status.BUSY,
                  "pop not held: maxPopPollingSize pops are held, or the broker is stopping",
                  r.popTime(),
                  List.of(),
                  r.restNum()));
      return;
    }
    t.answer().complete(new PopResult(Status.OK, null, r.popTime(), List.of(), r.restNum()));
  }

  /** Names the filter of a pop that leaves unmatched messages to the group, else null. */
  private static String keepKey(PopCommand c) {
    return c.keepUnmatched() ? c.filterType() + ":" + c.expression() : null;
  }

  CompletableFuture<AckStatus> ack(Receipt r) {
    return pops.ack(r.group(), r.topic(), r.queueId(), r.queueOffset(), r.popTime())
        .thenApply(PopOperations::status);
  }

  /**
   * Acknowledges each receipt as {@link #ack} would, the receipts of one queue with one pop-log
   * record. Statuses in the receipts' order.
   */
  CompletableFuture<List<AckStatus>> ackAll(List<Receipt> receipts) {
    if (receipts.size() == 1) {
      return ack(receipts.get(0)).thenApply(List::of);
    }
    // Receipts of one queue, in order, keyed by the queue; the index of each in the answer.
    Map<QueueKey, List<Integer>> byQueue = new LinkedHashMap<>();
    for (int i = 0; i < receipts.size(); i++) {
      Receipt r = receipts.get(i);
      byQueue
          .computeIfAbsent(new QueueKey(r.group(), r.topic(), r.queueId()), k -> new ArrayList<>())
          .add(i);
    }
    AckStatus[] out = new AckStatus[receipts.size()];
    List<CompletableFuture<?>> parts = new ArrayList<>(byQueue.size());
    for (Map.Entry<QueueKey, List<Integer>> e : byQueue.entrySet()) {
      QueueKey k = e.getKey();
      List<Integer> idx = e.getValue();
      long[] offsets = new long[idx.size()];
      long[] popTimes = new long[idx.size()];
      for (int j = 0; j < offsets.length; j++) {
        Receipt r = receipts.get(idx.get(j));
        offsets[j] = r.queueOffset();
        popTimes[j] = r.popTime();
      }
      parts.add(
          pops.ackAll(k.group(), k.topic(), k.queueId(), offsets, popTimes)
              .thenAccept(
                  outcomes -> {
                    for (int j = 0; j < outcomes.size(); j++) {
                      out[idx.get(j)] = status(outcomes.get(j));
                    }
                  }));
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
        .thenApply(v -> Arrays.asList(out));
  }

  private record QueueKey(String group, String topic, int queueId) {}

  CompletableFuture<ChangeResult> changeInvisibility(Receipt r, long invisibleMillis) {
    if (invisibleMillis < 0 || invisibleMillis > MAX_INVISIBLE_MILLIS) {
      return CompletableFuture.completedFuture(new ChangeResult(AckStatus.NOT_IN_FLIGHT, null));
    }
    return pops.changeInvisibleTime(
            r.group(), r.topic(), r.queueId(), r.queueOffset(), r.popTime(), invisibleMillis)
        .thenApply(
            ch -> {
              AckStatus s = status(ch.outcome());
              if (s != AckStatus.OK) {
                return new ChangeResult(s, null);
              }
              if (invisibleMillis == 0) {
                holds.wake(r.topic());
              } else {
                // the new popTime may run a millisecond ahead of the clock, and the pop that
                // takes the message again needs a later one
                holds.wakeAfter(r.topic(), invisibleMillis + 2);
              }
              return new ChangeResult(
                  s, new Receipt(r.group(), r.topic(), r.queueId(), r.queueOffset(), ch.popTime()));
            });
  }

  CompletableFuture<AckStatus> release(Receipt r, boolean countDelivery) {
    return pops.release(
            r.group(), r.topic(), r.queueId(), r.queueOffset(), r.popTime(), countDelivery)
        .thenApply(
            o -> {
              if (o == PopService.Outcome.OK) {
                holds.wake(r.topic());
              }
              return status(o);
            });
  }

  CompletableFuture<AckStatus> deadLetter(Receipt r, String reason) {
    return pops.deadLetter(r.group(), r.topic(), r.queueId(), r.queueOffset(), r.popTime(), reason)
        .thenApply(PopOperations::status);
  }

  /** Reads what the group has not finished, queue by queue, without taking anything. */
  CompletableFuture<PeekResult> peek(PeekCommand c) {
    Result<TopicConfig> topic = ReadFilters.readable(ctx, c.topic(), -1, true);
    if (!topic.isOk()) {
      return peekFail(topic.status(), topic.detail());
    }
    Result<MessageFilter> filter = ReadFilters.filter(c.filterType(), c.expression());
    if (!filter.isOk()) {
      return peekFail(filter.status(), filter.detail());
    }
    if (c.max() < 1) {
      return peekFail(Status.ILLEGAL, "max must be at least 1, is " + c.max());
    }
    int queues = topic.value().readQueueNums();
    long[] next = new long[queues];
    Arrays.fill(next, -1);
    if (c.after() != null) {
      long[] after = c.after().nextOffsets();
      System.arraycopy(after, 0, next, 0, Math.min(after.length, queues));
    }
    long now = ctx.clock().millis();
    List<ReceivedMessage> out = new ArrayList<>();
    for (int q = 0; q < queues && out.size() < c.max(); q++) {
      PopService.View view = pops.view(c.group(), c.topic(), q);
      long pos = next[q];
      if (pos < 0) {
        long committed = view != null ? view.committed() : committedOrMin(c, q);
        pos = committed;
      }
      next[q] = peekQueue(c, q, pos, view, filter.value(), now, out);
    }
    return CompletableFuture.completedFuture(
        new PeekResult(Status.OK, null, out, new PeekPosition(next)));
  }

  private long committedOrMin(PeekCommand c, int queueId) {
    long committed = ctx.offsets().query(c.group(), c.topic(), queueId);
    return committed >= 0 ? committed : ctx.store().minOffset(c.topic(), queueId);
  }

  /** Adds what a browser sees of one queue from {@code pos}; returns where to go on. */
  private long peekQueue(
      PeekCommand c,
      int queueId,
      long pos,
      PopService.View view,
      MessageFilter filter,
      long now,
      List<ReceivedMessage> out) {
    for (int round = 0; round < 16 && out.size() < c.max(); round++) {
      try (GetMessageResult r =
          ctx.store()
              .getMessages(
                  c.topic(),
                  queueId,
                  pos,
                  c.max() - out.size(),
                  ctx.config().maxPullBatchBytes(),
                  filter)) {
        switch (r.status()) {
          case FOUND -> {
            for (StoredBytes b : r.messages()) {
              ByteBuffer record = b.buffer();
              long offset = record.getLong(MessageRecordLayout.QUEUE_OFFSET);
              boolean done = view != null && view.isDone(offset);
              if (!done && !rules.isExpired(c.topic(), record, now)) {
                out.add(new StoredReceivedMessage(b.toArray(), null));
              }
            }
            pos = r.nextBeginOffset();
          }
          case NO_MATCHED_MESSAGE, MESSAGE_WAS_REMOVING, OFFSET_TOO_SMALL ->
              pos = r.nextBeginOffset();
          default -> {
            return pos;
          }
        }
      }
    }
    return pos;
  }

  private static CompletableFuture<PeekResult> peekFail(Status status, String detail) {
    return CompletableFuture.completedFuture(new PeekResult(status, detail, List.of(), null));
  }

  static AckStatus status(PopService.Outcome o) {
    return switch (o) {
      case OK -> AckStatus.OK;
      case NOT_IN_FLIGHT -> AckStatus.NOT_IN_FLIGHT;
      case STALE_HANDLE -> AckStatus.STALE;
      case LOG_FAILED -> AckStatus.FAILED;
    };
  }

  static int[] queueIds(int queueId, int readQueueNums) {
    if (queueId >= 0) {
      return new int[] {queueId};
    }
    int[] all = new int[readQueueNums];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return all;
  }
}
