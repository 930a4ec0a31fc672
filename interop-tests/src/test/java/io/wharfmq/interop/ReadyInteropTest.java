package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Ready" means ready to serve: the launcher prints its ready line only once the broker is
 * registered with the name server, so the official client started right after it gets a route at
 * its first try (no retries, the default 3 s timeout) instead of "No route info".
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReadyInteropTest {
  @TempDir Path dir;

  static final List<String> SMALL_STORE =
      List.of("mappedFileSizeCommitLog=16777216", "maxHashSlotNum=1024", "maxIndexNum=4000");

  /** The launcher's {@code main} in a child JVM, output in {@code out}. */
  static Process launch(Path out, String command, Path data, List<String> settings)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.wharfmq.launcher.Wharf");
    cmd.add(command);
    cmd.add("--dir");
    cmd.add(data.toString());
    if (!command.equals("namesrv")) {
      cmd.add("--set");
      cmd.add("amqpPort=0"); // any free port: never the machine's 5672
    }
    for (String s : settings) {
      cmd.add("--set");
      cmd.add(s);
    }
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }

  static String read(Path out) throws IOException {
    return Files.exists(out) ? Files.readString(out) : "";
  }

  /** Polls the child's output, which is a file: nothing to be notified by. */
  static void awaitLine(Process p, Path out, String line) {
    Awaitility.await(line)
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(5))
        .until(
            () -> {
              String text = read(out);
              if (!p.isAlive() && !text.contains(line)) {
                throw new AssertionError("exited with " + p.exitValue() + ":\n" + text);
              }
              return text.contains(line);
            });
  }

  static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The official producer, started now, sends once to a topic nobody created: no retries. */
  static SendResult sendOnceToANewTopic(String namesrv, String topic) throws Exception {
    DefaultMQProducer producer = new DefaultMQProducer(OfficialClients.unique("ready"));
    producer.setNamesrvAddr(namesrv);
    producer.setInstanceName(OfficialClients.unique("ready"));
    producer.setRetryTimesWhenSendFailed(0);
    assertThat(producer.getSendMsgTimeout()).as("the client's default timeout").isEqualTo(3000);
    producer.start();
    try {
      return producer.send(new Message(topic, "hi".getBytes(StandardCharsets.UTF_8)));
    } finally {
      producer.shutdown();
    }
  }

  @Test
  void aClientStartedRightAfterStandaloneIsReadyGetsARouteAtOnce() throws Exception {
    int namesrvPort = BrokerProcess.freePort();
    List<String> settings = new ArrayList<>(SMALL_STORE);
    settings.add("namesrvPort=" + namesrvPort);
    settings.add("listenPort=0");
    Path out = dir.resolve("standalone.out");
    Process wharf = launch(out, "standalone", dir.resolve("data"), settings);
    try {
      awaitLine(wharf, out, "Wharf standalone ready");

      SendResult r = sendOnceToANewTopic("127.0.0.1:" + namesrvPort, "ReadyDemo");

      assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
      assertThat(r.getMessageQueue().getTopic()).isEqualTo("ReadyDemo");
    } finally {
      stop(wharf);
    }
  }

  @Test
  void aBrokerIsNotReadyUntilANameServerAcceptsItsRegistration() throws Exception {
    int namesrvPort = BrokerProcess.freePort();
    String namesrv = "127.0.0.1:" + namesrvPort;
    List<String> settings = new ArrayList<>(SMALL_STORE);
    settings.add("namesrvAddr=" + namesrv);
    settings.add("listenPort=0");
    settings.add("brokerIP1=127.0.0.1");
    Path brokerOut = dir.resolve("broker.out");
    Process broker = launch(brokerOut, "broker", dir.resolve("broker-data"), settings);
    Process nameServer = null;
    try {
      // Serving, but no name server yet: not ready, and it says why.
      awaitLine(broker, brokerOut, "Not ready yet: no name server of namesrvAddr=" + namesrv);
      assertThat(read(brokerOut)).contains("serving at").doesNotContain("Wharf broker ready");

      Path nsOut = dir.resolve("namesrv.out");
      nameServer =
          launch(nsOut, "namesrv", dir.resolve("ns-data"), List.of("listenPort=" + namesrvPort));
      awaitLine(nameServer, nsOut, "Wharf namesrv ready");
      awaitLine(broker, brokerOut, "Wharf broker ready");
      assertThat(read(brokerOut)).contains("registered with 1 of 1 name servers");

      SendResult r = sendOnceToANewTopic(namesrv, "ReadyAfterWait");

      assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
    } finally {
      stop(broker);
      if (nameServer != null) {
        stop(nameServer);
      }
    }
  }
}
