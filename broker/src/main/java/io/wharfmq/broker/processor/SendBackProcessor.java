package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import java.io.IOException;

/**
 * CONSUMER_SEND_MSG_BACK (36): a consumer could not process a message; the messaging service's
 * send-back stores a copy in {@code %RETRY%<group>} with reconsumeTimes + 1, delayed by level
 * {@code 3 + reconsumeTimes} (or the level the client asked for), so it comes back to the group
 * later; once the message has been delivered maxReconsumeTimes times (or the client asks with a
 * negative level) the copy goes to {@code %DLQ%<group>} instead, keeping the original topic
 * (RETRY_TOPIC), message id (ORIGIN_MESSAGE_ID, UNIQ_KEY), keys and properties.
 *
 * <p>maxReconsumeTimes is, as in RocketMQ 5.3, the header's maxReconsumeTimes when the client sent
 * one (every official push consumer does: its own setting, 16 by default), else the group's
 * retryMaxTimes. A group with retryQueueNums 0 drops the message (SUCCESS, nothing stored); an
 * unknown group with autoCreateSubscriptionGroup off gets SUBSCRIPTION_GROUP_NOT_EXIST.
 * Thread-safe.
 */
public final class SendBackProcessor implements RequestProcessor {
  /** MQVersion.Version.V3_4_9's ordinal: clients from this version on may send their own max. */
  static final int VERSION_3_4_9 = 121;

  private final BrokerContext ctx;
  private final LocalMessagingService service;

  public SendBackProcessor(BrokerContext ctx, LocalMessagingService service) {
    this.ctx = ctx;
    this.service = service;
  }

  /**
   * RocketMQ's precedence: the client's maxReconsumeTimes header (from clients of version 3.4.9 on)
   * over the group's retryMaxTimes. Shared with retry-topic sends.
   */
  static int maxReconsumeTimes(RemotingCommand request, int groupRetryMaxTimes) {
    String header = request.get("maxReconsumeTimes");
    if (header == null || header.isBlank() || request.version() < VERSION_3_4_9) {
      return groupRetryMaxTimes;
    }
    return Headers.integer(request, "maxReconsumeTimes");
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request)
      throws IOException {
    String group = Headers.string(request, "group");
    long offset = Headers.longValue(request, "offset");
    int delayLevel = Headers.integer(request, "delayLevel", 0);
    if (ctx.subscriptionGroups().findOrCreate(group) == null) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
          "subscription group not exist, " + group);
    }
    service
        .sendBack(
            group,
            offset,
            delayLevel,
            maxReconsumeTimes(request, -1),
            request.get("originMsgId"),
            request.get("originTopic"))
        .thenAccept(
            r ->
                // RocketMQ answers every failed send-back (message gone, store refused) with
                // SYSTEM_ERROR.
                channel.writeResponse(
                    r.isOk()
                        ? RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
                        : RemotingCommand.responseTo(
                            request, ResponseCode.SYSTEM_ERROR, r.detail())));
    return null;
  }
}
