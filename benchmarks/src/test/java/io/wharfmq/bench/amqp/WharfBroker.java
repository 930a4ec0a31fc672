package io.wharfmq.bench.amqp;

import io.wharfmq.launcher.Wharf;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.qpid.jms.JmsConnectionFactory;

/**
 * Wharf as an operator runs it: {@code bin/wharf standalone} (the launcher's main class) in a child
 * JVM with the same flags as the other Java broker, name server, broker and AMQP listener on free
 * 127.0.0.1 ports, data in a temp directory; stopped with SIGTERM (the launcher's shutdown hook).
 * Every key is at Wharf's default except the ports, {@code flushDiskType} and the key index size
 * (shrunk as in bin/bench-e2e, so a fresh index file is not 420 MB). See {@link AmqpBroker}.
 *
 * <p>Fan-out ({@link ExchangeBroker}): the exchange, queues and bindings are declared through the
 * AMQP listener's {@code /management} node ({@link ManagementClient}); producers publish to the v2
 * address {@code /exchanges/X/KEY}, consumers read {@code /queues/Q}.
 */
final class WharfBroker implements ExchangeBroker {
  private final ChildProcess child;
  private final int namesrvPort;
  private final int amqpPort;
  private final String flush;

  private WharfBroker(ChildProcess child, int namesrvPort, int amqpPort, String flush) {
    this.child = child;
    this.namesrvPort = namesrvPort;
    this.amqpPort = amqpPort;
    this.flush = flush;
  }

  /**
   * Starts Wharf with {@code flushDiskType} SYNC_FLUSH or ASYNC_FLUSH. Throws {@link
   * NotAvailableException} when this build's Wharf cannot be measured: no AMQP listener (the
   * launcher refuses the {@code amqpPort} key, or nothing listens on it once Wharf is ready), or a
   * listener that refuses a consumer on a queue.
   */
  static WharfBroker start(Path root, String flushDiskType) throws Exception {
    Path dir = Files.createTempDirectory(root, "wharf-");
    int namesrvPort = ChildProcess.freePort();
    int brokerPort = ChildProcess.freePort();
    int amqpPort = ChildProcess.freePort();
    ChildProcess c =
        ChildProcess.startJava(
            "wharf",
            dir,
            // The launcher's own logging (INFO to stdout, where its ready line appears), not the
            // benchmark's logback-test.xml.
            List.of("-Dlogback.configurationFile=logback.xml"),
            List.of(
                Wharf.class.getName(),
                "standalone",
                "--dir",
                dir.resolve("data").toString(),
                "--set",
                "namesrvPort=" + namesrvPort,
                "--set",
                "listenPort=" + brokerPort,
                "--set",
                "brokerIP1=127.0.0.1",
                "--set",
                "amqpPort=" + amqpPort,
                "--set",
                "amqpBindAddress=127.0.0.1",
                "--set",
                "flushDiskType=" + flushDiskType,
                "--set",
                "maxHashSlotNum=1000000",
                "--set",
                "maxIndexNum=4000000"));
    WharfBroker b = new WharfBroker(c, namesrvPort, amqpPort, flushDiskType);
    try {
      c.awaitLine(l -> l.contains("Wharf standalone ready"), Duration.ofSeconds(90));
    } catch (IllegalStateException e) {
      b.close();
      if (e.getMessage().contains("amqp")) {
        throw new NotAvailableException(
            "this build's Wharf has no AMQP listener (the launcher refuses amqpPort)", e);
      }
      throw e;
    }
    if (!ChildProcess.accepts(amqpPort)) {
      b.close();
      throw new NotAvailableException(
          "this build's Wharf has no AMQP listener (nothing listens on amqpPort once it is ready)",
          null);
    }
    try {
      probeQueues(b);
    } catch (NotAvailableException e) {
      b.close();
      throw e;
    }
    return b;
  }

  /**
   * Attaches a Qpid JMS consumer to a probe queue: a listener that refuses links (as main's did
   * before the links were merged) cannot be measured.
   */
  private static void probeQueues(WharfBroker b) throws NotAvailableException {
    try (Connection c =
        new JmsConnectionFactory(b.uri("jms.requestTimeout=30000")).createConnection()) {
      Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      s.createConsumer(s.createQueue(AmqpBenchmark.QUEUE + "-probe")).close();
    } catch (JMSException e) {
      throw new NotAvailableException(
          "this build's Wharf AMQP listener does not serve queues: " + e.getMessage(), e);
    }
  }

  /** The broker cannot be measured in this build; the table says so instead of failing. */
  static final class NotAvailableException extends Exception {
    private static final long serialVersionUID = 1L;

    NotAvailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Override
  public String kind() {
    return "wharf";
  }

  @Override
  public String durability() {
    return "flushDiskType=" + flush;
  }

  /** The name server's port: what Wharf's own JMS provider connects to (bin/bench-jms). */
  int namesrvPort() {
    return namesrvPort;
  }

  @Override
  public String uri(String jmsOptions) {
    return "amqp://127.0.0.1:" + amqpPort + (jmsOptions.isEmpty() ? "" : "?" + jmsOptions);
  }

  @Override
  public String address(String queue) {
    return queue;
  }

  @Override
  public void declareFanout(String exchange, List<String> queues, String bindingKey)
      throws Exception {
    try (ManagementClient m = ManagementClient.connect(amqpPort, "/")) {
      m.declareExchange(exchange, "topic");
      for (String q : queues) {
        m.declareQueue(q);
        m.bindQueue(exchange, q, bindingKey);
      }
    }
  }

  @Override
  public void deleteFanout(String exchange, List<String> queues) throws Exception {
    try (ManagementClient m = ManagementClient.connect(amqpPort, "/")) {
      for (String q : queues) {
        m.deleteQueue(q);
      }
      m.deleteExchange(exchange);
    }
  }

  @Override
  public String exchangeAddress(String exchange, String routingKey) {
    return "/exchanges/"
        + ManagementClient.encodeSegment(exchange)
        + "/"
        + ManagementClient.encodeSegment(routingKey);
  }

  @Override
  public String queueAddress(String queue) {
    return "/queues/" + ManagementClient.encodeSegment(queue);
  }

  @Override
  public String topologyNote() {
    return "topology through the /management node (HTTP over AMQP 1.0, proton-j); addresses v2:"
        + " /exchanges/X/KEY, /queues/Q";
  }

  @Override
  public Path dataDir() {
    return child.dir;
  }

  @Override
  public long pid() {
    return child.pid();
  }

  @Override
  public void close() {
    child.terminate();
    child.awaitExit(Duration.ofSeconds(60));
  }
}
