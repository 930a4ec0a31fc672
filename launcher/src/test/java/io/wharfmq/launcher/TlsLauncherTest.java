package io.wharfmq.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The TLS keys through bin/wharf (docs/security.md): refused with what to set before anything
 * starts, and a standalone enforcing TLS on both remoting ports and an amqps listener is ready and
 * served by the command-line clients' --tls options.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsLauncherTest {
  @TempDir Path dir;

  @Test
  void missingCertificatesAndAStandaloneThatCouldNotRegisterAreRefusedWithExitCode2() {
    String err =
        refused(
            "standalone",
            "--set",
            "storePathRootDir=" + dir.resolve("data"),
            "--set",
            "tlsMode=enforcing",
            "--set",
            "amqpsEnable=true",
            "--set",
            "tlsServerTrustCertPath=" + dir.resolve("nope.pem"),
            "--set",
            "tlsServerNeedClientAuth=require");
    assertThat(err)
        .contains("tlsMode=ENFORCING needs the server's certificate: set tlsServerCertPath")
        .contains("amqpsEnable=true needs the server's certificate")
        .contains("tlsServerTrustCertPath=" + dir.resolve("nope.pem") + ": no such file")
        .contains("tlsMode=ENFORCING in standalone needs tlsClientEnable=true");
    assertThat(Files.exists(dir.resolve("data"))).as("nothing started").isFalse();
  }

  @Test
  void standaloneEnforcingTlsWithAmqpsIsReady() throws Exception {
    TestCertificates ca = TestCertificates.authority(dir);
    TestCertificates.Pem server = ca.issue("wharf");
    int namesrvPort = WharfChild.freePort();
    int amqpsPort = WharfChild.freePort();
    try (WharfChild w =
        WharfChild.start(
            dir.resolve("out.txt"),
            "standalone",
            "--dir",
            dir.resolve("data").toString(),
            "--set",
            "namesrvPort=" + namesrvPort,
            "--set",
            "listenPort=0",
            "--set",
            "bindAddress=127.0.0.1",
            "--set",
            "amqpBindAddress=127.0.0.1",
            "--set",
            "amqpPort=0",
            "--set",
            "amqpsEnable=true",
            "--set",
            "amqpsPort=" + amqpsPort,
            "--set",
            "tlsMode=ENFORCING",
            "--set",
            "tlsServerCertPath=" + server.cert(),
            "--set",
            "tlsServerKeyPath=" + server.key(),
            "--set",
            "tlsClientEnable=true",
            "--set",
            "tlsClientTrustCertPath=" + ca.caCert(),
            "--set",
            WharfChild.SMALL_STORE.get(0))) {
      w.awaitOutput("Wharf standalone ready");
      assertThat(w.output())
          .contains("AMQPS 127.0.0.1:" + amqpsPort + " (amqpsPort)")
          .contains("TLS enforcing (TLSv1.3, TLSv1.2)");
      String ns = "--namesrv=127.0.0.1:" + namesrvPort;
      assertThat(run("send", ns, "--topic=TlsCli", "--body=hi", "--tls-trust-cert=" + ca.caCert()))
          .isZero();
      assertThat(run("admin", "topics", ns, "--tls-trust-cert=" + ca.caCert())).isZero();
      assertThat(run("admin", "topics", ns)).as("plain text to an enforcing name server").isOne();
      try (Socket s = new Socket("127.0.0.1", namesrvPort)) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0});
        assertThat(s.getInputStream().read()).as("plain text closed").isEqualTo(-1);
      }
    }
  }

  /** Runs a bin/wharf command in this JVM; its exit code. */
  private static int run(String... args) {
    return new CommandLine(new Wharf()).execute(args);
  }

  private static String refused(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Wharf()).execute(args);
    } finally {
      System.setErr(old);
    }
    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isEqualTo(2);
    return text;
  }
}
