package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * RabbitMQ's own AMQP 1.0 Java client ({@code com.rabbitmq.client:amqp-client}) against a real
 * Wharf process (docs/rabbitmq.md): the /management node (queues, exchanges of each type, bindings
 * with and without arguments, 403/404/409), publishing to {@code /exchanges/X/K} and consuming
 * {@code /queues/Q} with accept, requeue and discard, released when unroutable, {@code
 * x-exchange}/{@code x-routing-key} on delivery.
 *
 * <p>The client needs Netty 4.2 and this module's class path has the build's Netty 4.1, so the
 * client runs as one child JVM ({@link RabbitMqClientScenarios}) with the Netty 4.2 jars the build
 * copied to {@code target/rabbitmq-client-netty}; it runs every scenario once and each test checks
 * its own verdict.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RabbitMqClientInteropTest {
  private static final List<String> SCENARIOS =
      List.of(
          "queues",
          "exchanges",
          "bindings",
          "publishConsume",
          "outcomes",
          "anonymous",
          "lifetimes");

  @TempDir static Path shared;
  static WharfAmqpBroker broker;
  static String output;

  @BeforeAll
  static void runClient() throws Exception {
    broker = new WharfAmqpBroker();
    broker.start(shared.resolve("wharf"));
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(clientClassPath());
    cmd.add(RabbitMqClientScenarios.class.getName());
    cmd.add(Integer.toString(broker.amqpPort()));
    cmd.addAll(SCENARIOS);
    Path out = shared.resolve("rabbitmq-client.out");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    boolean ended = p.waitFor(90, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    output = Files.readString(out, StandardCharsets.UTF_8);
    System.out.println(output);
    assertThat(output).as("the client's run ended").contains("done=true");
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.stop();
      // Wharf's warnings, for a failed scenario's diagnosis.
      broker
          .output()
          .lines()
          .filter(l -> l.contains("WARN") || l.contains("ERROR"))
          .forEach(System.out::println);
    }
  }

  /** This JVM's class path without Netty 4.1, plus the Netty 4.2 jars the client needs. */
  private static String clientClassPath() throws IOException {
    List<String> entries = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!Path.of(e).getFileName().toString().startsWith("netty-")) {
        entries.add(e);
      }
    }
    Path netty = ScenarioScript.moduleDir().resolve("target/rabbitmq-client-netty");
    try (Stream<Path> jars = Files.list(netty)) {
      jars.filter(j -> j.toString().endsWith(".jar")).forEach(j -> entries.add(j.toString()));
    }
    return String.join(File.pathSeparator, entries);
  }

  private static void assertScenario(String name) {
    assertThat(output).as("the client connected").doesNotContain("connection failed");
    int from = output.indexOf("begin " + name + "\n");
    assertThat(from).as("scenario %s ran", name).isNotNegative();
    int to = output.indexOf("begin ", from + 1);
    String part = output.substring(from, to < 0 ? output.length() : to);
    assertThat(part).as("scenario %s", name).contains("scenario " + name + " ok");
  }

  @Test
  void queuesAreDeclaredInspectedPurgedAndDeletedWithRabbitMqsStatusCodes() {
    assertScenario("queues");
  }

  @Test
  void exchangesOfEveryTypeAreDeclaredAndDeleted() {
    assertScenario("exchanges");
  }

  @Test
  void bindingsWithAndWithoutArgumentsAreAddedAndRemoved() {
    assertScenario("bindings");
  }

  @Test
  void publishedToAnExchangeAndConsumedFromAQueueWithExchangeAnnotations() {
    assertScenario("publishConsume");
  }

  @Test
  void consumerOutcomesAndUnroutableReleased() {
    assertScenario("outcomes");
  }

  @Test
  void anonymousPublisherRoutesByToWithCcAndRejectsAnAbsentExchange() {
    assertScenario("anonymous");
  }

  @Test
  void exclusiveQueueEndsWithItsConnectionAutoDeleteWithItsLastConsumer() {
    assertScenario("lifetimes");
  }
}
