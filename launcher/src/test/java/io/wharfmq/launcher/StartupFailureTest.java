package io.wharfmq.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.store.takeover.RocketMqCheckpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every start that cannot go on ends with one line on stderr naming the key, port or directory and
 * the fix, exit code 2, and no stack trace; nothing is left running or locked.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StartupFailureTest {
  @TempDir Path dir;

  record Result(int code, String err) {
    String line() {
      List<String> lines = err.lines().toList();
      assertThat(lines).as("stderr: %s", err).hasSize(1);
      return lines.get(0);
    }
  }

  Result run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = Wharf.commandLine().execute(args);
    } finally {
      System.setErr(old);
    }
    return new Result(code, err.toString(StandardCharsets.UTF_8));
  }

  /** A server command with a small store in {@code data} and the given extra settings. */
  Result start(String command, Path data, String... settings) {
    List<String> args = new ArrayList<>(List.of(command, "--dir", data.toString()));
    List<String> all = new ArrayList<>(List.of(settings));
    if (!command.equals("namesrv")) {
      all.addAll(WharfChild.SMALL_STORE);
      all.add("bindAddress=127.0.0.1");
      if (all.stream().noneMatch(a -> a.startsWith("amqpPort="))) {
        all.add(0, "amqpPort=0"); // never the machine's 5672
      }
    }
    for (String s : all) {
      args.add("--set");
      args.add(s);
    }
    return run(args.toArray(String[]::new));
  }

  static void assertOneLineFailure(Result r, String... mentions) {
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    String line = r.line();
    assertThat(line).startsWith("Wharf cannot start: ").doesNotContain("Exception");
    for (String m : mentions) {
      assertThat(line).contains(m);
    }
  }

  @Test
  void namesrvPortThatIsNotANumberIsNamed() {
    Result r = start("standalone", dir.resolve("data"), "namesrvPort=abc");
    assertOneLineFailure(r, "namesrvPort='abc' is not a port number", "0..65535");
  }

  @Test
  void namesrvPortOutOfRangeBlamesNamesrvPortNotListenPort() {
    Result r = start("standalone", dir.resolve("data"), "namesrvPort=99999");
    assertOneLineFailure(r, "namesrvPort=99999 is out of range", "name server's port");
    assertThat(r.line()).doesNotContain("listenPort=");
  }

  @Test
  void listenPortMeansTheNameServerPortForNamesrvAndTheBrokerPortForBroker() {
    assertOneLineFailure(
        start("namesrv", dir.resolve("ns"), "listenPort=ten"),
        "listenPort='ten'",
        "name server's port in bin/wharf namesrv");
    assertOneLineFailure(
        start("broker", dir.resolve("b"), "listenPort=70000"),
        "listenPort=70000 is out of range",
        "broker's port");
    assertOneLineFailure(
        start("standalone", dir.resolve("s"), "listenPort=-1"),
        "listenPort=-1 is out of range",
        "broker's port");
  }

  @Test
  void standaloneNeedsTwoDifferentPorts() {
    assertOneLineFailure(
        start("standalone", dir.resolve("s"), "namesrvPort=10911"),
        "namesrvPort and listenPort are both 10911",
        "give them different ports");
  }

  @Test
  void busyNameServerPortIsNamedWithItsKey() throws Exception {
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress("0.0.0.0", 0));
      int port = busy.getLocalPort();
      assertOneLineFailure(
          start("standalone", dir.resolve("s"), "namesrvPort=" + port),
          "port " + port + " (namesrvPort, the name server port) cannot be bound",
          "set namesrvPort to a free port");
      assertOneLineFailure(
          start("namesrv", dir.resolve("ns"), "listenPort=" + port),
          "port " + port + " (listenPort, the name server port) cannot be bound");
    }
  }

  @Test
  void busyBrokerPortIsNamedAndNothingStaysLockedOrListening() throws Exception {
    int namesrvPort = WharfChild.freePort();
    Path data = dir.resolve("data");
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = busy.getLocalPort();
      assertOneLineFailure(
          start("standalone", data, "namesrvPort=" + namesrvPort, "listenPort=" + port),
          "port " + port + " (listenPort, the broker port) cannot be bound",
          "set listenPort to a free port");
    }
    // The name server that had started is gone and the directory is free again.
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress("0.0.0.0", namesrvPort));
    }
    assertThat(Files.exists(data.resolve("standalone.pid"))).isFalse();
    Result ok = start("broker", data, "listenPort=70000");
    assertThat(ok.err()).doesNotContain("in use");
  }

  @Test
  void missingConfigFileAndMalformedSetAreOneLine() {
    Path missing = dir.resolve("no-such.conf");
    assertOneLineFailure(
        run("broker", "--config", missing.toString()), "--config " + missing + ": no such file");
    assertOneLineFailure(run("namesrv", "--set", "listenPort"), "--set expects key=value");
  }

  @Test
  void rocketMqDirectoryThatCannotBeTakenOverIsOneLineAndLeftAsItWas() throws Exception {
    Path data = Files.createDirectories(dir.resolve("rocketmq-store"));
    java.nio.ByteBuffer page = java.nio.ByteBuffer.allocate(RocketMqCheckpoint.SIZE);
    page.putLong(RocketMqCheckpoint.OFF_PHYSIC_MSG_TIMESTAMP, System.currentTimeMillis());
    Files.write(data.resolve("checkpoint"), page.array());
    Files.writeString(data.resolve("abort"), ""); // RocketMQ did not stop cleanly
    List<Path> before;
    try (var files = Files.walk(data)) {
      before = files.sorted().toList();
    }
    assertOneLineFailure(
        start("standalone", data, "namesrvPort=" + WharfChild.freePort(), "listenPort=0"),
        "Cannot take over the Apache RocketMQ store in " + data,
        "file 'abort' present",
        "docs/migration.md");
    try (var files = Files.walk(data)) {
      assertThat(files.sorted().toList()).as("no pid or log file added").isEqualTo(before);
    }
    assertThat(data.resolve("checkpoint")).hasBinaryContent(page.array());
  }

  @Test
  void dataDirectoryThatCannotBeCreatedIsNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Path data = file.resolve("data");
    assertOneLineFailure(
        start("broker", data, "listenPort=0"),
        "cannot create the data directory " + data,
        "set storePathRootDir");
  }

  @Test
  void existingDataDirectoryThatCannotBeWrittenIsNamed() {
    // Tests run as root here, so file permissions cannot make a directory unwritable; sysfs can.
    Path readOnly = Path.of("/sys/kernel");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isDirectory(readOnly) && !canCreateFileIn(readOnly), "no read-only directory");
    assertOneLineFailure(
        start("broker", readOnly, "listenPort=0"),
        "the data directory /sys/kernel is not writable",
        "set storePathRootDir to a directory this user can write");
  }

  static boolean canCreateFileIn(Path d) {
    try {
      Files.delete(Files.createTempFile(d, "probe", ".tmp"));
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void dataDirectoryInUseByAnotherProcessIsNamed() throws Exception {
    Path data = dir.resolve("data");
    List<String> args =
        new ArrayList<>(
            List.of(
                "standalone",
                "--dir",
                data.toString(),
                "--set",
                "namesrvPort=" + WharfChild.freePort(),
                "--set",
                "listenPort=0"));
    for (String s : WharfChild.SMALL_STORE) {
      args.add("--set");
      args.add(s);
    }
    try (WharfChild other =
        WharfChild.start(dir.resolve("other.out"), args.toArray(String[]::new))) {
      other.awaitOutput("Wharf standalone ready");
      assertOneLineFailure(
          start("broker", data, "listenPort=0"),
          "the data directory " + data + " is in use by another process",
          "bin/wharf stop --dir");
      assertOneLineFailure(
          start("standalone", data, "namesrvPort=0", "listenPort=0"), "in use by another process");
    }
  }
}
