package io.wharfmq.broker.service;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.longpoll.PullRequestHoldService;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.service.PullCommand;
import io.wharfmq.service.PullResult;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import io.wharfmq.store.GetMessageResult;
import io.wharfmq.store.MessageFilter;
import io.wharfmq.store.commitlog.StoredBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * RocketMQ-style pull for the service: filtered reads of one queue from an offset, answered with
 * views into the store (no copy), expired records left out, long polling through the shared {@link
 * PullRequestHoldService}. Thread-safe.
 */
final class PullReader {
  private final BrokerContext ctx;
  private final GroupRegistry groups;
  private final PullRequestHoldService holds;
  private final Executor executor;

  PullReader(
      BrokerContext ctx, GroupRegistry groups, PullRequestHoldService holds, Executor executor) {
    this.ctx = ctx;
    this.groups = groups;
    this.holds = holds;
    this.executor = executor;
  }

  CompletableFuture<PullResult> pull(PullCommand c) {
    Result<Void> group;
    try {
      group = groups.mayConsume(c.group());
    } catch (IOException e) {
      return fail(Status.ERROR, "cannot create subscription group: " + e);
    }
    if (!group.isOk()) {
      return fail(group.status(), group.detail());
    }
    Result<TopicConfig> topic = ReadFilters.readable(ctx, c.topic(), c.queueId(), false);
    if (!topic.isOk()) {
      return fail(topic.status(), topic.detail());
    }
    Result<MessageFilter> filter = ReadFilters.filter(c.filterType(), c.expression());
    if (!filter.isOk()) {
      return fail(filter.status(), filter.detail());
    }
    if (c.max() < 1) {
      return fail(Status.ILLEGAL, "max must be at least 1, is " + c.max());
    }
    CompletableFuture<PullResult> answer = new CompletableFuture<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, c.pollMillis()));
    attempt(c, filter.value(), deadline, answer);
    return answer;
  }

  private void attempt(
      PullCommand c, MessageFilter filter, long deadline, CompletableFuture<PullResult> answer) {
    if (answer.isDone()) {
      return;
    }
    PullResult r = read(c, filter);
    boolean empty = !r.found() && !r.offsetMoved() && r.nextOffset() == c.offset();
    if (empty && System.nanoTime() - deadline < 0 && ctx.config().longPollingEnable()) {
      PullRequestHoldService.HeldPull held =
          new PullRequestHoldService.HeldPull(
              c.topic(),
              c.queueId(),
              c.offset(),
              filter,
              deadline,
              () -> !answer.isDone(),
              () -> executor.execute(() -> attempt(c, filter, deadline, answer)));
      if (holds.hold(held)) {
        r.close();
        return;
      }
    }
    if (!answer.complete(r)) {
      r.close();
    }
  }

  /**
   * One read. {@code found} is false with nextOffset past the request when everything read was
   * filtered out or expired (read on at once), equal to it when the queue has nothing new.
   */
  PullResult read(PullCommand c, MessageFilter filter) {
    return read(c, filter, ctx.config().maxPullBatchBytes());
  }

  /** {@link #read(PullCommand, MessageFilter)} with at most {@code maxBytes} of records. */
  PullResult read(PullCommand c, MessageFilter filter, int maxBytes) {
    int max = Math.min(c.max(), ctx.config().maxPullBatchSize());
    GetMessageResult r =
        ctx.store()
            .getMessages(
                c.topic(),
                c.queueId(),
                c.offset(),
                max,
                Math.min(maxBytes, ctx.config().maxPullBatchBytes()),
                filter);
    long next = r.nextBeginOffset();
    boolean moved;
    switch (r.status()) {
      case FOUND, NO_MATCHED_MESSAGE, MESSAGE_WAS_REMOVING, OFFSET_OVERFLOW_ONE -> moved = false;
      case NO_MESSAGE_IN_QUEUE -> {
        moved = c.offset() != 0;
        next = 0;
      }
      default -> moved = true;
    }
    List<ByteBuffer> records = new ArrayList<>(r.messages().size());
    if (r.status() == GetMessageResult.Status.FOUND) {
      long now = ctx.clock().millis();
      int expired = 0;
      for (StoredBytes b : r.messages()) {
        if (RecordExpiry.isExpired(b.buffer(), now)) {
          expired++;
        } else {
          records.add(b.buffer());
        }
      }
      if (expired > 0) {
        ctx.stats().expired(expired);
      }
      if (!records.isEmpty()) {
        ctx.stats().delivered(c.topic(), c.group(), records.size());
      }
    }
    return new PullResult(
        Status.OK,
        r.status().name(),
        !records.isEmpty(),
        records,
        next,
        r.minOffset(),
        r.maxOffset(),
        moved,
        r::close);
  }

  private static CompletableFuture<PullResult> fail(Status status, String detail) {
    return CompletableFuture.completedFuture(
        new PullResult(status, detail, false, List.of(), -1, -1, -1, false, null));
  }
}
