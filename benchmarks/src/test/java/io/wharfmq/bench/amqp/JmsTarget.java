package io.wharfmq.bench.amqp;

import jakarta.jms.ConnectionFactory;

/**
 * What {@link JmsLoad} measures: one JMS client against one running broker, with one queue per run
 * that the producers send to and the consumer reads. Used from the benchmark's main thread.
 */
interface JmsTarget {
  /** The column of the table. */
  String kind();

  /** The operating-system process whose CPU time is the broker's cost. */
  long pid();

  /**
   * A connection factory for one run. {@code asyncSends}: the client's own asynchronous-send mode
   * is on (for clients that have one instead of {@link #completionListenerSends}).
   */
  ConnectionFactory connectionFactory(boolean asyncSends);

  /** The JMS queue name of queue {@code queue} for producers and the consumer. */
  String address(String queue);

  /**
   * True when this client's asynchronous sends are {@code send(message, CompletionListener)}; false
   * when {@link #connectionFactory} turns them on. Default false.
   */
  default boolean completionListenerSends() {
    return false;
  }

  /**
   * Makes queue {@code queue} exist before any client attaches (each run has a fresh one, so no run
   * consumes an earlier run's backlog). Default: nothing, the broker creates it on first use.
   */
  default void createQueue(String queue) throws Exception {}

  /**
   * Drops queue {@code queue} and whatever backlog it still holds, once its run is over, so the
   * broker does not carry it into the next runs. Default: nothing.
   */
  default void deleteQueue(String queue) throws Exception {}
}
