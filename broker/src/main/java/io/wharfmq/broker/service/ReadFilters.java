package io.wharfmq.broker.service;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.processor.TagFilters;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import io.wharfmq.store.MessageFilter;

/** The checks and filters every read (pop, peek, pull) shares. Stateless. */
final class ReadFilters {
  private ReadFilters() {}

  /**
   * The store filter for an expression, or why it cannot be served. SQL92 is served whatever
   * enablePropertyFilter says: that key governs RocketMQ consumers (their processors refuse SQL92
   * when it is off), while JMS and AMQP selectors are part of those protocols.
   */
  static Result<MessageFilter> filter(FilterType type, String expression) {
    FilterType t = type == null ? FilterType.TAG : type;
    try {
      return Result.ok(TagFilters.forExpression(t.name(), expression == null ? "*" : expression));
    } catch (IllegalArgumentException e) {
      return Result.fail(Status.ILLEGAL, e.getMessage());
    }
  }

  /**
   * The topic's config when {@code queueId} of it may be read (-1 meaning every queue when {@code
   * anyQueue}), else why not.
   */
  static Result<TopicConfig> readable(
      BrokerContext ctx, String topic, int queueId, boolean anyQueue) {
    TopicConfig config = topic == null ? null : ctx.topics().get(topic);
    if (config == null) {
      return Result.fail(Status.NOT_FOUND, "topic[" + topic + "] not exist, apply first please!");
    }
    if (!config.isReadable()) {
      return Result.fail(Status.FORBIDDEN, "the topic[" + topic + "] reading is forbidden");
    }
    if (queueId < (anyQueue ? -1 : 0) || queueId >= config.readQueueNums()) {
      return Result.fail(
          Status.ILLEGAL,
          "queueId["
              + queueId
              + "] is illegal, topic "
              + topic
              + " has "
              + config.readQueueNums()
              + " read queues");
    }
    return Result.ok(config);
  }
}
