package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.ConsumerData;
import io.wharfmq.remoting.protocol.body.ConsumerIdList;
import java.util.List;

/**
 * QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15) and GET_CONSUMER_LIST_BY_GROUP (38).
 * Thread-safe.
 */
public final class ConsumerManageProcessor implements RequestProcessor {
  private final BrokerContext ctx;
  private final LocalMessagingService service;

  public ConsumerManageProcessor(BrokerContext ctx, LocalMessagingService service) {
    this.ctx = ctx;
    this.service = service;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    return switch (request.code()) {
      case RequestCode.QUERY_CONSUMER_OFFSET -> query(request);
      case RequestCode.UPDATE_CONSUMER_OFFSET -> update(request);
      case RequestCode.GET_CONSUMER_LIST_BY_GROUP -> consumerList(request);
      default ->
          throw new IllegalArgumentException("not a consumer-manage code: " + request.code());
    };
  }

  private RemotingCommand query(RemotingCommand request) {
    String group = Headers.string(request, "consumerGroup");
    String topic = Headers.string(request, "topic");
    int queueId = Headers.integer(request, "queueId");
    long offset = service.committedOffset(group, topic, queueId);
    // setZeroIfNotFound=false (RocketMQ 5 header): the client wants QUERY_NOT_FOUND so that its
    // consume-from policy (e.g. a timestamp) decides, not the young-queue rule below.
    boolean zeroIfNotFound = Headers.bool(request, "setZeroIfNotFound", true);
    // The RocketMQ 5.3 client never sends that header, but its heartbeat says how the group wants
    // to start: a group starting from a timestamp gets QUERY_NOT_FOUND too, so its client searches
    // by time instead of silently reading the whole young queue (what RocketMQ's broker does).
    ConsumerData group0 = ctx.clients().consumerData(group);
    if (group0 != null && "CONSUME_FROM_TIMESTAMP".equals(group0.consumeFromWhere())) {
      zeroIfNotFound = false;
    }
    if (offset < 0 && zeroIfNotFound && service.minOffset(topic, queueId) == 0) {
      // As RocketMQ: a new group on a queue that still holds its first message starts there, so a
      // consumer started after the producer still sees the messages.
      offset = 0;
    }
    if (offset < 0) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.QUERY_NOT_FOUND,
          "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first");
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null).put("offset", offset);
  }

  private RemotingCommand update(RemotingCommand request) {
    String group = Headers.string(request, "consumerGroup");
    String topic = Headers.string(request, "topic");
    int queueId = Headers.integer(request, "queueId");
    long offset = Headers.longValue(request, "commitOffset");
    if (service.topic(topic) == null) {
      return RemotingCommand.responseTo(
          request, ResponseCode.TOPIC_NOT_EXIST, "topic[" + topic + "] not exist");
    }
    service.commitOffset(group, topic, queueId, offset);
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  private RemotingCommand consumerList(RemotingCommand request) {
    String group = Headers.string(request, "consumerGroup");
    List<String> ids = ctx.clients().consumerIds(group);
    if (ids.isEmpty()) {
      return RemotingCommand.responseTo(
          request, ResponseCode.SYSTEM_ERROR, "no consumer for this group, " + group);
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .body(RemotingJson.encode(new ConsumerIdList(ids)));
  }
}
