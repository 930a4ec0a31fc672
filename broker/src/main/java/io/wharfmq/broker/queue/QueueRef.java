package io.wharfmq.broker.queue;

import io.wharfmq.service.DestinationNames;

/**
 * A declared RabbitMQ-style queue as the enforcement of its arguments sees it: its vhost and name,
 * the topic that stores it and its parsed arguments. Immutable; thread-safe.
 */
public record QueueRef(String vhost, String name, String topic, QueueArguments arguments) {

  /** The consumer group every consumer of the queue shares. */
  public String group() {
    return DestinationNames.queueGroup(topic);
  }
}
