package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.pop.PopReceipt;
import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.BatchAckBody;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.service.AckStatus;
import io.wharfmq.service.Receipt;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BATCH_ACK_MESSAGE (200151): RocketMQ 5's acknowledgement of many popped messages in one request,
 * each entry naming one queue, one pop (its popTime) and the acknowledged offsets as a bit set.
 * Every message is acknowledged as ACK_MESSAGE would ({@link PopAckProcessor}), with one pop-log
 * record per queue; the answer comes once the pop log holds them all. As RocketMQ, the answer is
 * SUCCESS even when some entries named nothing in flight; Wharf adds the header {@code refused}
 * (how many messages were not acknowledged: unknown topic or queue, offset outside the queue, not
 * in flight or a stale handle) so that a client can tell the application those may come again.
 * Thread-safe.
 */
public final class BatchAckProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(BatchAckProcessor.class);

  private final BrokerContext ctx;
  private final LocalMessagingService service;

  public BatchAckProcessor(BrokerContext ctx, LocalMessagingService service) {
    this.ctx = ctx;
    this.service = service;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    BatchAckBody body;
    try {
      body =
          request.body() == null || request.body().length == 0
              ? null
              : RemotingJson.decode(request.body(), BatchAckBody.class);
    } catch (IllegalArgumentException e) {
      log.warn("Refused batch ack from {}: {}", channel.remoteAddress(), e.getMessage());
      return RemotingCommand.responseTo(request, ResponseCode.MESSAGE_ILLEGAL, e.getMessage());
    }
    if (body == null || body.acks() == null || body.acks().isEmpty()) {
      return RemotingCommand.responseTo(request, ResponseCode.NO_MESSAGE, "no acks in the body");
    }
    List<Receipt> receipts = new ArrayList<>();
    int refused = 0;
    for (BatchAckBody.Entry e : body.acks()) {
      long[] offsets;
      try {
        offsets = e.offsets();
      } catch (IllegalArgumentException | NullPointerException bad) {
        log.warn("Refused batch ack entry from {}: {}", channel.remoteAddress(), e);
        continue;
      }
      String topic = poppedTopic(e);
      if (topic == null) {
        refused += offsets.length;
        continue;
      }
      for (long offset : offsets) {
        if (inQueue(topic, e.queueId(), offset)) {
          receipts.add(new Receipt(e.consumerGroup(), topic, e.queueId(), offset, e.popTime()));
        } else {
          refused++;
        }
      }
    }
    if (receipts.isEmpty()) {
      return answer(request, refused, false);
    }
    int invalid = refused;
    service
        .ackAll(receipts)
        .thenAccept(
            statuses -> {
              int notAcked = invalid;
              boolean failed = false;
              for (AckStatus s : statuses) {
                failed |= s == AckStatus.FAILED;
                notAcked += s == AckStatus.OK ? 0 : 1;
              }
              channel.writeResponse(answer(request, notAcked, failed));
            });
    return null;
  }

  /** The topic the entry's messages were popped from, or null when it names no readable queue. */
  private String poppedTopic(BatchAckBody.Entry e) {
    if (e.consumerGroup() == null || e.topic() == null) {
      return null;
    }
    String named =
        "1".equals(e.retry())
            ? ScheduleRewrite.RETRY_PREFIX + e.consumerGroup() + "_" + e.topic()
            : e.topic();
    String topic = PopReceipt.poppedTopic(named, e.consumerGroup());
    TopicConfig config = ctx.topics().get(topic);
    if (config == null || e.queueId() < 0 || e.queueId() >= config.readQueueNums()) {
      return null;
    }
    return topic;
  }

  private boolean inQueue(String topic, int queueId, long offset) {
    return offset >= ctx.store().minOffset(topic, queueId)
        && offset < ctx.store().maxOffset(topic, queueId);
  }

  private static RemotingCommand answer(RemotingCommand request, int refused, boolean failed) {
    if (failed) {
      return RemotingCommand.responseTo(
          request, ResponseCode.SYSTEM_ERROR, "pop log append failed");
    }
    String remark = refused == 0 ? null : refused + " messages were not in flight";
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, remark)
        .put("refused", refused);
  }
}
