package io.wharfmq.interop.amqp;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.apache.qpid.jms.JmsConnectionFactory;

/**
 * A broker with an AMQP 1.0 listener that the interop suites run against: Wharf, or ActiveMQ
 * Artemis as the reference. The same test must pass on Artemis (a test that fails there is a wrong
 * test) and on Wharf; where gateway.md makes Wharf behave differently, the difference is a method
 * here.
 *
 * <p>Not thread-safe: a test class starts one broker in {@code @BeforeAll} and stops it in
 * {@code @AfterAll}.
 */
public interface AmqpBrokerUnderTest {

  /** A short name for test reports ("artemis", "wharf"). */
  String name();

  /** Starts the broker on free 127.0.0.1 ports with its data under {@code dataDir}. */
  void start(Path dataDir) throws Exception;

  /** Stops the broker; idempotent. */
  void stop() throws Exception;

  String host();

  int amqpPort();

  /** {@code amqp://127.0.0.1:PORT}, the URI a Qpid JMS connection factory takes. */
  default String amqpUri() {
    return "amqp://" + host() + ":" + amqpPort();
  }

  /**
   * A Qpid JMS connection factory on this broker. {@code options} are URI query options without the
   * {@code ?} (may be empty). Client-side expiry is off so that expiry is the broker's job, and
   * timeouts are bounded so that a broker that does not answer fails the test instead of hanging.
   */
  default JmsConnectionFactory jmsFactory(String options) {
    String base =
        amqpUri()
            + "?jms.localMessageExpiry=false&jms.connectTimeout=10000&jms.requestTimeout=20000"
            + "&jms.sendTimeout=20000&jms.closeTimeout=10000&amqp.drainTimeout=20000";
    return new JmsConnectionFactory(options.isEmpty() ? base : base + "&" + options);
  }

  /**
   * The connection factory the JMS suite uses: Qpid JMS over AMQP ({@link #jmsFactory}) unless the
   * broker under test is reached by another provider (Wharf's own, over the native protocol).
   */
  default jakarta.jms.ConnectionFactory suiteFactory(String options) {
    return jmsFactory(options);
  }

  /**
   * The AMQP address of queue {@code name} for a raw AMQP client that sets no capability. Both
   * brokers treat a plain address as a queue (Artemis is configured with anycast as the default
   * routing type, as Wharf's gateway.md section 3 does).
   */
  default String queueAddress(String name) {
    return name;
  }

  /** The AMQP address of topic {@code name}; raw clients add the {@code topic} capability. */
  default String topicAddress(String name) {
    return name;
  }

  /**
   * Where a message that a consumer of queue {@code queue} rejected can be read by an AMQP
   * receiver, if this broker names it.
   */
  Optional<String> deadLetterAddress(String queue);

  /**
   * Whether {@code modified(undeliverable-here=true)} dead-letters the message (Wharf, gateway.md
   * section 5) rather than only keeping it from the link that refused it (Artemis, which gives it
   * to other consumers of the queue).
   */
  boolean undeliverableHereDeadLetters();

  /**
   * Whether the suite's provider marks a message JMSRedelivered when it gives it again after the
   * MessageListener threw (JMS 2.0 section 8.7 asks it to). Qpid JMS gives the message again
   * unmarked; the Artemis JMS client and Wharf's provider mark it.
   */
  default boolean marksRedeliveryAfterAListenerThrew() {
    return false;
  }

  /**
   * Whether {@code unsubscribe} of a shared durable subscription fails while a consumer on another
   * connection is active on it. The Artemis JMS client over core refuses; Qpid JMS (on Artemis's
   * and Wharf's AMQP listeners) and Wharf's provider delete the subscription (Wharf's provider only
   * sees its own connection's consumers: a known gap).
   */
  default boolean refusesUnsubscribeWhileAnotherConnectionConsumes() {
    return false;
  }

  /**
   * Whether the messages of one JMSXGroupID go, in order, to one consumer of a queue. Wharf's AMQP
   * listener does not keep groups (its consumers of a queue pop from one group, docs/amqp.md
   * "Consumer groups"); Artemis and Wharf's provider (the group is the sharding key) do.
   */
  default boolean keepsMessageGroups() {
    return true;
  }

  /** A destination name no other test of the run uses. */
  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A free TCP port on 127.0.0.1 (free when asked; the broker binds it right after). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
