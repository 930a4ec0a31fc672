package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.FastjsonText;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.MessageQueue;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topic administration and queue offsets: UPDATE_AND_CREATE_TOPIC (17), GET_ALL_TOPIC_CONFIG (21),
 * DELETE_TOPIC_IN_BROKER (215), SEARCH_OFFSET_BY_TIMESTAMP (29), GET_MAX_OFFSET (30),
 * GET_MIN_OFFSET (31), GET_EARLIEST_MSG_STORETIME (32), GET_TOPIC_CONFIG (351) and
 * GET_TOPIC_STATS_INFO (202: min and max offset and last store time per queue, in the fastjson body
 * form RocketMQ's TopicStatsTable is read in). Thread-safe.
 */
public final class AdminProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(AdminProcessor.class);
  private final BrokerContext ctx;

  public AdminProcessor(BrokerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request)
      throws IOException {
    return switch (request.code()) {
      case RequestCode.UPDATE_AND_CREATE_TOPIC -> createTopic(request);
      case RequestCode.GET_ALL_TOPIC_CONFIG ->
          RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
              .body(RemotingJson.encode(ctx.topics().snapshot()));
      case RequestCode.DELETE_TOPIC_IN_BROKER -> deleteTopic(request);
      case RequestCode.SEARCH_OFFSET_BY_TIMESTAMP -> searchOffset(request);
      case RequestCode.GET_MAX_OFFSET ->
          offset(request, ctx.store().maxOffset(topic(request), queueId(request)));
      case RequestCode.GET_MIN_OFFSET ->
          offset(request, ctx.store().minOffset(topic(request), queueId(request)));
      case RequestCode.GET_EARLIEST_MSG_STORETIME ->
          RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
              .put("timestamp", ctx.store().earliestStoreTime(topic(request), queueId(request)));
      case RequestCode.GET_TOPIC_CONFIG -> topicConfig(request);
      case RequestCode.GET_TOPIC_STATS_INFO -> topicStats(request);
      default -> throw new IllegalArgumentException("not an admin code: " + request.code());
    };
  }

  private static String topic(RemotingCommand r) {
    return Headers.string(r, "topic");
  }

  private static int queueId(RemotingCommand r) {
    return Headers.integer(r, "queueId");
  }

  private static RemotingCommand offset(RemotingCommand request, long offset) {
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null).put("offset", offset);
  }

  private RemotingCommand searchOffset(RemotingCommand request) {
    String topic = topic(request);
    int queueId = queueId(request);
    long timestamp = Headers.longValue(request, "timestamp");
    long offset = ctx.store().offsetForTimestamp(topic, queueId, timestamp);
    if ("UPPER".equalsIgnoreCase(request.get("boundaryType"))) {
      // UPPER: the last message stored at or before the timestamp.
      long upper = ctx.store().offsetForTimestamp(topic, queueId, timestamp + 1) - 1;
      offset = Math.max(ctx.store().minOffset(topic, queueId), upper);
    }
    return offset(request, offset);
  }

  private static RemotingCommand noTopic(RemotingCommand request, String topic) {
    return RemotingCommand.responseTo(
        request, ResponseCode.TOPIC_NOT_EXIST, "topic[" + topic + "] not exist");
  }

  /** The topic's config (RocketMQ answers a TopicConfigAndQueueMapping; no mapping here). */
  private RemotingCommand topicConfig(RemotingCommand request) {
    String topic = topic(request);
    TopicConfig config = ctx.topics().get(topic);
    if (config == null) {
      return noTopic(request, topic);
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .body(RemotingJson.encode(config));
  }

  private RemotingCommand topicStats(RemotingCommand request) {
    String topic = topic(request);
    TopicConfig config = ctx.topics().get(topic);
    if (config == null) {
      return noTopic(request, topic);
    }
    Map<MessageQueue, TopicOffset> table = new LinkedHashMap<>();
    int queues = Math.max(config.readQueueNums(), config.writeQueueNums());
    for (int q = 0; q < queues; q++) {
      long min = Math.max(0, ctx.store().minOffset(topic, q));
      long max = Math.max(0, ctx.store().maxOffset(topic, q));
      long last = max > 0 ? Math.max(0, ctx.store().storeTimeAt(topic, q, max - 1)) : 0;
      table.put(
          new MessageQueue(topic, ctx.config().brokerName(), q), new TopicOffset(min, max, last));
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .body(FastjsonText.withQueueTable("offsetTable", table, Map.of()));
  }

  /** One queue of a TopicStatsTable (RocketMQ TopicOffset). */
  record TopicOffset(long minOffset, long maxOffset, long lastUpdateTimestamp) {}

  private RemotingCommand createTopic(RemotingCommand request) throws IOException {
    String topic = topic(request);
    String problem = TopicConfigManager.checkName(topic);
    if (problem != null) {
      return RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, problem);
    }
    if (ctx.topics().isSystemTopic(topic)) {
      return systemTopic(request, topic);
    }
    int read = Headers.integer(request, "readQueueNums", 4);
    int write = Headers.integer(request, "writeQueueNums", read);
    if (read < 1 || write < 1 || read > 1024 || write > 1024) {
      return RemotingCommand.responseTo(
          request, ResponseCode.SYSTEM_ERROR, "queue numbers must be 1..1024");
    }
    TopicConfig config =
        new TopicConfig(
            topic,
            read,
            write,
            Headers.integer(request, "perm", TopicConfig.PERM_READ | TopicConfig.PERM_WRITE),
            Headers.string(request, "topicFilterType", "SINGLE_TAG"),
            Headers.integer(request, "topicSysFlag", 0),
            Headers.bool(request, "order", false),
            Map.of());
    ctx.topics().put(config);
    ctx.registerNow().run();
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  /** RocketMQ's answer to creating, changing or deleting a system topic. */
  private static RemotingCommand systemTopic(RemotingCommand request, String topic) {
    log.warn(
        "Refused {} of system topic {}",
        request.code() == RequestCode.DELETE_TOPIC_IN_BROKER ? "deletion" : "update",
        topic);
    return RemotingCommand.responseTo(
        request,
        ResponseCode.SYSTEM_ERROR,
        "The topic[" + topic + "] is conflict with system topic.");
  }

  private RemotingCommand deleteTopic(RemotingCommand request) throws IOException {
    String topic = topic(request);
    if (ctx.topics().isSystemTopic(topic)) {
      return systemTopic(request, topic);
    }
    ctx.topics().delete(topic);
    ctx.topicsChanged().run();
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }
}
