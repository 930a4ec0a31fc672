package io.wharfmq.interop.amqp;

import io.wharfmq.jms.WharfConnectionFactory;
import jakarta.jms.ConnectionFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Wharf as a real child process ({@code io.wharfmq.launcher.Wharf standalone}, the same as {@code
 * bin/wharf standalone}) with its AMQP listener on a free 127.0.0.1 port, its name server and
 * broker ports free too, and its data in the test's directory. Ready once the launcher printed
 * "Wharf standalone ready" and the AMQP port accepts connections. The child's output goes to {@code
 * wharf.out} in the data directory's parent, printed on a failed start.
 *
 * <p>Not thread-safe; started and stopped by one test class.
 */
public class WharfAmqpBroker implements AmqpBrokerUnderTest {
  private Process process;
  private Path dataDir;
  private int amqpPort;
  private int namesrvPort;
  private Path out;
  private List<String> settings = List.of();

  /**
   * More "key=value" settings for the broker (they win over the harness's), and where its output
   * goes instead of beside the data directory (a test whose data directory is on a small disk keeps
   * the log off it). Call before {@link #start}.
   */
  public WharfAmqpBroker configure(Path output, String... settings) {
    this.out = output;
    this.settings = List.of(settings);
    return this;
  }

  @Override
  public String name() {
    return "wharf";
  }

  @Override
  public boolean keepsMessageGroups() {
    return false;
  }

  @Override
  public void start(Path dataDir) throws Exception {
    this.dataDir = dataDir;
    amqpPort = AmqpBrokerUnderTest.freePort();
    namesrvPort = AmqpBrokerUnderTest.freePort();
    Files.createDirectories(dataDir);
    if (out == null) {
      out = dataDir.resolveSibling(dataDir.getFileName() + "-wharf.out");
    }
    launch();
  }

  /**
   * Starts the broker again on the same data directory and ports (after {@link #kill} or {@link
   * #stop}); its output is appended to the same file.
   */
  public void restart() throws Exception {
    stop();
    launch();
  }

  private void launch() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx384m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.wharfmq.launcher.Wharf");
    cmd.add("standalone");
    for (String s :
        List.of(
            "storePathRootDir=" + dataDir,
            "namesrvPort=" + namesrvPort,
            "listenPort=0",
            "bindAddress=127.0.0.1",
            "brokerIP1=127.0.0.1",
            "amqpPort=" + amqpPort,
            "amqpBindAddress=127.0.0.1",
            "mappedFileSizeCommitLog=16777216",
            "maxHashSlotNum=1024",
            "maxIndexNum=40000")) {
      cmd.add("--set");
      cmd.add(s);
    }
    for (String s : settings) {
      cmd.add("--set");
      cmd.add(s);
    }
    long readyLinesBefore = readyLines();
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
            .start();
    Awaitility.await("Wharf standalone ready with its AMQP port " + amqpPort + " open")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              String text = Files.readString(out, StandardCharsets.UTF_8);
              if (!process.isAlive()) {
                throw new AssertionError(
                    "Wharf exited with " + process.exitValue() + " before it was ready:\n" + text);
              }
              return readyLines(text) > readyLinesBefore && accepts(amqpPort);
            });
  }

  private long readyLines() throws IOException {
    return Files.exists(out) ? readyLines(Files.readString(out, StandardCharsets.UTF_8)) : 0;
  }

  private static long readyLines(String text) {
    return text.lines().filter(l -> l.contains("Wharf standalone ready")).count();
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
    process = null;
  }

  /** Kills the broker process with SIGKILL (crash tests). */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.toHandle().destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Everything the broker printed so far (its log lines too). */
  public String output() throws IOException {
    return Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
  }

  /**
   * Wharf's own JMS provider on this broker's name server, with bounded timeouts and the interop
   * tests' ObjectMessage classes trusted; {@code options} are more URL options (may be empty).
   */
  public ConnectionFactory providerFactory(String options) {
    String url =
        "wharf://"
            + namesrvAddr()
            + "?sendTimeout=20000&requestTimeout=20000"
            + "&trustedPackages=java.lang,java.util,io.wharfmq.interop";
    return new WharfConnectionFactory(options.isEmpty() ? url : url + "&" + options);
  }

  /** The name server address of the running Wharf, for RocketMQ clients. */
  public String namesrvAddr() {
    return "127.0.0.1:" + namesrvPort;
  }

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public int amqpPort() {
    return amqpPort;
  }

  /**
   * Wharf's dead-letter destination for a queue is the queue's consumer group's DLQ; its AMQP name
   * is documented by the links work (docs/amqp.md, "Delivery") and is not known to this harness
   * yet.
   */
  @Override
  public Optional<String> deadLetterAddress(String queue) {
    return Optional.empty();
  }

  @Override
  public boolean undeliverableHereDeadLetters() {
    return true;
  }
}
