package io.wharfmq.bench.amqp;

import io.wharfmq.jms.WharfConnectionFactory;
import jakarta.jms.ConnectionFactory;
import java.util.function.Function;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * The client and broker pairs of bin/bench-jms ({@link JmsBenchmark}), as {@link JmsTarget}s: the
 * queue, its deletion and the CPU time are the broker's, the connection factory the client's.
 * Stateless.
 */
final class JmsClients {
  private JmsClients() {}

  /** Wharf's own provider (jms-provider) over the native protocol, through the name server. */
  static JmsTarget wharfProvider(WharfBroker wharf) {
    // A broker that never answers fails the run's sends after a minute instead of hanging it.
    String url =
        "wharf://127.0.0.1:" + wharf.namesrvPort() + "?sendTimeout=60000&requestTimeout=60000";
    return new Pair("ours", wharf, async -> new WharfConnectionFactory(url), true);
  }

  /** Qpid JMS against Wharf's AMQP listener, as bin/bench-amqp measures it. */
  static JmsTarget qpidOnWharf(WharfBroker wharf) {
    return new Pair("qpid", wharf, wharf::connectionFactory, false);
  }

  /**
   * The Artemis JMS client over Artemis' core protocol. Persistent sends block until the broker has
   * stored them (its default, blockOnDurableSend); asynchronous sends take a CompletionListener,
   * which Artemis calls on the broker's confirmation only when a confirmation window is set
   * (without one it calls it at once), hence the 1 MiB window then.
   */
  static JmsTarget artemisCore(ArtemisBroker artemis) {
    return new Pair(
        "artemis",
        artemis,
        async ->
            new ActiveMQConnectionFactory(
                artemis.coreUrl()
                    + "?callTimeout=60000"
                    + (async ? "&confirmationWindowSize=1048576" : "")),
        true);
  }

  private record Pair(
      String kind,
      AmqpBroker broker,
      Function<Boolean, ConnectionFactory> factory,
      boolean completionListenerSends)
      implements JmsTarget {
    @Override
    public long pid() {
      return broker.pid();
    }

    @Override
    public ConnectionFactory connectionFactory(boolean asyncSends) {
      return factory.apply(asyncSends);
    }

    @Override
    public String address(String queue) {
      return broker.address(queue);
    }

    @Override
    public void createQueue(String queue) throws Exception {
      broker.createQueue(queue);
    }

    @Override
    public void deleteQueue(String queue) throws Exception {
      broker.deleteQueue(queue);
    }
  }
}
