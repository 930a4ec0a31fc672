package io.wharfmq.bench.amqp;

import jakarta.jms.ConnectionFactory;
import org.apache.qpid.jms.JmsConnectionFactory;

/**
 * A broker under test of {@link AmqpBenchmark}: running, reachable over AMQP 1.0 on 127.0.0.1, with
 * one durable queue per run that the benchmark sends to and consumes from. Used from the
 * benchmark's main thread.
 */
interface AmqpBroker extends JmsTarget, AutoCloseable {
  /** "wharf", "artemis" or "rabbitmq": the column of the table. */
  @Override
  String kind();

  /** How a persistent send reaches the disk before it is accepted, as the table's header says. */
  String durability();

  /** The Qpid JMS connection URI, with {@code jmsOptions} ("key=value&...", may be empty). */
  String uri(String jmsOptions);

  /**
   * Qpid JMS: a broker that never answers fails the run's sends after a minute instead of hanging
   * it; asynchronous sends are {@code jms.forceAsyncSend}.
   */
  @Override
  default ConnectionFactory connectionFactory(boolean asyncSends) {
    return new JmsConnectionFactory(
        uri(
            "jms.sendTimeout=60000&jms.requestTimeout=60000"
                + (asyncSends ? "&jms.forceAsyncSend=true" : "")));
  }

  @Override
  void close();
}
