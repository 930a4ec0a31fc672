package io.wharfmq.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code wharf stop} against real child processes started by the launcher. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StopCommandTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = Wharf.commandLine().execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static String[] withSettings(List<String> head, List<String> settings) {
    List<String> args = new ArrayList<>(head);
    for (String s : settings) {
      args.add("--set");
      args.add(s);
    }
    return args.toArray(String[]::new);
  }

  WharfChild standalone(Path data) throws Exception {
    List<String> settings = new ArrayList<>(WharfChild.SMALL_STORE);
    settings.add("namesrvPort=" + WharfChild.freePort());
    settings.add("listenPort=0");
    return WharfChild.start(
        dir.resolve("standalone.out"),
        withSettings(List.of("standalone", "--dir", data.toString()), settings));
  }

  @Test
  void stopEndsAStandaloneGracefullyAndItsLogIsInTheDataDirectory() throws Exception {
    Path data = dir.resolve("data");
    try (WharfChild wharf = standalone(data)) {
      wharf.awaitOutput("Wharf standalone ready");
      long pid = wharf.process.pid();
      assertThat(PidFile.read(data.resolve("standalone.pid")).orElseThrow().pid()).isEqualTo(pid);
      Path logFile = data.resolve("logs").resolve("wharf.log");
      assertThat(Files.readString(logFile)).contains("Wharf standalone ready");

      Result r = run("stop", "--dir", data.toString());

      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).contains("Stopped standalone (pid " + pid + ", name server 127.0.0.1:");
      assertThat(wharf.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.exists(data.resolve("standalone.pid"))).isFalse();
      assertThat(Files.exists(data.resolve("abort"))).as("graceful: no crash marker").isFalse();
      assertThat(Files.readString(logFile))
          .contains("Shutdown requested")
          .contains("closed cleanly")
          .contains("Broker broker-a stopped");
    }
    Result again = run("stop", "--dir", data.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("No Wharf server to stop: no pid file in " + data);
  }

  @Test
  void stopFindsTwoNamesrvsAndABrokerThroughTheConfigFileAndStopsTheBrokerFirst() throws Exception {
    Path data = dir.resolve("data");
    int namesrvPort = WharfChild.freePort();
    try (WharfChild namesrv =
            WharfChild.start(
                dir.resolve("namesrv.out"),
                "namesrv",
                "--dir",
                data.toString(),
                "--set",
                "listenPort=" + namesrvPort);
        WharfChild second =
            WharfChild.start(
                dir.resolve("namesrv2.out"),
                "namesrv",
                "--dir",
                data.toString(),
                "--set",
                "listenPort=0");
        WharfChild broker =
            WharfChild.start(
                dir.resolve("broker.out"),
                withSettings(
                    List.of("broker", "--dir", data.toString()),
                    List.of(
                        "namesrvAddr=127.0.0.1:" + namesrvPort,
                        "listenPort=0",
                        "mappedFileSizeCommitLog=16777216",
                        "maxHashSlotNum=1024",
                        "maxIndexNum=4000")))) {
      namesrv.awaitOutput("Wharf namesrv ready");
      second.awaitOutput("Wharf namesrv ready");
      broker.awaitOutput("Wharf broker ready");
      assertThat(broker.output()).contains("registered with 1 of 1 name servers");
      // Name servers keep no data: two share the directory, their files named by port.
      assertThat(Files.readString(data.resolve("logs").resolve("namesrv-" + namesrvPort + ".log")))
          .contains("Wharf namesrv ready: listening on 0.0.0.0:" + namesrvPort);
      assertThat(PidFile.read(data.resolve("namesrv-" + namesrvPort + ".pid")).orElseThrow().pid())
          .isEqualTo(namesrv.process.pid());
      assertThat(PidFile.files(data, "namesrv")).hasSize(2);
      Path conf = Files.writeString(dir.resolve("broker.conf"), "storePathRootDir=" + data + "\n");

      Result r = run("stop", "--config", conf.toString());

      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out())
          .containsSubsequence(
              "Stopped broker (pid " + broker.process.pid(), "Stopped namesrv (pid ")
          .contains("Stopped namesrv (pid " + namesrv.process.pid())
          .contains("Stopped namesrv (pid " + second.process.pid());
      assertThat(broker.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(namesrv.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(second.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(PidFile.files(data, "namesrv")).isEmpty();
      assertThat(broker.output()).contains("Broker broker-a stopped");
      assertThat(namesrv.output()).contains("name server stopped");
    }
  }

  @Test
  void aBrokerStillWaitingForItsNameServerStopsGracefully() throws Exception {
    Path data = dir.resolve("data");
    String nowhere = "127.0.0.1:" + WharfChild.freePort();
    List<String> settings = new ArrayList<>(WharfChild.SMALL_STORE);
    settings.add("namesrvAddr=" + nowhere);
    settings.add("listenPort=0");
    try (WharfChild broker =
        WharfChild.start(
            dir.resolve("broker.out"),
            withSettings(List.of("broker", "--dir", data.toString()), settings))) {
      broker.awaitOutput("Not ready yet: no name server of namesrvAddr=" + nowhere);

      Result r = run("stop", "--dir", data.toString(), "--only", "broker");

      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).contains("Stopped broker (pid " + broker.process.pid() + ", starting)");
      assertThat(broker.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(broker.output()).contains("Broker broker-a stopped").doesNotContain("ready:");
      assertThat(Files.exists(data.resolve("abort"))).isFalse();
    }
  }

  @Test
  void aPidFileLeftByACrashIsReportedAndRemoved() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Process gone =
        new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-version")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("gone.out").toFile())
            .start();
    assertThat(gone.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Files.writeString(data.resolve("broker.pid"), "pid=" + gone.pid() + "\nrole=broker\n");

    Result r = run("stop", "--set", "storePathRootDir=" + data);

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Not running: broker (pid " + gone.pid() + ")");
    assertThat(Files.exists(data.resolve("broker.pid"))).isFalse();
  }

  @Test
  void aLivePidThatIsNotWharfIsLeftAlone() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    long self = ProcessHandle.current().pid(); // the test JVM: alive, not the launcher
    Files.writeString(data.resolve("namesrv-9876.pid"), "pid=" + self + "\nrole=namesrv\n");

    Result r = run("stop", "--dir", data.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("pid " + self).contains("is not a Wharf process");
    assertThat(Files.exists(data.resolve("namesrv-9876.pid"))).isTrue();
  }
}
