package io.wharfmq.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.AckCallback;
import org.apache.rocketmq.client.consumer.AckResult;
import org.apache.rocketmq.client.consumer.PopCallback;
import org.apache.rocketmq.client.consumer.PopResult;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.protocol.header.AckMessageRequestHeader;
import org.apache.rocketmq.remoting.protocol.header.ChangeInvisibleTimeRequestHeader;
import org.apache.rocketmq.remoting.protocol.header.ExtraInfoUtil;
import org.apache.rocketmq.remoting.protocol.header.PopMessageRequestHeader;

/**
 * POP, ACK, BATCH_ACK and CHANGE_INVISIBLE_TIME through the official RocketMQ client's own API
 * object ({@link MQClientAPIImpl}, as its POP consumer calls it), for tests and benchmarks that
 * drive POP by hand. A pop takes up to 32 messages of every tag; an ack or invisibility change
 * addresses the message by its POP checkpoint property, as the client does. Stateless; thread-safe
 * as the client is.
 */
public final class RocketMqPopCalls {
  private RocketMqPopCalls() {}

  /**
   * A POP request of {@code group} on {@code topic} ({@code queueId} -1: every queue), up to 32
   * messages of any tag, invisible for {@code invisibleMillis} once delivered, held by the broker
   * up to {@code pollMillis} when nothing is there.
   */
  public static PopMessageRequestHeader request(
      String group, String topic, int queueId, long invisibleMillis, long pollMillis) {
    PopMessageRequestHeader h = new PopMessageRequestHeader();
    h.setConsumerGroup(group);
    h.setTopic(topic);
    h.setQueueId(queueId);
    h.setMaxMsgNums(32);
    h.setInvisibleTime(invisibleMillis);
    h.setPollTime(pollMillis);
    h.setBornTime(System.currentTimeMillis());
    h.setInitMode(0);
    h.setExpType("TAG");
    h.setExp("*");
    return h;
  }

  /**
   * Sends the pop to broker {@code brokerName} at {@code addr} with a client timeout of {@code
   * timeoutMillis} and waits up to 5 s longer for the answer; a failure is an IllegalStateException
   * with the client's exception as its cause.
   */
  public static PopResult pop(
      MQClientAPIImpl api,
      String brokerName,
      String addr,
      PopMessageRequestHeader request,
      long timeoutMillis)
      throws Exception {
    try {
      return popAsync(api, brokerName, addr, request, timeoutMillis)
          .get(timeoutMillis + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("pop failed", e.getCause());
    }
  }

  /** Sends the pop as {@link #pop} does; the future completes with the answer or the failure. */
  public static CompletableFuture<PopResult> popAsync(
      MQClientAPIImpl api,
      String brokerName,
      String addr,
      PopMessageRequestHeader request,
      long timeoutMillis)
      throws Exception {
    CompletableFuture<PopResult> f = new CompletableFuture<>();
    api.popMessageAsync(
        brokerName,
        addr,
        request,
        timeoutMillis,
        new PopCallback() {
          @Override
          public void onSuccess(PopResult popResult) {
            f.complete(popResult);
          }

          @Override
          public void onException(Throwable e) {
            f.completeExceptionally(e);
          }
        });
    return f;
  }

  /** Acknowledges a popped message of {@code group}; the future completes with the answer. */
  public static CompletableFuture<AckResult> ack(
      MQClientAPIImpl api, String addr, String group, MessageExt m, long timeoutMillis)
      throws Exception {
    String extraInfo = m.getProperty(MessageConst.PROPERTY_POP_CK);
    String[] info = ExtraInfoUtil.split(extraInfo);
    AckMessageRequestHeader h = new AckMessageRequestHeader();
    h.setConsumerGroup(group);
    h.setTopic(ExtraInfoUtil.getRealTopic(info, m.getTopic(), group));
    h.setQueueId(ExtraInfoUtil.getQueueId(info));
    h.setOffset(ExtraInfoUtil.getQueueOffset(info));
    h.setExtraInfo(extraInfo);
    CompletableFuture<AckResult> f = new CompletableFuture<>();
    api.ackMessageAsync(addr, timeoutMillis, callback(f), h);
    return f;
  }

  /**
   * Acknowledges popped messages of {@code group} on {@code topic} with one BATCH_ACK_MESSAGE,
   * built by the client from their POP checkpoint properties; the future completes with the answer.
   */
  public static CompletableFuture<AckResult> batchAck(
      MQClientAPIImpl api,
      String addr,
      String group,
      String topic,
      List<MessageExt> messages,
      long timeoutMillis)
      throws Exception {
    List<String> extraInfos = new ArrayList<>(messages.size());
    for (MessageExt m : messages) {
      extraInfos.add(m.getProperty(MessageConst.PROPERTY_POP_CK));
    }
    CompletableFuture<AckResult> f = new CompletableFuture<>();
    api.batchAckMessageAsync(addr, timeoutMillis, callback(f), topic, group, extraInfos);
    return f;
  }

  /**
   * Changes how long a popped message of {@code group} stays invisible, from now; the future
   * completes with the answer.
   */
  public static CompletableFuture<AckResult> changeInvisibleTime(
      MQClientAPIImpl api,
      String brokerName,
      String addr,
      String group,
      MessageExt m,
      long invisibleMillis,
      long timeoutMillis)
      throws Exception {
    String extraInfo = m.getProperty(MessageConst.PROPERTY_POP_CK);
    String[] info = ExtraInfoUtil.split(extraInfo);
    ChangeInvisibleTimeRequestHeader h = new ChangeInvisibleTimeRequestHeader();
    h.setConsumerGroup(group);
    h.setTopic(ExtraInfoUtil.getRealTopic(info, m.getTopic(), group));
    h.setQueueId(ExtraInfoUtil.getQueueId(info));
    h.setOffset(ExtraInfoUtil.getQueueOffset(info));
    h.setExtraInfo(extraInfo);
    h.setInvisibleTime(invisibleMillis);
    CompletableFuture<AckResult> f = new CompletableFuture<>();
    api.changeInvisibleTimeAsync(brokerName, addr, h, timeoutMillis, callback(f));
    return f;
  }

  private static AckCallback callback(CompletableFuture<AckResult> f) {
    return new AckCallback() {
      @Override
      public void onSuccess(AckResult ackResult) {
        f.complete(ackResult);
      }

      @Override
      public void onException(Throwable e) {
        f.completeExceptionally(e);
      }
    };
  }
}
