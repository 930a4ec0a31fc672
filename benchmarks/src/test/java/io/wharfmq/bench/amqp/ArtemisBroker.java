package io.wharfmq.bench.amqp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** ActiveMQ Artemis embedded in a child JVM ({@link ArtemisHost}); see {@link AmqpBroker}. */
final class ArtemisBroker implements AmqpBroker {
  private final ChildProcess child;
  private final int port;
  private final String durability;

  private ArtemisBroker(ChildProcess child, int port, String durability) {
    this.child = child;
    this.port = port;
    this.durability = durability;
  }

  /** Starts Artemis with {@code sync} persistent sends; data under {@code root}. */
  static ArtemisBroker start(Path root, boolean sync) throws Exception {
    Path dir = Files.createTempDirectory(root, "artemis-");
    int port = ChildProcess.freePort();
    ChildProcess c =
        ChildProcess.startJava(
            "artemis",
            dir,
            List.of(),
            List.of(
                ArtemisHost.class.getName(),
                dir.resolve("data").toString(),
                Integer.toString(port),
                sync ? "SYNC" : "ASYNC"));
    try {
      String ready = c.awaitLine(l -> l.startsWith("READY "), Duration.ofSeconds(90));
      String journal = ready.substring("READY ".length()).strip();
      return new ArtemisBroker(
          c,
          port,
          (sync ? "journal-sync-non-transactional=true (default)" : "journal sync off")
              + ", "
              + journal
              + " journal");
    } catch (RuntimeException | InterruptedException e) {
      c.closeStdin();
      c.awaitExit(Duration.ofSeconds(30));
      throw e;
    }
  }

  @Override
  public String kind() {
    return "artemis";
  }

  @Override
  public String durability() {
    return durability;
  }

  @Override
  public String uri(String jmsOptions) {
    return "amqp://127.0.0.1:" + port + (jmsOptions.isEmpty() ? "" : "?" + jmsOptions);
  }

  /** The URL of the same acceptor for Artemis' own (core protocol) JMS client. */
  String coreUrl() {
    return "tcp://127.0.0.1:" + port;
  }

  @Override
  public String address(String queue) {
    return queue;
  }

  /** Asks the child to destroy the queue and waits for its answer. */
  @Override
  public void deleteQueue(String queue) throws Exception {
    child.sendLine("DELETE " + queue);
    child.awaitLine(l -> l.equals("DELETED " + queue), Duration.ofSeconds(60));
  }

  @Override
  public long pid() {
    return child.pid();
  }

  @Override
  public void close() {
    child.closeStdin();
    child.awaitExit(Duration.ofSeconds(60));
  }
}
