package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.pop.PopReceipt;
import io.wharfmq.broker.pop.PopService;
import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.PopResult;
import io.wharfmq.service.ReceivedMessage;
import io.wharfmq.service.Status;
import io.wharfmq.store.MessageFilter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POP_MESSAGE (200050): up to maxMsgNums (at most 32, as RocketMQ) messages of a topic from one
 * queue or, with queueId -1, from any of them, each invisible to other pops for invisibleTime ms. A
 * pop that finds nothing is held up to pollTime ms (long polling, in the messaging service). The
 * answer carries the stored records (reconsumeTimes set to the delivery's) and the header fields
 * the RocketMQ client builds each message's receipt handle from (popTime, invisibleTime, reviveQid,
 * startOffsetInfo, msgOffsetInfo). Thread-safe.
 */
public final class PopMessageProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(PopMessageProcessor.class);
  static final int MAX_POP_NUMS = 32;

  /** Longest invisibility accepted (RocketMQ's clients allow up to 12 h). */
  static final long MAX_INVISIBLE_MILLIS = TimeUnit.HOURS.toMillis(12);

  private final BrokerContext ctx;
  private final LocalMessagingService service;

  public PopMessageProcessor(BrokerContext ctx, LocalMessagingService service) {
    this.ctx = ctx;
    this.service = service;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    String group = Headers.string(request, "consumerGroup");
    String topic = Headers.string(request, "topic");
    int queueId = Headers.integer(request, "queueId");
    int max = Headers.integer(request, "maxMsgNums");
    long invisible = Headers.longValue(request, "invisibleTime");
    long pollMillis = Math.max(0, Headers.longValue(request, "pollTime", 0));
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
    String expType = Headers.string(request, "expType", "TAG");
    String sqlRefusal =
        TagFilters.propertyFilterRefusal(expType, ctx.config().enablePropertyFilter());
    if (sqlRefusal != null) {
      return RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, sqlRefusal);
    }
    String exp = Headers.string(request, "exp", "*");
    MessageFilter filter;
    try {
      filter = TagFilters.forExpression(expType, exp);
    } catch (IllegalArgumentException e) {
      return RemotingCommand.responseTo(
          request, ResponseCode.SUBSCRIPTION_PARSE_FAILED, e.getMessage());
    }
    PopCommand command =
        new PopCommand(
            group,
            topic,
            queueId,
            max,
            invisible,
            ctx.config().longPollingEnable() ? pollMillis : 0,
            "SQL92".equalsIgnoreCase(expType) ? FilterType.SQL92 : FilterType.TAG,
            exp,
            initMode == PopService.INIT_MODE_MIN,
            // A queue's consumers share its group: what one consumer's selector skips stays for
            // the others (JMS queues), as on the AMQP door.
            group.equals(DestinationNames.queueGroup(topic)));
    CompletableFuture<PopResult> pop = service.pop(command, filter);
    endWithChannel(channel, pop);
    pop.whenComplete(
        (result, error) -> {
          if (error instanceof CancellationException) {
            log.debug("Pop of {} for group {} ended: {} disconnected", topic, group, channel);
          } else if (error != null) {
            log.error("Pop of {} for group {} failed", topic, group, error);
            channel.writeResponse(
                RemotingCommand.responseTo(
                    request, ResponseCode.SYSTEM_ERROR, "pop failed: " + error.getMessage()));
          } else {
            channel.writeResponse(answer(request, topic, invisible, result));
          }
        });
    return null;
  }

  /**
   * A pop held for a client that disconnected ends with the connection, so it takes nothing the
   * client can no longer receive (what it took meanwhile goes back at once).
   */
  private static void endWithChannel(RemotingChannel channel, CompletableFuture<PopResult> pop) {
    if (pop.isDone()) {
      return;
    }
    Runnable unregister = channel.onClose(() -> pop.cancel(false));
    pop.whenComplete((r, e) -> unregister.run());
  }

  private static RemotingCommand answer(
      RemotingCommand request, String topic, long invisible, PopResult result) {
    if (!result.messages().isEmpty()) {
      return found(request, topic, invisible, result);
    }
    if (result.status() == Status.OK) {
      return header(
          RemotingCommand.responseTo(request, ResponseCode.POLLING_TIMEOUT, "no new message"),
          invisible,
          result);
    }
    if (result.status() == Status.BUSY) {
      return header(
          RemotingCommand.responseTo(request, ResponseCode.POLLING_FULL, result.detail()),
          invisible,
          result);
    }
    return RemotingCommand.responseTo(request, ResponseCodes.of(result.status()), result.detail());
  }

  private static RemotingCommand found(
      RemotingCommand request, String topic, long invisible, PopResult result) {
    String mark = PopReceipt.topicMark(topic);
    Map<Integer, StringBuilder> offsets = new LinkedHashMap<>();
    for (ReceivedMessage m : result.messages()) {
      StringBuilder b = offsets.get(m.queueId());
      if (b == null) {
        offsets.put(m.queueId(), new StringBuilder().append(m.queueOffset()));
      } else {
        b.append(',').append(m.queueOffset());
      }
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
    RemotingCommand response =
        header(
                RemotingCommand.responseTo(request, ResponseCode.SUCCESS, "FOUND"),
                invisible,
                result)
            .put("startOffsetInfo", start.toString())
            .put("msgOffsetInfo", msg.toString());
    return response.body(records(result.messages()));
  }

  /** The stored records back to back: the body of a pop's (and a peek's) answer. */
  static byte[] records(List<ReceivedMessage> messages) {
    int size = 0;
    for (ReceivedMessage m : messages) {
      size += m.record().length;
    }
    byte[] body = new byte[size];
    int pos = 0;
    for (ReceivedMessage m : messages) {
      byte[] record = m.record();
      System.arraycopy(record, 0, body, pos, record.length);
      pos += record.length;
    }
    return body;
  }

  private static RemotingCommand header(
      RemotingCommand response, long invisible, PopResult result) {
    return response
        .put("popTime", result.popTime())
        .put("invisibleTime", invisible)
        .put("reviveQid", 0)
        .put("restNum", result.remaining());
  }
}
