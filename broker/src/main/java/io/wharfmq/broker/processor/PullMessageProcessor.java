package io.wharfmq.broker.processor;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.longpoll.PullRequestHoldService.HeldPull;
import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.SubscriptionData;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.PullCommand;
import io.wharfmq.service.PullResult;
import io.wharfmq.store.MessageFilter;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361). Filters by tag on the broker (subscription from
 * the request, or from the group's last heartbeat), answers with the stored records exactly as they
 * sit in the commit log, without copying them (the response body points into the mapped segments,
 * released once written), and holds a pull that finds nothing until a message arrives or its
 * suspend time passes.
 *
 * <p>A pull at the tail of its queue (the usual case for a consumer that keeps up) runs on the
 * connection's I/O thread, and a held pull woken by a new message runs on its connection's I/O
 * thread too: the records were just written, so reading them cannot wait for the disk, and the
 * answer leaves without two hand-offs between threads. A pull further back, whose records may have
 * left the page cache, goes to the pull executor so a disk read never stalls other connections.
 * Thread-safe.
 */
public final class PullMessageProcessor implements RequestProcessor {
  static final int FLAG_COMMIT_OFFSET = 0x1;
  static final int FLAG_SUSPEND = 0x2;
  static final int FLAG_SUBSCRIPTION = 0x4;
  private static final long SHORT_POLL_MILLIS = 1000;

  private final BrokerContext ctx;
  private final LocalMessagingService service;
  private final ExecutorService executor;

  public PullMessageProcessor(
      BrokerContext ctx, LocalMessagingService service, ExecutorService executor) {
    this.ctx = ctx;
    this.service = service;
    this.executor = executor;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    return pull(channel, request, true);
  }

  @Override
  public boolean runsOnIoThread(RemotingCommand request) {
    Map<String, String> f = request.extFields();
    String topic = f.get("topic");
    String queueId = f.get("queueId");
    String queueOffset = f.get("queueOffset");
    if (topic == null || queueId == null || queueOffset == null) {
      return false; // the executor answers the malformed request
    }
    if (ctx.subscriptionGroups().get(f.get("consumerGroup")) == null) {
      // An unknown group may be created on this pull, which writes subscriptionGroup.json: a
      // file write is for the pool, not for an event loop. Once per group.
      return false;
    }
    try {
      return isHot(topic, Integer.parseInt(queueId), Long.parseLong(queueOffset));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * True when reading {@code offset} onwards of the queue touches only recently written data: at
   * most {@code pullHotTailEntries} entries behind the queue's end, the first record within {@code
   * pullHotTailBytes} of the commit log's end.
   */
  private boolean isHot(String topic, int queueId, long offset) {
    long max = ctx.store().maxOffset(topic, queueId);
    if (offset >= max) {
      return true; // nothing to read: held or answered at once
    }
    if (offset < 0 || max - offset > ctx.config().pullHotTailEntries()) {
      return false;
    }
    ConsumeQueueEntry first = ctx.store().queueEntry(topic, queueId, offset);
    return first != null
        && ctx.store().commitLogMaxOffset() - first.physicalOffset()
            <= ctx.config().pullHotTailBytes();
  }

  /**
   * Runs a held pull again, on its connection's I/O thread: it was held at the tail, so what it
   * reads now was just written.
   */
  private void reexecute(RemotingChannel channel, RemotingCommand request) {
    Runnable again =
        () -> {
          RemotingCommand response = pull(channel, request, false);
          if (response != null) {
            channel.writeResponse(response);
          }
        };
    try {
      channel.ioExecutor().execute(again);
    } catch (RejectedExecutionException e) {
      executor.execute(again); // the I/O threads are shutting down
    }
  }

  /** A refusal when the group does not exist (auto-create off) or may not consume, else null. */
  private RemotingCommand pull(RemotingChannel channel, RemotingCommand request, boolean mayHold) {
    String group = Headers.string(request, "consumerGroup");
    String topic = Headers.string(request, "topic");
    int queueId = Headers.integer(request, "queueId");
    long offset = Headers.longValue(request, "queueOffset");
    int sysFlag = Headers.integer(request, "sysFlag", 0);
    int maxNums =
        Math.min(Headers.integer(request, "maxMsgNums", 32), ctx.config().maxPullBatchSize());
    int maxBytes =
        (int)
            Math.min(
                Headers.longValue(request, "maxMsgBytes", Integer.MAX_VALUE),
                ctx.config().maxPullBatchBytes());
    RemotingCommand refusal = ReadChecks.groupRefusal(ctx, request, group);
    if (refusal == null) {
      refusal = ReadChecks.refusal(ctx, request, topic, queueId, false);
    }
    if (refusal != null) {
      return refusal;
    }
    MessageFilter filter;
    String expressionType;
    String expression;
    if ((sysFlag & FLAG_SUBSCRIPTION) != 0) {
      expressionType = Headers.string(request, "expressionType", "TAG");
      expression = Headers.string(request, "subscription", "*");
    } else {
      SubscriptionData sub = ctx.clients().subscription(group, topic);
      if (sub == null) {
        return RemotingCommand.responseTo(
            request,
            ResponseCode.SUBSCRIPTION_NOT_EXIST,
            "the consumer's subscription of "
                + topic
                + " in group "
                + group
                + " not exist; send a heartbeat first");
      }
      expressionType = sub.expressionType();
      expression = sub.subString();
      if (sub.subVersion() < Headers.longValue(request, "subVersion", 0)) {
        // The client's heartbeat after a rebalance has not arrived (the RocketMQ client skips it
        // when another heartbeat holds its lock, and retries only 30 s later). RocketMQ answers
        // SUBSCRIPTION_NOT_LATEST until then, stalling the queue. A TAG subscription is served
        // unfiltered instead: the client filters tags itself, so nothing is lost or wrongly
        // delivered, only more is sent. Other expression types are not filtered by the client.
        boolean tag = expressionType == null || "TAG".equalsIgnoreCase(expressionType);
        if (!tag) {
          return RemotingCommand.responseTo(
              request,
              ResponseCode.SUBSCRIPTION_NOT_LATEST,
              "the consumer's subscription not latest");
        }
        expression = "*";
      }
    }
    String sqlRefusal =
        TagFilters.propertyFilterRefusal(expressionType, ctx.config().enablePropertyFilter());
    if (sqlRefusal != null) {
      return RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, sqlRefusal);
    }
    try {
      filter = TagFilters.forExpression(expressionType, expression);
    } catch (IllegalArgumentException e) {
      return RemotingCommand.responseTo(
          request, ResponseCode.SUBSCRIPTION_PARSE_FAILED, e.getMessage());
    }
    if ((sysFlag & FLAG_COMMIT_OFFSET) != 0 && mayHold) {
      long commit = Headers.longValue(request, "commitOffset", -1);
      if (commit >= 0) {
        service.commitOffset(group, topic, queueId, commit);
      }
    }
    PullResult result =
        service.read(
            new PullCommand(group, topic, queueId, offset, maxNums, 0, FilterType.TAG, expression),
            filter,
            maxBytes);
    int code;
    if (result.found()) {
      code = ResponseCode.SUCCESS;
    } else if (result.offsetMoved()) {
      code = ResponseCode.PULL_OFFSET_MOVED;
    } else if (result.nextOffset() != offset) {
      code = ResponseCode.PULL_RETRY_IMMEDIATELY; // read past filtered-out or expired messages
    } else {
      code = ResponseCode.PULL_NOT_FOUND;
    }
    if (code == ResponseCode.PULL_NOT_FOUND && mayHold && (sysFlag & FLAG_SUSPEND) != 0) {
      long suspend =
          ctx.config().longPollingEnable()
              ? Headers.longValue(request, "suspendTimeoutMillis", 15_000)
              : SHORT_POLL_MILLIS;
      HeldPull held =
          new HeldPull(
              topic,
              queueId,
              offset,
              filter,
              System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(suspend),
              channel::isActive,
              () -> reexecute(channel, request));
      if (ctx.pullHolds().hold(held)) {
        result.close();
        return null;
      }
    }
    RemotingCommand response =
        RemotingCommand.responseTo(request, code, result.detail())
            .put("suggestWhichBrokerId", 0)
            .put("nextBeginOffset", result.nextOffset())
            .put("minOffset", result.minOffset())
            .put("maxOffset", result.maxOffset())
            .put("topicSysFlag", 0)
            .put("groupSysFlag", 0);
    if (code != ResponseCode.SUCCESS) {
      result.close();
      return response;
    }
    ByteBuf body = Unpooled.wrappedBuffer(result.records().toArray(new ByteBuffer[0]));
    response.bodyBuffer(body);
    channel.writeResponse(response, result::close);
    return null;
  }
}
