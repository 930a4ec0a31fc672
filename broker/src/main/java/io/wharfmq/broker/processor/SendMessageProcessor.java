package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.schedule.DeliveryRewrite;
import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.broker.schedule.TimerRewrite;
import io.wharfmq.broker.topic.SystemTopics;
import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.broker.transaction.TransactionService;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.MessageIds;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.SendHeaderV2;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.store.AppendResult;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320). Resolves (or creates) the
 * topic, stores the message(s) and answers when the store acknowledges: after the page-cache write
 * (ASYNC) or the fsync (SYNC). A send that waited in the queue longer than
 * waitTimeMillsInSendQueue, or that the store cannot take (BUSY), gets SYSTEM_BUSY so producers
 * back off or try another broker. Thread-safe.
 */
public final class SendMessageProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(SendMessageProcessor.class);

  private final BrokerContext ctx;
  private final DeliveryRewrite delivery;

  public SendMessageProcessor(BrokerContext ctx) {
    this.ctx = ctx;
    this.delivery = new DeliveryRewrite(ctx.config(), ctx.delayLevels().count(), ctx.clock());
  }

  /**
   * A send to an existing topic other than a retry topic runs on the I/O thread: it only encodes
   * the record and hands it to the store, which appends it on the calling thread when the commit
   * log is free (ASYNC flush) or queues it. Auto-creating a topic (which writes the topic file and
   * asks for a registration with the name servers) and retry topics (which may create a DLQ) go to
   * the send executor.
   */
  @Override
  public boolean runsOnIoThread(RemotingCommand request) {
    Map<String, String> f = request.extFields();
    String topic = request.code() == RequestCode.SEND_MESSAGE ? f.get("topic") : f.get("b");
    return topic != null
        && !topic.startsWith(ScheduleRewrite.RETRY_PREFIX)
        && ctx.topics().get(topic) != null;
  }

  /** Rewrites V2 one-letter keys to the v1 names, so one code path reads both. */
  static void normalizeV2(RemotingCommand request) {
    if (request.code() == RequestCode.SEND_MESSAGE) {
      return;
    }
    // Copied into a new map rather than a remove and a put per key (4 % of the I/O threads'
    // samples). A V2 key wins over a v1 name sent alongside it, whichever comes first.
    Map<String, String> v1 = new HashMap<>(32);
    for (Map.Entry<String, String> e : request.extFields().entrySet()) {
      String name = SendHeaderV2.v1Name(e.getKey());
      if (name != null) {
        v1.put(name, e.getValue());
      } else {
        v1.putIfAbsent(e.getKey(), e.getValue());
      }
    }
    request.extFields(v1);
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request)
      throws IOException {
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - request.receivedNanos());
    if (request.receivedNanos() != 0 && waitedMs > ctx.config().waitTimeMillsInSendQueue()) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.SYSTEM_BUSY,
          "[TIMEOUT_CLEAN_QUEUE]broker busy, start flow control for a while, period in queue: "
              + waitedMs
              + "ms");
    }
    normalizeV2(request);
    String topic = Headers.string(request, "topic");
    String problem = TopicConfigManager.checkName(topic);
    if (problem != null) {
      return RemotingCommand.responseTo(request, ResponseCode.MESSAGE_ILLEGAL, problem);
    }
    if (SystemTopics.isNotAllowedSendTopic(topic)) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.NO_PERMISSION,
          "Sending message to topic[" + topic + "] is forbidden.");
    }
    TopicConfig config = resolveTopic(request, topic);
    if (config == null) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.TOPIC_NOT_EXIST,
          "topic[" + topic + "] not exist, apply first please!");
    }
    if (!config.isWritable()) {
      return RemotingCommand.responseTo(
          request, ResponseCode.NO_PERMISSION, "the topic[" + topic + "] sending is forbidden");
    }
    int queueId = Headers.integer(request, "queueId", -1);
    int queues = Math.max(config.writeQueueNums(), config.readQueueNums());
    if (queueId < 0) {
      queueId = ThreadLocalRandom.current().nextInt(config.writeQueueNums());
    } else if (queueId >= queues) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.SYSTEM_ERROR,
          "request queueId["
              + queueId
              + "] is illegal, topic "
              + topic
              + " has "
              + queues
              + " queues");
    }
    String retryGroup = ScheduleRewrite.groupOfRetryTopic(topic);
    if (retryGroup != null && ctx.subscriptionGroups().findOrCreate(retryGroup) == null) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
          "subscription group not exist, " + retryGroup);
    }
    List<MessageToStore> built = toMessages(channel, request, topic, queueId);
    List<MessageToStore> messages;
    if (request.code() == RequestCode.SEND_BATCH_MESSAGE) {
      messages = built;
    } else {
      try {
        messages = List.of(divert(request, built.get(0)));
      } catch (TimerRewrite.InvalidTimerException e) {
        log.warn(
            "Rejected a timer message to {} from {}: {}",
            topic,
            channel.remoteAddress(),
            e.getMessage());
        return RemotingCommand.responseTo(request, timerRejectionCode(), e.getMessage());
      }
    }
    var future =
        messages.size() == 1 && request.code() != RequestCode.SEND_BATCH_MESSAGE
            ? ctx.store().append(messages.get(0))
            : ctx.store().appendBatch(messages);
    int finalQueueId = queueId;
    future.thenAccept(r -> channel.writeResponse(respond(request, r, messages, finalQueueId)));
    return null;
  }

  /**
   * Where a single message really goes: a retry message past its max reconsume times to the group's
   * DLQ (what the RocketMQ client relies on when its send-back falls back to a plain send), a
   * message with a DELAY level to the schedule topic.
   */
  private MessageToStore divert(RemotingCommand request, MessageToStore m)
      throws IOException, TimerRewrite.InvalidTimerException {
    String group = ScheduleRewrite.groupOfRetryTopic(m.topic());
    if (group != null) {
      int max =
          SendBackProcessor.maxReconsumeTimes(
              request, ctx.subscriptionGroups().maxReconsumeTimes(group));
      // As RocketMQ: a group holding live queue locks consumes orderly; its client sends a
      // message back only once its own retries are used up, so it goes to the DLQ at once.
      boolean orderly = ctx.queueLocks().hasLiveLock(group);
      if (m.reconsumeTimes() > max || orderly) {
        String dlq = ScheduleRewrite.DLQ_PREFIX + group;
        if (ctx.topics().get(dlq) == null) {
          ctx.topics().createIfAbsent(dlq, 1, TopicConfig.PERM_READ | TopicConfig.PERM_WRITE);
          ctx.topicsChanged().run(); // so tools and DLQ readers find its route
        }
        Map<String, String> props = MessageProperties.decode(m.properties());
        props.remove(ScheduleRewrite.DELAY);
        log.info(
            "Message of group {} (reconsume times {}, max {}, orderly {}): to {}",
            group,
            m.reconsumeTimes(),
            max,
            orderly,
            dlq);
        return ScheduleRewrite.withTopic(m, dlq, 0, MessageProperties.encode(props));
      }
    }
    if (TransactionService.isHalf(m)) {
      return TransactionService.toHalf(m);
    }
    return delivery.apply(m);
  }

  /**
   * RocketMQ answers a disabled timer wheel with SYSTEM_ERROR, a bad timer with MESSAGE_ILLEGAL.
   */
  private int timerRejectionCode() {
    return ctx.config().timerWheelEnable()
        ? ResponseCode.MESSAGE_ILLEGAL
        : ResponseCode.SYSTEM_ERROR;
  }

  private TopicConfig resolveTopic(RemotingCommand request, String topic) throws IOException {
    TopicConfig config = ctx.topics().get(topic);
    if (config != null || !ctx.config().autoCreateTopicEnable()) {
      return config;
    }
    String defaultTopic = Headers.string(request, "defaultTopic", TopicConfigManager.DEFAULT_TOPIC);
    int queues = Headers.integer(request, "defaultTopicQueueNums", 4);
    config = ctx.topics().createOnSend(topic, defaultTopic, queues);
    if (config != null) {
      log.info(
          "Auto-created topic {} with {} queues on first send", topic, config.writeQueueNums());
      // Registered in the background, never before the answer: a slow or unreachable name server
      // must not turn the first send to a topic into a client timeout (and a duplicate when the
      // client retries). The registration starts now, before the append, so a consumer started
      // after the answer finds the route in all but a pathological case; until then the producer
      // keeps sending through the default topic's route, as it did for this send.
      ctx.topicsChanged().run();
    }
    return config;
  }

  private List<MessageToStore> toMessages(
      RemotingChannel channel, RemotingCommand request, String topic, int queueId) {
    String properties = withBrokerProperties(Headers.string(request, "properties", ""));
    int sysFlag = Headers.integer(request, "sysFlag", 0);
    long born = Headers.longValue(request, "bornTimestamp", ctx.clock().millis());
    int reconsume = Headers.integer(request, "reconsumeTimes", 0);
    InetSocketAddress bornHost = (InetSocketAddress) channel.remoteSocketAddress();
    byte[] body = request.body() == null ? new byte[0] : request.body();
    if (request.code() != RequestCode.SEND_BATCH_MESSAGE) {
      int flag = Headers.integer(request, "flag", 0);
      return List.of(
          new MessageToStore(
              topic,
              queueId,
              flag,
              body,
              properties,
              sysFlag,
              born,
              bornHost,
              ctx.storeHost(),
              reconsume,
              0L));
    }
    Map<String, String> batchProps = MessageProperties.decode(properties);
    List<MessageToStore> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(body);
    try {
      while (b.hasRemaining()) {
        b.getInt(); // TOTALSIZE
        b.getInt(); // MAGICCODE
        b.getInt(); // BODYCRC
        int flag = b.getInt();
        byte[] inner = new byte[b.getInt()];
        b.get(inner);
        byte[] props = new byte[b.getShort() & 0xFFFF];
        b.get(props);
        Map<String, String> merged =
            MessageProperties.decode(new String(props, StandardCharsets.UTF_8));
        // The inner message's own UNIQ_KEY wins, so every message keeps the id its producer
        // returned.
        batchProps.forEach(merged::putIfAbsent);
        out.add(
            new MessageToStore(
                topic,
                queueId,
                flag,
                inner,
                MessageProperties.encode(merged),
                sysFlag,
                born,
                bornHost,
                ctx.storeHost(),
                reconsume,
                0L));
      }
    } catch (BufferUnderflowException | NegativeArraySizeException e) {
      throw new Headers.BadRequestException("malformed batch body at byte " + b.position());
    }
    if (out.isEmpty()) {
      throw new Headers.BadRequestException("empty batch");
    }
    return out;
  }

  /**
   * The producer's properties plus MSG_REGION and TRACE_ON, which RocketMQ's broker stores with
   * every message: a tracing consumer (enableMsgTrace) writes no trace record for a message without
   * MSG_REGION and none for one whose TRACE_ON is "false". A producer's own values are replaced, as
   * RocketMQ does. For a batch these go with the batch's properties onto every message.
   */
  private String withBrokerProperties(String properties) {
    String region = ctx.config().regionId();
    String traceOn = String.valueOf(ctx.config().traceOn());
    if (properties.contains(MessageProperties.MSG_REGION)
        || properties.contains(MessageProperties.TRACE_ON)) {
      Map<String, String> props = MessageProperties.decode(properties);
      props.put(MessageProperties.MSG_REGION, region);
      props.put(MessageProperties.TRACE_ON, traceOn);
      return MessageProperties.encode(props);
    }
    StringBuilder b = new StringBuilder(properties.length() + 40).append(properties);
    if (!properties.isEmpty()
        && properties.charAt(properties.length() - 1) != MessageProperties.PROPERTY_SEPARATOR) {
      b.append(MessageProperties.PROPERTY_SEPARATOR);
    }
    return b.append(MessageProperties.MSG_REGION)
        .append(MessageProperties.NAME_VALUE_SEPARATOR)
        .append(region)
        .append(MessageProperties.PROPERTY_SEPARATOR)
        .append(MessageProperties.TRACE_ON)
        .append(MessageProperties.NAME_VALUE_SEPARATOR)
        .append(traceOn)
        .append(MessageProperties.PROPERTY_SEPARATOR)
        .toString();
  }

  private RemotingCommand respond(
      RemotingCommand request, AppendResult r, List<MessageToStore> messages, int queueId) {
    if (!r.isOk()) {
      return RemotingCommand.responseTo(request, statusCode(r), r.status() + ": " + r.detail());
    }
    ctx.stats().stored(Headers.string(request, "topic"), messages.size());
    RemotingCommand response = RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
    StringJoiner ids = new StringJoiner(",");
    for (long offset : r.physicalOffsets()) {
      ids.add(MessageIds.offsetMessageId(ctx.storeHost(), offset));
    }
    response.put("msgId", ids.toString());
    response.put("queueId", queueId);
    response.put("queueOffset", r.queueOffset());
    String uniq = MessageProperties.find(messages.get(0).properties(), MessageProperties.UNIQ_KEY);
    response.put("transactionId", uniq);
    response.put(MessageProperties.MSG_REGION, ctx.config().regionId());
    response.put(MessageProperties.TRACE_ON, String.valueOf(ctx.config().traceOn()));
    return response;
  }

  private static int statusCode(AppendResult r) {
    return switch (r.status()) {
      case BUSY -> ResponseCode.SYSTEM_BUSY;
      case DISK_FULL, STORE_CLOSED -> ResponseCode.SERVICE_NOT_AVAILABLE;
      case MESSAGE_TOO_LARGE, PROPERTIES_TOO_LARGE, TOPIC_INVALID -> ResponseCode.MESSAGE_ILLEGAL;
      case IO_ERROR, OK -> ResponseCode.SYSTEM_ERROR;
    };
  }
}
