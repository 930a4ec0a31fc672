package io.wharfmq.bench.amqp;

import java.nio.file.Path;
import java.util.List;

/**
 * A broker of {@link FanoutBenchmark}: one with RabbitMQ's model (exchanges, bindings, queues)
 * reachable over AMQP 1.0, each with its own way to declare the topology and its own address
 * strings for the same Qpid JMS client. Used from the benchmark's main thread.
 */
interface ExchangeBroker extends AmqpBroker {
  /**
   * Declares durable topic exchange {@code exchange}, the durable queues {@code queues} and one
   * binding of each queue to the exchange with {@code bindingKey}, before any client attaches.
   */
  void declareFanout(String exchange, List<String> queues, String bindingKey) throws Exception;

  /** Deletes what {@link #declareFanout} made, with whatever backlog the queues still hold. */
  void deleteFanout(String exchange, List<String> queues) throws Exception;

  /** The Qpid JMS producer address that publishes to {@code exchange} with {@code routingKey}. */
  String exchangeAddress(String exchange, String routingKey);

  /** The Qpid JMS consumer address of queue {@code queue}. */
  String queueAddress(String queue);

  /** The directory under which the broker keeps its data (whose device's writes are counted). */
  Path dataDir();

  /** How the topology is declared and which address forms are used, for the table's header. */
  String topologyNote();
}
