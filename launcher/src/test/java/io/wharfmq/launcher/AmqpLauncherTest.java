package io.wharfmq.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.amqp.sasl.PasswordHash;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Session;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AMQP listener as bin/wharf starts it: its keys in the same validated configuration, its port
 * in the ready line, a users file made by {@code bin/wharf passwd}, and Qpid JMS logging in.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AmqpLauncherTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    InputStream oldIn = System.in;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      code = Wharf.commandLine().execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.setIn(oldIn);
    }
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void passwdPrintsASaltedLineForThePasswordOnStdin() {
    Run r = run("s3cret\n", "passwd", "alice", "--iterations", "1000");
    assertThat(r.code()).isZero();
    String line = r.out().strip();
    assertThat(line).startsWith("alice:pbkdf2-sha256:1000:").doesNotContain("s3cret");
    assertThat(PasswordHash.parse(line).matches("s3cret".toCharArray())).isTrue();
    assertThat(run("", "passwd", "alice").code()).isEqualTo(2);
    assertThat(run("x\n", "passwd", "a:b").err()).contains("':'");
  }

  @Test
  void standaloneServesAmqpWithTheUsersFile() throws Exception {
    Path users = dir.resolve("amqp-users");
    Files.writeString(
        users, run("pw\n", "passwd", "app", "--iterations", "1000").out().strip() + "\n");
    int amqpPort = WharfChild.freePort();
    try (WharfChild wharf =
        WharfChild.start(
            dir.resolve("out.txt"),
            "standalone",
            "--dir",
            dir.resolve("data").toString(),
            "--set",
            "namesrvPort=" + WharfChild.freePort(),
            "--set",
            "listenPort=0",
            "--set",
            "bindAddress=127.0.0.1",
            "--set",
            "amqpPort=" + amqpPort,
            "--set",
            "amqpBindAddress=127.0.0.1",
            "--set",
            "amqpAnonymousEnable=false",
            "--set",
            "amqpUsersFile=" + users,
            "--set",
            WharfChild.SMALL_STORE.get(0),
            "--set",
            WharfChild.SMALL_STORE.get(1),
            "--set",
            WharfChild.SMALL_STORE.get(2))) {
      wharf.awaitOutput("Wharf standalone ready");
      assertThat(wharf.output()).contains("AMQP 127.0.0.1:" + amqpPort + " (amqpPort)");
      JmsConnectionFactory f = new JmsConnectionFactory("amqp://127.0.0.1:" + amqpPort);
      Connection c = f.createConnection("app", "pw");
      c.start();
      Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      s.close();
      c.close();
      assertThatThrownBy(() -> f.createConnection("app", "nope").start())
          .isInstanceOf(JMSSecurityException.class);
      assertThatThrownBy(() -> f.createConnection().start()).isInstanceOf(JMSException.class);
    }
  }

  @Test
  void badAmqpSettingsStopTheStartNamingTheKey() throws Exception {
    Path data = dir.resolve("data");
    Run r =
        run(
            "",
            "broker",
            "--dir",
            data.toString(),
            "--set",
            "amqpMaxFrameSize=100",
            "--set",
            "amqpAnonymousEnable=false",
            "--set",
            "amqpPrt=1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("amqpMaxFrameSize must be at least 512")
        .contains("amqpAnonymousEnable=false needs amqpUsersFile")
        .contains("did you mean 'amqpPort'?");
    Path users = dir.resolve("users");
    Files.writeString(users, "# users\nalice:plain:secret\n");
    Run bad =
        run(
            "",
            "broker",
            "--dir",
            data.toString(),
            "--set",
            "listenPort=0",
            "--set",
            "bindAddress=127.0.0.1",
            "--set",
            "amqpPort=0",
            "--set",
            "amqpUsersFile=" + users,
            "--set",
            WharfChild.SMALL_STORE.get(0),
            "--set",
            WharfChild.SMALL_STORE.get(1),
            "--set",
            WharfChild.SMALL_STORE.get(2));
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("line 2").doesNotContain("secret");
  }

  @Test
  void amqpMaxMessageSizeMustFitAnArrayAndTheStore() {
    Path data = dir.resolve("data");
    Run huge =
        run("", "broker", "--dir", data.toString(), "--set", "amqpMaxMessageSize=2147483648");
    assertThat(huge.code()).isEqualTo(2);
    assertThat(huge.err()).contains("amqpMaxMessageSize must be 1024..1073741824");
    Run overStore =
        run(
            "",
            "broker",
            "--dir",
            data.toString(),
            "--set",
            "amqpMaxMessageSize=8388608",
            "--set",
            "maxMessageSize=4194304");
    assertThat(overStore.code()).isEqualTo(2);
    assertThat(overStore.err())
        .contains(
            "amqpMaxMessageSize (8388608) must not exceed the store's maxMessageSize (4194304)")
        .contains("lower amqpMaxMessageSize to at most 4194304 or raise maxMessageSize");
  }
}
