package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.pop.RequestModeTable;
import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.MessageQueue;
import io.wharfmq.remoting.protocol.body.MessageQueueAssignment;
import io.wharfmq.remoting.protocol.body.QueryAssignmentRequestBody;
import io.wharfmq.remoting.protocol.body.QueryAssignmentResponseBody;
import io.wharfmq.remoting.protocol.body.SetMessageRequestModeRequestBody;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Broker-side queue assignment for clients that let the broker rebalance (RocketMQ's {@code
 * clientRebalance=false}): QUERY_ASSIGNMENT (400) and SET_MESSAGE_REQUEST_MODE (401). A group in
 * POP mode on a topic gets one assignment with queueId -1 (pop from every queue of this broker,
 * shared with every other member); in PULL mode the broker's queues are split among the group's
 * members like AllocateMessageQueueAveragely. Retry topics are always PULL. Only this broker's
 * queues are assigned. Thread-safe.
 */
public final class QueryAssignmentProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(QueryAssignmentProcessor.class);

  private final BrokerContext ctx;
  private final RequestModeTable modes;

  public QueryAssignmentProcessor(BrokerContext ctx, RequestModeTable modes) {
    this.ctx = ctx;
    this.modes = modes;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request)
      throws IOException {
    try {
      return request.code() == RequestCode.SET_MESSAGE_REQUEST_MODE
          ? setMode(request)
          : query(request);
    } catch (IllegalArgumentException e) {
      log.warn(
          "Bad request {} from {}: {}", request.code(), channel.remoteAddress(), e.getMessage());
      return RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, e.getMessage());
    }
  }

  private RemotingCommand setMode(RemotingCommand request) throws IOException {
    SetMessageRequestModeRequestBody body =
        RemotingJson.decode(request.body(), SetMessageRequestModeRequestBody.class);
    if (body.topic() == null || body.consumerGroup() == null) {
      throw new IllegalArgumentException("topic and consumerGroup are required");
    }
    if (body.topic().startsWith(ScheduleRewrite.RETRY_PREFIX)) {
      throw new IllegalArgumentException("retry topics are always read in PULL mode");
    }
    modes.set(body.topic(), body.consumerGroup(), body.mode());
    log.info("Group {} now reads {} in {} mode", body.consumerGroup(), body.topic(), body.mode());
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  private RemotingCommand query(RemotingCommand request) {
    QueryAssignmentRequestBody body =
        RemotingJson.decode(request.body(), QueryAssignmentRequestBody.class);
    if (body.topic() == null || body.consumerGroup() == null || body.clientId() == null) {
      throw new IllegalArgumentException("topic, consumerGroup and clientId are required");
    }
    String topic = body.topic();
    TopicConfig config = ctx.topics().get(topic);
    Set<MessageQueueAssignment> result = new HashSet<>();
    if (config != null) {
      String brokerName = ctx.config().brokerName();
      String mode =
          topic.startsWith(ScheduleRewrite.RETRY_PREFIX)
              ? RequestModeTable.PULL
              : modes.mode(topic, body.consumerGroup());
      if (mode.equals(RequestModeTable.POP)) {
        result.add(new MessageQueueAssignment(new MessageQueue(topic, brokerName, -1), mode, null));
      } else {
        List<MessageQueue> all = new ArrayList<>();
        for (int i = 0; i < config.readQueueNums(); i++) {
          all.add(new MessageQueue(topic, brokerName, i));
        }
        List<MessageQueue> mine =
            "BROADCASTING".equalsIgnoreCase(body.messageModel())
                ? all
                : averagely(all, ctx.clients().consumerIds(body.consumerGroup()), body.clientId());
        for (MessageQueue mq : mine) {
          result.add(new MessageQueueAssignment(mq, mode, null));
        }
      }
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .body(RemotingJson.encode(new QueryAssignmentResponseBody(result)));
  }

  /** RocketMQ's AllocateMessageQueueAveragely over sorted client ids. */
  static List<MessageQueue> averagely(List<MessageQueue> all, List<String> ids, String me) {
    List<String> sorted = new ArrayList<>(ids);
    sorted.sort(null);
    int index = sorted.indexOf(me);
    List<MessageQueue> out = new ArrayList<>();
    if (index < 0 || all.isEmpty()) {
      return out;
    }
    int n = all.size();
    int members = sorted.size();
    int mod = n % members;
    int size = n <= members ? 1 : (mod > 0 && index < mod ? n / members + 1 : n / members);
    int start = mod > 0 && index < mod ? index * size : index * size + mod;
    for (int i = 0; i < Math.min(size, n - start); i++) {
      out.add(all.get((start + i) % n));
    }
    return out;
  }
}
