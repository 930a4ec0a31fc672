package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.pop.PopReceipt;
import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.service.AckStatus;
import io.wharfmq.service.Receipt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ACK_MESSAGE (200051) and CHANGE_MESSAGE_INVISIBLETIME (200053) for popped messages, identified by
 * topic, queueId, offset and the receipt handle (extraInfo) the pop answer let the client build.
 * Answered once the pop log holds the change. An ack of a message already done succeeds again; a
 * handle of an earlier delivery, while a later one is invisible, gets NO_MESSAGE. Thread-safe.
 */
public final class PopAckProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(PopAckProcessor.class);

  private final BrokerContext ctx;
  private final LocalMessagingService service;

  public PopAckProcessor(BrokerContext ctx, LocalMessagingService service) {
    this.ctx = ctx;
    this.service = service;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    boolean change = request.code() == RequestCode.CHANGE_MESSAGE_INVISIBLETIME;
    String group = Headers.string(request, "consumerGroup");
    String topic = PopReceipt.poppedTopic(Headers.string(request, "topic"), group);
    int queueId = Headers.integer(request, "queueId");
    long offset = Headers.longValue(request, "offset");
    long invisible = change ? Headers.longValue(request, "invisibleTime") : 0;
    PopReceipt receipt;
    try {
      receipt = PopReceipt.parse(request.get("extraInfo"));
    } catch (IllegalArgumentException e) {
      return refuse(channel, request, ResponseCode.MESSAGE_ILLEGAL, e.getMessage());
    }
    TopicConfig config = ctx.topics().get(topic);
    if (config == null) {
      return refuse(
          channel,
          request,
          ResponseCode.TOPIC_NOT_EXIST,
          "topic[" + topic + "] not exist, apply first please!");
    }
    if (queueId < 0 || queueId >= config.readQueueNums()) {
      return refuse(
          channel,
          request,
          ResponseCode.MESSAGE_ILLEGAL,
          "queueId[" + queueId + "] is illegal, topic " + topic + " has " + config.readQueueNums());
    }
    long min = ctx.store().minOffset(topic, queueId);
    long max = ctx.store().maxOffset(topic, queueId);
    if (offset < min || offset >= max) {
      return refuse(
          channel,
          request,
          ResponseCode.NO_MESSAGE,
          "offset "
              + offset
              + " is outside "
              + topic
              + ":"
              + queueId
              + " ["
              + min
              + ", "
              + max
              + ")");
    }
    Receipt handle = new Receipt(group, topic, queueId, offset, receipt.popTime());
    if (change) {
      if (invisible <= 0 || invisible > PopMessageProcessor.MAX_INVISIBLE_MILLIS) {
        return refuse(
            channel,
            request,
            ResponseCode.SYSTEM_ERROR,
            "invisibleTime out of range: " + invisible);
      }
      service
          .changeInvisibility(handle, invisible)
          .thenAccept(
              c ->
                  channel.writeResponse(
                      answer(request, c.status(), topic, queueId, offset)
                          .put("popTime", c.receipt() == null ? 0 : c.receipt().popTime())
                          .put("invisibleTime", invisible)
                          .put("reviveQid", 0)));
    } else {
      service
          .ack(handle)
          .thenAccept(o -> channel.writeResponse(answer(request, o, topic, queueId, offset)));
    }
    return null;
  }

  private static RemotingCommand answer(
      RemotingCommand request, AckStatus o, String topic, int queueId, long offset) {
    String what = topic + ":" + queueId + "@" + offset;
    String remark =
        switch (o) {
          case OK -> null;
          case NOT_IN_FLIGHT -> what + " is not in flight";
          case STALE -> what + ": receipt handle expired, the message was delivered again";
          case FAILED -> "pop log append failed";
        };
    return RemotingCommand.responseTo(request, ResponseCodes.of(o), remark);
  }

  private static RemotingCommand refuse(
      RemotingChannel channel, RemotingCommand request, int code, String why) {
    log.warn("Refused pop {} from {}: {}", request.code(), channel.remoteAddress(), why);
    RemotingCommand r = RemotingCommand.responseTo(request, code, why);
    if (request.code() == RequestCode.CHANGE_MESSAGE_INVISIBLETIME) {
      r.put("popTime", 0).put("invisibleTime", 0).put("reviveQid", 0);
    }
    return r;
  }
}
