package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.SendHeaderV2;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.store.format.MessageProperties;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320): decodes the headers and a
 * batch body into a {@link SendCommand}, hands it to the messaging service (which resolves or
 * creates the topic, diverts and stores) and answers when the store acknowledges: after the
 * page-cache write (ASYNC) or the fsync (SYNC). A send that waited in the queue longer than
 * waitTimeMillsInSendQueue, or that the store cannot take (BUSY), gets SYSTEM_BUSY so producers
 * back off or try another broker. Thread-safe.
 */
public final class SendMessageProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(SendMessageProcessor.class);

  private final BrokerContext ctx;
  private final LocalMessagingService service;

  public SendMessageProcessor(BrokerContext ctx, LocalMessagingService service) {
    this.ctx = ctx;
    this.service = service;
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
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
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
    int queueId = Headers.integer(request, "queueId", -1);
    RemotingCommand refusal = rocketMqRefusal(request, topic);
    if (refusal != null) {
      return refusal;
    }
    boolean batch = request.code() == RequestCode.SEND_BATCH_MESSAGE;
    SendCommand command =
        new SendCommand(
            topic,
            queueId,
            messages(request, batch),
            batch,
            Headers.integer(request, "sysFlag", 0),
            (InetSocketAddress) channel.remoteSocketAddress(),
            ctx.config().autoCreateTopicEnable(),
            SendBackProcessor.maxReconsumeTimes(request, -1));
    service
        .send(
            command,
            Headers.string(request, "defaultTopic", TopicConfigManager.DEFAULT_TOPIC),
            Headers.integer(request, "defaultTopicQueueNums", 4))
        .whenComplete(
            (r, error) -> {
              if (error != null) {
                log.error("Send to {} from {} failed", topic, channel.remoteAddress(), error);
                channel.writeResponse(
                    RemotingCommand.responseTo(
                        request, ResponseCode.SYSTEM_ERROR, "send failed: " + error));
              } else {
                channel.writeResponse(respond(channel, request, r));
              }
            });
    return null;
  }

  /**
   * The answer RocketMQ gives that a service status cannot tell apart from a missing topic: a retry
   * topic of an unknown group (SUBSCRIPTION_GROUP_NOT_EXIST). Null when the send may go on.
   */
  private RemotingCommand rocketMqRefusal(RemotingCommand request, String topic) {
    String retryGroup = ScheduleRewrite.groupOfRetryTopic(topic);
    if (retryGroup == null) {
      return null;
    }
    try {
      if (ctx.subscriptionGroups().findOrCreate(retryGroup) != null) {
        return null;
      }
    } catch (IOException e) {
      return RemotingCommand.responseTo(
          request, ResponseCode.SYSTEM_ERROR, "cannot create subscription group: " + e);
    }
    return RemotingCommand.responseTo(
        request,
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        "subscription group not exist, " + retryGroup);
  }

  /**
   * The properties without the multi-dispatch names: only the broker's router may make a record fan
   * out to queues (docs/storage.md, "Multi-dispatch"), so a producer's own are dropped.
   */
  private static String withoutDispatch(String properties) {
    if (!properties.contains("DISPATCH")) {
      return properties;
    }
    Map<String, String> props = MessageProperties.decode(properties);
    boolean dropped =
        props.remove(MessageProperties.DISPATCH) != null
            | props.remove(MessageProperties.REAL_DISPATCH) != null
            | props.remove(MessageProperties.DISPATCH_SOURCE) != null;
    if (!dropped) {
      return properties;
    }
    log.warn("Dropped the reserved multi-dispatch properties a producer sent");
    return MessageProperties.encode(props);
  }

  /** The message of a single send, or the messages a batch body encodes. */
  private List<OutgoingMessage> messages(RemotingCommand request, boolean batch) {
    String properties = withoutDispatch(Headers.string(request, "properties", ""));
    long born = Headers.longValue(request, "bornTimestamp", ctx.clock().millis());
    int reconsume = Headers.integer(request, "reconsumeTimes", 0);
    byte[] body = request.body() == null ? new byte[0] : request.body();
    if (!batch) {
      return List.of(
          new OutgoingMessage(
              body, Headers.integer(request, "flag", 0), properties, born, reconsume));
    }
    Map<String, String> batchProps = MessageProperties.decode(properties);
    List<OutgoingMessage> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(body);
    try {
      while (b.hasRemaining()) {
        out.add(batchEntry(b, batchProps, born, reconsume));
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
   * Decodes the message of a batch body at {@code b}'s position (RocketMQ reference section 3.6:
   * TOTALSIZE, MAGICCODE, BODYCRC, FLAG, BODYLEN, BODY, PROPLEN (2 bytes), PROPERTIES). Properties
   * of {@code defaults} the message does not have are added. Throws BufferUnderflowException or
   * NegativeArraySizeException for a truncated entry.
   */
  static OutgoingMessage batchEntry(
      ByteBuffer b, Map<String, String> defaults, long born, int reconsume) {
    b.getInt(); // TOTALSIZE
    b.getInt(); // MAGICCODE
    b.getInt(); // BODYCRC
    int flag = b.getInt();
    byte[] inner = new byte[b.getInt()];
    b.get(inner);
    byte[] props = new byte[b.getShort() & 0xFFFF];
    b.get(props);
    Map<String, String> merged =
        MessageProperties.decode(withoutDispatch(new String(props, StandardCharsets.UTF_8)));
    // The inner message's own UNIQ_KEY wins, so every message keeps the id its producer returned.
    defaults.forEach(merged::putIfAbsent);
    return new OutgoingMessage(inner, flag, MessageProperties.encode(merged), born, reconsume);
  }

  /** RocketMQ answers a queueId beyond the topic's queues with SYSTEM_ERROR, not as illegal. */
  private int failureCode(RemotingCommand request, SendResult r) {
    int queueId = Headers.integer(request, "queueId", -1);
    TopicConfig config = ctx.topics().get(r.topic());
    if (r.status() == Status.ILLEGAL
        && config != null
        && queueId >= Math.max(config.writeQueueNums(), config.readQueueNums())) {
      return ResponseCode.SYSTEM_ERROR;
    }
    return ResponseCodes.of(r.status());
  }

  /**
   * A send to a topic that is an exchange whose bindings reach no queue: nothing was stored, and
   * the producer hears SEND_OK, as RabbitMQ drops an unroutable publish that is not mandatory (the
   * broker counts it; docs/rabbitmq.md). The answer carries no offset message id and offset -1.
   */
  private RemotingCommand unroutable(RemotingCommand request) {
    RemotingCommand response = RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
    response.put("msgId", "");
    response.put("queueId", Math.max(0, Headers.integer(request, "queueId", 0)));
    response.put("queueOffset", -1L);
    response.put(MessageProperties.MSG_REGION, ctx.config().regionId());
    response.put(MessageProperties.TRACE_ON, String.valueOf(ctx.config().traceOn()));
    return response;
  }

  private RemotingCommand respond(RemotingChannel channel, RemotingCommand request, SendResult r) {
    if (r.status() == Status.UNROUTABLE) {
      return unroutable(request);
    }
    if (!r.isOk()) {
      if (r.status() == Status.ILLEGAL || r.status() == Status.FORBIDDEN) {
        log.warn(
            "Refused a send to {} from {}: {}", r.topic(), channel.remoteAddress(), r.detail());
      }
      return RemotingCommand.responseTo(request, failureCode(request, r), r.detail());
    }
    RemotingCommand response = RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
    response.put(
        "msgId",
        r.messageIds().size() == 1 ? r.messageIds().get(0) : String.join(",", r.messageIds()));
    response.put("queueId", r.queueId());
    response.put("queueOffset", r.queueOffset());
    response.put("transactionId", r.uniqueId());
    response.put(MessageProperties.MSG_REGION, ctx.config().regionId());
    response.put(MessageProperties.TRACE_ON, String.valueOf(ctx.config().traceOn()));
    return response;
  }
}
