package io.wharfmq.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides which queues of a topic this member reads (rebalancing): every readable queue when
 * broadcasting; in clustering, the allocation strategy's share of the sorted queues among the
 * sorted member ids the broker reports (GET_CONSUMER_LIST_BY_GROUP), and where a new queue starts.
 * Called from the scheduler thread; thread-safe.
 */
final class QueueAssigner {
  private final ClientRuntime runtime;
  private final String group;
  private final MessageModel model;
  private final AllocationStrategy strategy;

  QueueAssigner(
      ClientRuntime runtime, String group, MessageModel model, AllocationStrategy strategy) {
    this.runtime = runtime;
    this.group = group;
    this.model = model;
    this.strategy = strategy;
  }

  /**
   * This member's queues of {@code topic}.
   *
   * @throws ClientException when the member list cannot be had (keep the current queues then)
   */
  Set<MessageQueue> assign(String topic) {
    List<MessageQueue> queues = runtime.routes.readQueues(topic);
    if (model == MessageModel.BROADCASTING || queues.isEmpty()) {
      return new TreeSet<>(queues);
    }
    List<String> brokers = new ArrayList<>(runtime.routes.masterAddresses(List.of(topic)));
    if (brokers.isEmpty()) {
      return new TreeSet<>();
    }
    String broker = brokers.get(ThreadLocalRandom.current().nextInt(brokers.size()));
    List<String> members = new ArrayList<>(runtime.brokers.consumerIds(broker, group));
    members.sort(null);
    return new TreeSet<>(strategy.allocate(queues, members, runtime.clientId()));
  }

  /**
   * Where to start on a newly assigned queue: the committed offset, else by policy (a retry queue:
   * its start).
   *
   * @throws ClientException when the broker cannot tell (skip the queue this round)
   */
  long startOffset(OffsetStore offsets, MessageQueue mq, ConsumeFrom from) {
    boolean timestamp = from.position() == ConsumeFrom.Position.TIMESTAMP;
    long stored = offsets.readStored(mq, !timestamp);
    if (stored >= 0) {
      return stored;
    }
    if (mq.topic().startsWith(MessageView.RETRY_PREFIX)) {
      return 0; // a retry queue is read from its start, whatever the policy (as RocketMQ does)
    }
    String address = runtime.routes.masterAddress(mq.brokerName());
    if (address == null) {
      throw new ClientException(
          ClientException.NO_RESPONSE, "no address known for broker " + mq.brokerName());
    }
    return switch (from.position()) {
      case FIRST -> 0;
      case LAST -> runtime.brokers.maxOffset(address, mq);
      case TIMESTAMP -> runtime.brokers.searchOffset(address, mq, from.timestampMillis());
    };
  }
}
