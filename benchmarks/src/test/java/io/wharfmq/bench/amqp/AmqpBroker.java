package io.wharfmq.bench.amqp;

/**
 * A broker under test of {@link AmqpBenchmark}: running, reachable over AMQP 1.0 on 127.0.0.1, with
 * a durable queue the benchmark sends to and consumes from. Used from the benchmark's main thread.
 */
interface AmqpBroker extends AutoCloseable {
  /** "wharf", "artemis" or "rabbitmq": the column of the table. */
  String kind();

  /** How a persistent send reaches the disk before it is accepted, as the table's header says. */
  String durability();

  /** The Qpid JMS connection URI, with {@code jmsOptions} ("key=value&...", may be empty). */
  String uri(String jmsOptions);

  /** The address Qpid JMS producers send to ({@code Session.createQueue}). */
  String sendAddress();

  /** The address the consumer receives from. */
  String receiveAddress();

  /** The operating-system process whose CPU time is the broker's cost. */
  long pid();

  @Override
  void close();
}
