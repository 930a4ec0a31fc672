package io.wharfmq.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.ConfigBinder;
import io.wharfmq.namesrv.NamesrvConfig;
import io.wharfmq.remoting.protocol.ResponseSerializeType;
import io.wharfmq.store.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WharfCommandTest {
  @TempDir Path dir;

  @Test
  void settingsBindToRocketMqKeyNamesWithAliases() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("brokerName", "broker-x");
    s.put("flushDiskType", "SYNC_FLUSH");
    s.put("fileReservedTime", "48");
    s.put("autoCreateTopicEnable", "false");
    BrokerConfig c = new BrokerConfig(dir);
    assertThat(ConfigBinder.bind(s, Set.of(), c, c.store())).isEmpty();
    assertThat(c.brokerName()).isEqualTo("broker-x");
    assertThat(c.store().flushDiskType()).isEqualTo(StoreConfig.FlushMode.SYNC);
    assertThat(c.store().fileReservedTimeHours()).isEqualTo(48);
    assertThat(c.autoCreateTopicEnable()).isFalse();
  }

  @Test
  void pullHotTailKeysBindAndAreChecked() {
    BrokerConfig c = new BrokerConfig(dir);
    assertThat(c.pullHotTailEntries()).isEqualTo(4096);
    assertThat(c.pullHotTailBytes()).isEqualTo(64L << 20);
    Map<String, String> s = new LinkedHashMap<>();
    s.put("pullHotTailEntries", "0");
    s.put("pullHotTailBytes", "1048576");
    assertThat(ConfigBinder.bind(s, Set.of(), c, c.store())).isEmpty();
    assertThat(c.pullHotTailEntries()).isZero();
    assertThat(c.pullHotTailBytes()).isEqualTo(1 << 20);
    assertThat(c.problems()).isEmpty();
    c.pullHotTailEntries(2_000_000).pullHotTailBytes(-1);
    assertThat(String.join("\n", c.problems()))
        .contains("pullHotTailEntries must be 0..1000000")
        .contains("pullHotTailBytes must be >= 0");
  }

  @Test
  void responseSerializeTypeBindsOnBrokerAndNameServer() {
    BrokerConfig c = new BrokerConfig(dir);
    NamesrvConfig n = new NamesrvConfig();
    assertThat(c.responseSerializeType()).isEqualTo(ResponseSerializeType.AUTO);
    assertThat(n.responseSerializeType()).isEqualTo(ResponseSerializeType.AUTO);
    Map<String, String> s = Map.of("responseSerializeType", "json");
    assertThat(ConfigBinder.bind(s, Set.of(), c, c.store())).isEmpty();
    assertThat(ConfigBinder.bind(s, Set.of(), n)).isEmpty();
    assertThat(c.responseSerializeType()).isEqualTo(ResponseSerializeType.JSON);
    assertThat(n.responseSerializeType()).isEqualTo(ResponseSerializeType.JSON);
    assertThat(ConfigBinder.bind(Map.of("responseSerializeType", "xml"), Set.of(), c, c.store()))
        .singleElement()
        .asString()
        .contains("responseSerializeType")
        .contains("[AUTO, JSON, ROCKETMQ]");
    assertThat(c.responseSerializeType(null).problems())
        .contains("responseSerializeType must be AUTO, JSON or ROCKETMQ");
  }

  @Test
  void unknownKeysAndBadValuesAreNamed() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("brokerNmae", "typo");
    s.put("listenPort", "ten");
    s.put("autoCreateTopicEnable", "yes");
    s.put("flushDiskType", "SOMETIMES");
    BrokerConfig c = new BrokerConfig(dir);
    List<String> problems = ConfigBinder.bind(s, Set.of(), c, c.store());
    assertThat(problems).hasSize(4);
    assertThat(String.join("\n", problems))
        .contains("unknown key 'brokerNmae'")
        .contains("listenPort")
        .contains("autoCreateTopicEnable")
        .contains("[ASYNC, SYNC]");
  }

  @Test
  void invalidConfigurationStopsTheStartWithExitCode2AndEveryProblem() throws Exception {
    Path conf = dir.resolve("broker.conf");
    Files.writeString(conf, "brokerName=bad name!\nmappedFileSizeCommitLog=100\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code =
          new CommandLine(new Wharf())
              .execute("broker", "--config", conf.toString(), "--set", "deleteWhen=30");
    } finally {
      System.setErr(old);
    }
    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(2);
    assertThat(text)
        .contains("invalid configuration")
        .contains("brokerName")
        .contains("mappedFileSizeCommitLog")
        .contains("deleteWhen");
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void standaloneInAChildProcessThenSendAndConsumeFromTheCommandLine() throws Exception {
    int namesrvPort = freePort();
    int brokerPort = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Wharf.class.getName());
    cmd.add("standalone");
    for (String s :
        List.of(
            "namesrvPort=" + namesrvPort,
            "listenPort=" + brokerPort,
            "storePathRootDir=" + dir.resolve("data"),
            "mappedFileSizeCommitLog=16777216",
            "maxHashSlotNum=1024",
            "maxIndexNum=4000")) {
      cmd.add("--set");
      cmd.add(s);
    }
    Path log = dir.resolve("wharf.log");
    Process wharf =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      org.awaitility.Awaitility.await("standalone ready")
          .atMost(java.time.Duration.ofSeconds(60))
          .until(() -> Files.readString(log).contains("Wharf standalone ready"));
      String ns = "127.0.0.1:" + namesrvPort;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrintStream old = System.out;
      int sent;
      int consumed;
      try {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        sent =
            new CommandLine(new Wharf())
                .execute("send", "--namesrv", ns, "--topic", "Demo", "--body", "hello, wharf");
        consumed =
            new CommandLine(new Wharf())
                .execute(
                    "consume",
                    "--namesrv",
                    ns,
                    "--topic",
                    "Demo",
                    "--count",
                    "1",
                    "--timeout",
                    "60");
      } finally {
        System.setOut(old);
      }
      assertThat(sent).isZero();
      assertThat(consumed).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("sent ").contains(": hello, wharf");
    } finally {
      wharf.destroy(); // SIGTERM: graceful shutdown
      assertThat(wharf.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(log)).contains("Store").contains("closed cleanly");
    assertThat(Files.exists(dir.resolve("data").resolve("abort"))).isFalse();
  }
}
