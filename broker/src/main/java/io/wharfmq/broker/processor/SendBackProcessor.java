package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.schedule.RedeliveryCopy;
import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CONSUMER_SEND_MSG_BACK (36): a consumer could not process a message. The broker stores a copy in
 * {@code %RETRY%<group>} with reconsumeTimes + 1, delayed by level {@code 3 + reconsumeTimes} (or
 * the level the client asked for), so it comes back to the group later; once the message has been
 * delivered maxReconsumeTimes times (or the client asks with a negative level) the copy goes to
 * {@code %DLQ%<group>} instead, keeping the original topic (RETRY_TOPIC), message id
 * (ORIGIN_MESSAGE_ID, UNIQ_KEY), keys and properties.
 *
 * <p>maxReconsumeTimes is, as in RocketMQ 5.3, the header's maxReconsumeTimes when the client sent
 * one (every official push consumer does: its own setting, 16 by default), else the group's
 * retryMaxTimes. A group with retryQueueNums 0 drops the message (SUCCESS, nothing stored); an
 * unknown group with autoCreateSubscriptionGroup off gets SUBSCRIPTION_GROUP_NOT_EXIST.
 * Thread-safe.
 */
public final class SendBackProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(SendBackProcessor.class);

  /** MQVersion.Version.V3_4_9's ordinal: clients from this version on may send their own max. */
  static final int VERSION_3_4_9 = 121;

  private final BrokerContext ctx;

  public SendBackProcessor(BrokerContext ctx) {
    this.ctx = ctx;
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
    SubscriptionGroupConfig groupConfig = ctx.subscriptionGroups().findOrCreate(group);
    if (groupConfig == null) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
          "subscription group not exist, " + group);
    }
    if (groupConfig.retryQueueNums() <= 0) {
      return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
    }
    int max = maxReconsumeTimes(request, ctx.subscriptionGroups().maxReconsumeTimes(group));
    StoredMessage m = ctx.store().readMessage(offset);
    if (m == null || m.physicalOffset() != offset) {
      return RemotingCommand.responseTo(
          request, ResponseCode.SYSTEM_ERROR, "look message by offset failed, " + offset);
    }
    Map<String, String> props = m.propertyMap();
    props.putIfAbsent(ScheduleRewrite.RETRY_TOPIC, m.topic());
    String origin = request.get("originMsgId");
    if (origin == null) {
      origin = props.get(MessageProperties.UNIQ_KEY);
    }
    if (origin != null) {
      props.putIfAbsent(ScheduleRewrite.ORIGIN_MESSAGE_ID, origin);
    }
    props.remove(ScheduleRewrite.DELAY);
    int times = m.reconsumeTimes();
    String target;
    if (times >= max || delayLevel < 0) {
      target = ScheduleRewrite.DLQ_PREFIX + group;
    } else {
      target = ScheduleRewrite.RETRY_PREFIX + group;
      int level = delayLevel == 0 ? 3 + times : delayLevel;
      props.put(
          ScheduleRewrite.DELAY, Integer.toString(Math.min(level, ctx.delayLevels().count())));
    }
    boolean dlq = target.startsWith(ScheduleRewrite.DLQ_PREFIX);
    RedeliveryCopy.ensureTopic(
        ctx.topics(), ctx.topicsChanged(), target, dlq ? 1 : groupConfig.retryQueueNums());
    MessageToStore copy = RedeliveryCopy.of(m, target, props, ctx.storeHost(), times + 1);
    if (target.startsWith(ScheduleRewrite.RETRY_PREFIX)) {
      copy =
          ScheduleRewrite.toSchedule(
              copy, ScheduleRewrite.delayLevel(copy.properties()), ctx.delayLevels().count());
    } else {
      log.info("Message {} of group {} failed {} times: to {}", origin, group, times + 1, target);
    }
    ctx.store()
        .append(copy)
        .thenAccept(
            r ->
                channel.writeResponse(
                    r.isOk()
                        ? RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
                        : RemotingCommand.responseTo(
                            request, ResponseCode.SYSTEM_ERROR, r.status() + ": " + r.detail())));
    return null;
  }
}
