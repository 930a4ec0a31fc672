package io.wharfmq.interop;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Wharf broker in its own JVM, started through the launcher, that tests can kill -9. */
final class BrokerProcess implements AutoCloseable {
  final Process process;
  final int port;

  /** The AMQP 1.0 listener's port (a free port chosen at start). */
  final int amqpPort;

  private BrokerProcess(Process process, int port, int amqpPort) {
    this.process = process;
    this.port = port;
    this.amqpPort = amqpPort;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Starts a broker with its AMQP 1.0 listener on a free port ({@link #amqpPort}); {@code extra}
   * are more "key=value" settings (they win).
   */
  static BrokerProcess start(
      String name, Path dataDir, String namesrvAddr, int port, Path log, String... extra)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.wharfmq.launcher.Wharf");
    cmd.add("broker");
    int amqpPort = freePort();
    for (String s :
        List.of(
            "brokerName=" + name,
            "listenPort=" + port,
            "amqpPort=" + amqpPort,
            "bindAddress=127.0.0.1",
            "brokerIP1=127.0.0.1",
            "namesrvAddr=" + namesrvAddr,
            "storePathRootDir=" + dataDir,
            "mappedFileSizeCommitLog=16777216",
            "maxHashSlotNum=1024",
            "maxIndexNum=40000")) {
      cmd.add("--set");
      cmd.add(s);
    }
    for (String s : extra) {
      cmd.add("--set");
      cmd.add(s);
    }
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new BrokerProcess(p, port, amqpPort);
  }

  /** SIGKILL, no goodbye. */
  void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS)) {
          kill();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
