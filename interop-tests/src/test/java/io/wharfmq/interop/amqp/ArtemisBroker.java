package io.wharfmq.interop.amqp;

import java.nio.file.Path;
import java.util.Optional;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;

/**
 * ActiveMQ Artemis embedded in the test JVM as the reference broker: one AMQP acceptor and one
 * acceptor for Artemis's own core protocol (for the Artemis JMS client), each on a free 127.0.0.1
 * port, persistence on (NIO journal in the test's directory, synchronous writes as in Artemis's
 * defaults), security off, addresses and queues created on first use with anycast (queue) as the
 * default routing type, and a dead-letter address {@code DLQ} with one auto-created queue per
 * original address ({@code DLQ::DLQ.<address>}).
 *
 * <p>Not thread-safe; started and stopped by one test class.
 */
public class ArtemisBroker implements AmqpBrokerUnderTest {
  private EmbeddedActiveMQ server;
  private int port;
  private int corePort;

  @Override
  public String name() {
    return "artemis";
  }

  @Override
  public void start(Path dataDir) throws Exception {
    port = AmqpBrokerUnderTest.freePort();
    corePort = AmqpBrokerUnderTest.freePort();
    Configuration cfg =
        new ConfigurationImpl()
            .setName("artemis-reference")
            .setPersistenceEnabled(true)
            .setSecurityEnabled(false)
            .setJournalType(JournalType.NIO)
            .setJournalDirectory(dataDir.resolve("journal").toString())
            .setBindingsDirectory(dataDir.resolve("bindings").toString())
            .setPagingDirectory(dataDir.resolve("paging").toString())
            .setLargeMessagesDirectory(dataDir.resolve("large").toString())
            .setNodeManagerLockDirectory(dataDir.resolve("lock").toString())
            .setJMXManagementEnabled(false)
            // The interop run shares a disk with other builds: do not block producers on a full-ish
            // disk (Artemis's default stops at 90 % of the volume).
            .setMaxDiskUsage(-1);
    cfg.addAcceptorConfiguration("amqp", "tcp://127.0.0.1:" + port + "?protocols=AMQP");
    cfg.addAcceptorConfiguration("core", coreUri() + "?protocols=CORE");
    cfg.addAddressSetting(
        "#",
        new AddressSettings()
            .setDefaultAddressRoutingType(RoutingType.ANYCAST)
            .setDefaultQueueRoutingType(RoutingType.ANYCAST)
            .setAutoCreateAddresses(true)
            .setAutoCreateQueues(true)
            .setDeadLetterAddress(SimpleString.of("DLQ"))
            .setAutoCreateDeadLetterResources(true)
            .setRedeliveryDelay(0)
            .setMaxDeliveryAttempts(10));
    server = new EmbeddedActiveMQ().setConfiguration(cfg);
    server.start();
  }

  @Override
  public void stop() throws Exception {
    if (server != null) {
      server.stop();
      server = null;
    }
  }

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public int amqpPort() {
    return port;
  }

  /** {@code tcp://127.0.0.1:PORT} of the core acceptor, the URL the Artemis JMS client takes. */
  public String coreUri() {
    return "tcp://127.0.0.1:" + corePort;
  }

  @Override
  public Optional<String> deadLetterAddress(String queue) {
    return Optional.of("DLQ::DLQ." + queue);
  }

  @Override
  public boolean undeliverableHereDeadLetters() {
    return false;
  }
}
