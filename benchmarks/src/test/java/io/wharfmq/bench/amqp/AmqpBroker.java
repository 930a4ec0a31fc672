package io.wharfmq.bench.amqp;

/**
 * A broker under test of {@link AmqpBenchmark}: running, reachable over AMQP 1.0 on 127.0.0.1, with
 * one durable queue per run that the benchmark sends to and consumes from. Used from the
 * benchmark's main thread.
 */
interface AmqpBroker extends AutoCloseable {
  /** "wharf", "artemis" or "rabbitmq": the column of the table. */
  String kind();

  /** How a persistent send reaches the disk before it is accepted, as the table's header says. */
  String durability();

  /** The Qpid JMS connection URI, with {@code jmsOptions} ("key=value&...", may be empty). */
  String uri(String jmsOptions);

  /**
   * Makes durable queue {@code queue} exist before any client attaches (each run has a fresh one,
   * so no run consumes an earlier run's backlog). Default: nothing, the broker creates it on first
   * use.
   */
  default void createQueue(String queue) throws Exception {}

  /** The address of queue {@code queue} for Qpid JMS producers and the consumer. */
  String address(String queue);

  /**
   * Drops queue {@code queue} and whatever backlog it still holds, once its run is over, so the
   * broker does not carry it into the next runs. Default: nothing.
   */
  default void deleteQueue(String queue) throws Exception {}

  /** The operating-system process whose CPU time is the broker's cost. */
  long pid();

  @Override
  void close();
}
