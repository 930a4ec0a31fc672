package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.pop.PopHoldService;
import io.wharfmq.broker.pop.PopHoldService.HeldPop;
import io.wharfmq.broker.pop.PopReceipt;
import io.wharfmq.broker.pop.PopService;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.store.MessageFilter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POP_MESSAGE (200050): up to maxMsgNums (at most 32, as RocketMQ) messages of a topic from one
 * queue or, with queueId -1, from any of them, each invisible to other pops for invisibleTime ms. A
 * pop that finds nothing is held up to pollTime ms (long polling). The answer carries the stored
 * records (reconsumeTimes set to the delivery's) and the header fields the RocketMQ client builds
 * each message's receipt handle from (popTime, invisibleTime, reviveQid, startOffsetInfo,
 * msgOffsetInfo). Thread-safe.
 */
public final class PopMessageProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(PopMessageProcessor.class);
  static final int MAX_POP_NUMS = 32;

  /** Longest invisibility accepted (RocketMQ's clients allow up to 12 h). */
  static final long MAX_INVISIBLE_MILLIS = TimeUnit.HOURS.toMillis(12);

  private final BrokerContext ctx;
  private final PopService pops;
  private final PopHoldService holds;
  private final ExecutorService executor;

  public PopMessageProcessor(
      BrokerContext ctx, PopService pops, PopHoldService holds, ExecutorService executor) {
    this.ctx = ctx;
    this.pops = pops;
    this.holds = holds;
    this.executor = executor;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    long pollMillis = Headers.longValue(request, "pollTime", 0);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, pollMillis));
    return pop(channel, request, deadline);
  }

  private RemotingCommand pop(RemotingChannel channel, RemotingCommand request, long deadline) {
    String group = Headers.string(request, "consumerGroup");
    String topic = Headers.string(request, "topic");
    int queueId = Headers.integer(request, "queueId");
    int max = Headers.integer(request, "maxMsgNums");
    long invisible = Headers.longValue(request, "invisibleTime");
    int initMode = Headers.integer(request, "initMode", PopService.INIT_MODE_MIN);
    String problem = null;
    if (max < 1 || max > MAX_POP_NUMS) {
      problem = "maxMsgNums must be 1.." + MAX_POP_NUMS + ", is " + max;
    } else if (invisible <= 0 || invisible > MAX_INVISIBLE_MILLIS) {
      problem = "invisibleTime must be 1.." + MAX_INVISIBLE_MILLIS + " ms, is " + invisible;
    } else if (Headers.bool(request, "order", false)) {
      problem = "orderly pop is not supported by this broker";
    }
    if (problem != null) {
      log.warn("Bad pop from {}: {}", channel.remoteAddress(), problem);
      return RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, problem);
    }
    RemotingCommand refusal = ReadChecks.groupRefusal(ctx, request, group);
    if (refusal == null) {
      refusal = ReadChecks.refusal(ctx, request, topic, queueId, true);
    }
    if (refusal != null) {
      log.warn(
          "Pop of {} queue {} from {}: {}",
          topic,
          queueId,
          channel.remoteAddress(),
          refusal.remark());
      return refusal;
    }
    int readQueueNums = ctx.topics().get(topic).readQueueNums();
    String expType = Headers.string(request, "expType", "TAG");
    String sqlRefusal =
        TagFilters.propertyFilterRefusal(expType, ctx.config().enablePropertyFilter());
    if (sqlRefusal != null) {
      return RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, sqlRefusal);
    }
    MessageFilter filter;
    try {
      filter = TagFilters.forExpression(expType, Headers.string(request, "exp", "*"));
    } catch (IllegalArgumentException e) {
      return RemotingCommand.responseTo(
          request, ResponseCode.SUBSCRIPTION_PARSE_FAILED, e.getMessage());
    }
    int[] queueIds = queueIds(queueId, readQueueNums);
    pops.pop(group, topic, queueIds, max, invisible, filter, initMode)
        .whenComplete(
            (result, error) -> {
              if (error != null) {
                log.error("Pop of {} for group {} failed", topic, group, error);
                channel.writeResponse(
                    RemotingCommand.responseTo(
                        request, ResponseCode.SYSTEM_ERROR, "pop failed: " + error.getMessage()));
              } else if (!result.messages().isEmpty()) {
                channel.writeResponse(found(request, topic, invisible, result));
              } else {
                empty(channel, request, group, topic, queueIds, invisible, deadline, result);
              }
            });
    return null;
  }

  private void empty(
      RemotingChannel channel,
      RemotingCommand request,
      String group,
      String topic,
      int[] queueIds,
      long invisible,
      long deadline,
      PopService.PopResult result) {
    boolean waitMore = System.nanoTime() - deadline < 0 && channel.isActive();
    int code = ResponseCode.POLLING_TIMEOUT;
    if (waitMore && ctx.config().longPollingEnable()) {
      HeldPop held =
          new HeldPop(
              topic,
              deadline,
              channel::isActive,
              () -> executor.execute(() -> pop(channel, request, deadline)));
      if (holds.hold(held)) {
        if (pops.hasAvailable(group, topic, queueIds)) {
          holds.wake(topic);
        }
        return;
      }
      code = ResponseCode.POLLING_FULL;
    }
    channel.writeResponse(
        header(RemotingCommand.responseTo(request, code, "no new message"), invisible, result));
  }

  private static RemotingCommand found(
      RemotingCommand request, String topic, long invisible, PopService.PopResult result) {
    String mark = PopReceipt.topicMark(topic);
    Map<Integer, StringBuilder> offsets = new LinkedHashMap<>();
    int size = 0;
    for (PopService.Delivered d : result.messages()) {
      StringBuilder b = offsets.get(d.queueId());
      if (b == null) {
        offsets.put(d.queueId(), new StringBuilder().append(d.offset()));
      } else {
        b.append(',').append(d.offset());
      }
      size += d.record().length;
    }
    StringBuilder start = new StringBuilder();
    StringBuilder msg = new StringBuilder();
    for (Map.Entry<Integer, StringBuilder> e : offsets.entrySet()) {
      String list = e.getValue().toString();
      String first = list.split(",", 2)[0];
      if (start.length() > 0) {
        start.append(';');
        msg.append(';');
      }
      start.append(mark).append(' ').append(e.getKey()).append(' ').append(first);
      msg.append(mark).append(' ').append(e.getKey()).append(' ').append(list);
    }
    byte[] body = new byte[size];
    int pos = 0;
    List<PopService.Delivered> messages = result.messages();
    for (PopService.Delivered d : messages) {
      System.arraycopy(d.record(), 0, body, pos, d.record().length);
      pos += d.record().length;
    }
    RemotingCommand response =
        header(
                RemotingCommand.responseTo(request, ResponseCode.SUCCESS, "FOUND"),
                invisible,
                result)
            .put("startOffsetInfo", start.toString())
            .put("msgOffsetInfo", msg.toString());
    return response.body(body);
  }

  private static RemotingCommand header(
      RemotingCommand response, long invisible, PopService.PopResult result) {
    return response
        .put("popTime", result.popTime())
        .put("invisibleTime", invisible)
        .put("reviveQid", 0)
        .put("restNum", result.restNum());
  }

  private static int[] queueIds(int queueId, int readQueueNums) {
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
