package io.wharfmq.jms;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Wharf as a real child process ({@code io.wharfmq.launcher.Wharf standalone}, as {@code bin/wharf
 * standalone} runs it) on free 127.0.0.1 ports with its data in the test's directory, as
 * interop-tests' WharfAmqpBroker starts it. Ready once it printed "Wharf standalone ready" and its
 * AMQP port accepts connections; its output goes to {@code wharf.out} beside the data.
 *
 * <p>Also used by jms-provider-javax's tests (this module's test-jar holds only this class).
 *
 * <p>Not thread-safe; started and stopped by one test class.
 */
public final class WharfStandaloneProcess implements AutoCloseable {
  private final Process process;
  private final int amqpPort;
  private final int namesrvPort;

  private WharfStandaloneProcess(Process process, int amqpPort, int namesrvPort) {
    this.process = process;
    this.amqpPort = amqpPort;
    this.namesrvPort = namesrvPort;
  }

  public static WharfStandaloneProcess start(Path dir) throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path out = dir.resolve("wharf.out");
    int amqpPort = freePort();
    int namesrvPort = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(
        List.of(
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            "io.wharfmq.launcher.Wharf",
            "standalone"));
    for (String s :
        List.of(
            "storePathRootDir=" + data,
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
    Process process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(out.toFile()))
            .start();
    WharfStandaloneProcess wharf = new WharfStandaloneProcess(process, amqpPort, namesrvPort);
    try {
      Awaitility.await("Wharf standalone ready with its AMQP port " + amqpPort + " open")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                String text = Files.readString(out, StandardCharsets.UTF_8);
                if (!process.isAlive()) {
                  throw new AssertionError(
                      "Wharf exited with "
                          + process.exitValue()
                          + " before it was ready:\n"
                          + text);
                }
                return text.contains("Wharf standalone ready") && accepts(amqpPort);
              });
    } catch (RuntimeException | Error e) {
      wharf.close();
      throw e;
    }
    return wharf;
  }

  /** Where Qpid JMS reaches it, with timeouts that fail a test rather than hang it. */
  public String amqpUri() {
    return "amqp://127.0.0.1:"
        + amqpPort
        + "?jms.connectTimeout=10000&jms.requestTimeout=20000&jms.sendTimeout=20000"
        + "&jms.closeTimeout=10000";
  }

  /** The name server: what this provider's {@code wharf://} URL names. */
  public String namesrvAddr() {
    return "127.0.0.1:" + namesrvPort;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
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
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
