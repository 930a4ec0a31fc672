package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.broker.topic.TopicAttributes;
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
import io.wharfmq.remoting.protocol.body.TopicList;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import io.wharfmq.service.TopicInfo;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topic administration and queue offsets: UPDATE_AND_CREATE_TOPIC (17), GET_ALL_TOPIC_CONFIG (21),
 * DELETE_TOPIC_IN_BROKER (215), SEARCH_OFFSET_BY_TIMESTAMP (29), GET_MAX_OFFSET (30),
 * GET_MIN_OFFSET (31), GET_EARLIEST_MSG_STORETIME (32), GET_TOPIC_CONFIG (351) and
 * GET_TOPIC_STATS_INFO (202: min and max offset and last store time per queue, in the fastjson body
 * form RocketMQ's TopicStatsTable is read in), the clean-ups CLEAN_EXPIRED_CONSUMEQUEUE (306) and
 * CLEAN_UNUSED_TOPIC (316), and GET_SYSTEM_TOPIC_LIST_FROM_BROKER (305). Thread-safe.
 */
public final class AdminProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(AdminProcessor.class);
  private static final long CLEAN_UP_TIMEOUT_SECONDS = 30;

  /** The request codes this processor serves. */
  public static final int[] CODES = {
    RequestCode.UPDATE_AND_CREATE_TOPIC,
    RequestCode.GET_ALL_TOPIC_CONFIG,
    RequestCode.DELETE_TOPIC_IN_BROKER,
    RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
    RequestCode.GET_MAX_OFFSET,
    RequestCode.GET_MIN_OFFSET,
    RequestCode.GET_EARLIEST_MSG_STORETIME,
    RequestCode.GET_TOPIC_CONFIG,
    RequestCode.GET_TOPIC_STATS_INFO,
    RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE,
    RequestCode.CLEAN_UNUSED_TOPIC,
    RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER
  };

  private final BrokerContext ctx;
  private final LocalMessagingService service;

  public AdminProcessor(BrokerContext ctx, LocalMessagingService service) {
    this.ctx = ctx;
    this.service = service;
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
      case RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE -> cleanExpiredQueues(request);
      case RequestCode.CLEAN_UNUSED_TOPIC -> cleanUnusedTopics(request);
      case RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER -> systemTopicList(request);
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
    TopicConfig existing = ctx.topics().get(topic);
    Map<String, String> attributes;
    try {
      attributes =
          TopicAttributes.apply(
              existing == null,
              existing == null ? Map.of() : existing.attributes(),
              request.get("attributes"));
    } catch (TopicAttributes.InvalidAttributesException e) {
      log.warn("Refused attributes of topic {}: {}", topic, e.getMessage());
      return RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, e.getMessage());
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
            attributes);
    Result<TopicInfo> r = service.putTopic(config);
    return RemotingCommand.responseTo(
        request, r.isOk() ? ResponseCode.SUCCESS : ResponseCode.SYSTEM_ERROR, r.detail());
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

  /**
   * As RocketMQ's deleteTopic: the topic's configuration, every group's offsets on it and its
   * consume queues go (its records stay in the commit log until retention); the name servers learn
   * of it at the next registration, which is at once.
   */
  private RemotingCommand deleteTopic(RemotingCommand request) throws IOException {
    String topic = request.get("topic");
    if (topic == null || topic.isBlank()) {
      return RemotingCommand.responseTo(
          request, ResponseCode.SYSTEM_ERROR, "The specified topic is blank.");
    }
    if (ctx.topics().isSystemTopic(topic)) {
      return systemTopic(request, topic);
    }
    Result<Void> r = service.deleteTopic(topic);
    if (r.status() == Status.ERROR) {
      throw new IOException(r.detail());
    }
    // As RocketMQ: deleting a topic that does not exist succeeds.
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  /** CLEAN_EXPIRED_CONSUMEQUEUE (306): queues whose messages all left the commit log. */
  private RemotingCommand cleanExpiredQueues(RemotingCommand request) throws IOException {
    int queues = await(ctx.store().deleteExpiredQueues(), "clean expired consume queues");
    log.info(
        "Cleaned {} expired consume queues (every entry below the commit log's start)", queues);
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  /** CLEAN_UNUSED_TOPIC (316): consume queues of topics no configuration names any more. */
  private RemotingCommand cleanUnusedTopics(RemotingCommand request) throws IOException {
    int queues =
        await(
            ctx.store()
                .deleteTopicQueues(
                    t -> ctx.topics().get(t) == null && !ctx.topics().isSystemTopic(t)),
            "clean unused topics");
    log.info("Cleaned {} consume queues of topics without a configuration", queues);
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  /** GET_SYSTEM_TOPIC_LIST_FROM_BROKER (305): the system topics of this broker. */
  private RemotingCommand systemTopicList(RemotingCommand request) {
    Set<String> names = new TreeSet<>();
    for (String t : ctx.topics().snapshot().topicConfigTable().keySet()) {
      if (ctx.topics().isSystemTopic(t)) {
        names.add(t);
      }
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .body(RemotingJson.encode(new TopicList(names, null)));
  }

  private static int await(CompletableFuture<Integer> work, String what) throws IOException {
    try {
      return work.get(CLEAN_UP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(what + " interrupted", e);
    } catch (ExecutionException e) {
      throw new IOException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException(
          what
              + " did not finish within "
              + CLEAN_UP_TIMEOUT_SECONDS
              + " s (the dispatcher is busy)",
          e);
    }
  }
}
