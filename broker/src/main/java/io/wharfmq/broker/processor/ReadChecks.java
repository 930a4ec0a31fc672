package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import java.io.IOException;

/**
 * The checks every read (pull, pop) makes on its topic and queue, with RocketMQ's answers.
 * Stateless.
 */
final class ReadChecks {
  private ReadChecks() {}

  /**
   * The refusal for consuming as {@code group}: unknown while auto-creation is off (26) or
   * consumption disabled (16), as RocketMQ checks before the topic; null when it may consume.
   * Creates the group when auto-creation is on.
   */
  static RemotingCommand groupRefusal(BrokerContext ctx, RemotingCommand request, String group) {
    SubscriptionGroupConfig config;
    try {
      config = ctx.subscriptionGroups().findOrCreate(group);
    } catch (IOException e) {
      return RemotingCommand.responseTo(
          request, ResponseCode.SYSTEM_ERROR, "cannot create subscription group: " + e);
    }
    if (config == null) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
          "subscription group [" + group + "] does not exist");
    }
    if (!config.consumeEnable()) {
      return RemotingCommand.responseTo(
          request, ResponseCode.NO_PERMISSION, "subscription group no permission, " + group);
    }
    return null;
  }

  /**
   * The refusal for reading {@code queueId} of {@code topic} (-1 means every queue when {@code
   * anyQueue}), or null when the read may go on.
   */
  static RemotingCommand refusal(
      BrokerContext ctx, RemotingCommand request, String topic, int queueId, boolean anyQueue) {
    TopicConfig config = ctx.topics().get(topic);
    if (config == null) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.TOPIC_NOT_EXIST,
          "topic[" + topic + "] not exist, apply first please!");
    }
    if (!config.isReadable()) {
      return RemotingCommand.responseTo(
          request, ResponseCode.NO_PERMISSION, "the topic[" + topic + "] reading is forbidden");
    }
    if (queueId < (anyQueue ? -1 : 0) || queueId >= config.readQueueNums()) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.SYSTEM_ERROR,
          "queueId["
              + queueId
              + "] is illegal, topic "
              + topic
              + " has "
              + config.readQueueNums()
              + " read queues");
    }
    return null;
  }
}
