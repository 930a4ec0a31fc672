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
 * send: moves a group's committed offsets on every queue of a topic to the first message stored at
 * or after {@code timestamp} (-1: the end), while its consumers run ("backtrack"): every live
 * member gets RESET_CONSUMER_CLIENT_OFFSET (220, oneway) with the new offsets and restarts its
 * queues there. The body lists the offsets per queue.
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
    TopicConfig config = ctx.topics().get(topic);
    if (config == null) {
      return RemotingCommand.responseTo(
          request, ResponseCode.TOPIC_NOT_EXIST, "topic[" + topic + "] not exist");
    }
    Map<Integer, Long> offsets = new LinkedHashMap<>();
    for (int q = 0; q < config.readQueueNums(); q++) {
      long offset =
          timestamp < 0
              ? ctx.store().maxOffset(topic, q)
              : ctx.store().offsetForTimestamp(topic, q, timestamp);
      offsets.put(q, offset);
      ctx.offsets().commit(group, topic, q, offset);
    }
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

  /** ResetOffsetBody in the fastjson form the RocketMQ client parses. */
  private byte[] resetOffsetBody(String topic, Map<Integer, Long> offsets) {
    Map<MessageQueue, Long> table = new LinkedHashMap<>();
    offsets.forEach(
        (q, offset) -> table.put(new MessageQueue(topic, ctx.config().brokerName(), q), offset));
    return FastjsonText.withQueueTable("offsetTable", table, Map.of());
  }
}
