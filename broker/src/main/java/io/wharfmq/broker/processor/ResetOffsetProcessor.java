package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.FastjsonText;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.MessageQueue;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INVOKE_BROKER_TO_RESET_OFFSET (222), what {@code mqadmin resetOffsetByTime} and DefaultMQAdminExt
 * send: moves a group's committed offsets on every queue of a topic (or on {@code queueId} alone,
 * to {@code offset} when given) to the first message stored at or after {@code timestamp} (-1: the
 * end), with or without live consumers, as Apache RocketMQ 5 does with its default
 * useServerSideResetOffset. Unlike RocketMQ, every live member also gets
 * RESET_CONSUMER_CLIENT_OFFSET (220, oneway) with the new offsets and restarts its queues there at
 * once (RocketMQ lets the member find out at its next pull of each queue). An unknown topic answers
 * TOPIC_NOT_EXIST, an unknown group SUBSCRIPTION_GROUP_NOT_EXIST, as RocketMQ. {@code isForce} is
 * ignored (RocketMQ 5 ignores it too): offsets move backwards and forwards. The body lists the
 * offsets per queue.
 *
 * <p>The RocketMQ client reads that body (ResetOffsetBody) with fastjson, whose maps have JSON
 * objects as keys ({@code {{"brokerName":…,"queueId":0,"topic":…}:5}}), which is not standard JSON
 * and not what a JSON library writes; {@link FastjsonText} writes it. Thread-safe.
 */
public final class ResetOffsetProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(ResetOffsetProcessor.class);

  private final BrokerContext ctx;

  public ResetOffsetProcessor(BrokerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    String topic = Headers.string(request, "topic");
    String group = Headers.string(request, "group");
    long timestamp = Headers.longValue(request, "timestamp");
    int queueId = Headers.integer(request, "queueId", -1);
    long offset = Headers.longValue(request, "offset", -1);
    TopicConfig config = ctx.topics().get(topic);
    if (config == null) {
      log.warn("Reset offset of {} refused: topic {} does not exist", group, topic);
      return RemotingCommand.responseTo(
          request, ResponseCode.TOPIC_NOT_EXIST, "Topic " + topic + " does not exist");
    }
    if (ctx.subscriptionGroups().get(group) == null) {
      log.warn("Reset offset on {} refused: group {} does not exist", topic, group);
      return RemotingCommand.responseTo(
          request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, "Group " + group + " does not exist");
    }
    Map<Integer, Long> offsets = new LinkedHashMap<>();
    if (queueId >= 0) {
      if (queueId >= config.readQueueNums()) {
        return RemotingCommand.responseTo(
            request,
            ResponseCode.SYSTEM_ERROR,
            "queueId "
                + queueId
                + " out of range, topic "
                + topic
                + " has "
                + config.readQueueNums()
                + " queues");
      }
      if (offset != -1) {
        long min = ctx.store().minOffset(topic, queueId);
        long max = ctx.store().maxOffset(topic, queueId);
        if (offset < min || offset > max + 1) {
          return RemotingCommand.responseTo(
              request,
              ResponseCode.SYSTEM_ERROR,
              String.format(
                  "Target offset %d not in consume queue range [%d-%d]", offset, min, max));
        }
        offsets.put(queueId, offset);
      } else {
        offsets.put(queueId, offsetAt(topic, queueId, timestamp));
      }
    } else {
      for (int q = 0; q < config.readQueueNums(); q++) {
        offsets.put(q, offsetAt(topic, q, timestamp));
      }
    }
    offsets.forEach((q, o) -> ctx.offsets().commit(group, topic, q, o));
    byte[] body = resetOffsetBody(topic, offsets);
    int notified = 0;
    for (RemotingChannel member : ctx.clients().consumerChannels(group)) {
      if (member.isActive()) {
        member.invokeOneway(
            RemotingCommand.request(RequestCode.RESET_CONSUMER_CLIENT_OFFSET)
                .put("topic", topic)
                .put("group", group)
                .put("timestamp", timestamp)
                .put("isForce", true)
                .body(body));
        notified++;
      }
    }
    log.info(
        "Offsets of group {} on {} reset to time {} ({} members told): {}",
        group,
        topic,
        timestamp,
        notified,
        offsets);
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null).body(body);
  }

  /** First offset stored at or after {@code timestamp}; the queue's end for a negative time. */
  private long offsetAt(String topic, int queueId, long timestamp) {
    return timestamp < 0
        ? ctx.store().maxOffset(topic, queueId)
        : ctx.store().offsetForTimestamp(topic, queueId, timestamp);
  }

  /** ResetOffsetBody in the fastjson form the RocketMQ client parses. */
  private byte[] resetOffsetBody(String topic, Map<Integer, Long> offsets) {
    Map<MessageQueue, Long> table = new LinkedHashMap<>();
    offsets.forEach(
        (q, offset) -> table.put(new MessageQueue(topic, ctx.config().brokerName(), q), offset));
    return FastjsonText.withQueueTable("offsetTable", table, Map.of());
  }
}
