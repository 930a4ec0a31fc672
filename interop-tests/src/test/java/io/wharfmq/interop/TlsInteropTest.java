package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.jms.WharfConnectionFactory;
import io.wharfmq.launcher.AmqpWiring;
import io.wharfmq.namesrv.NameServer;
import io.wharfmq.namesrv.NamesrvConfig;
import io.wharfmq.testing.TestCertificates;
import io.wharfmq.tls.ServerTls;
import io.wharfmq.tls.TlsConfig;
import io.wharfmq.tls.TlsMode;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every listener with TLS enforced, certificates of a CA made for the test (docs/security.md): the
 * official Apache RocketMQ client with {@code -Dtls.enable=true} (in a child JVM), Qpid JMS over
 * {@code amqps://}, and Wharf's JMS provider over {@code wharf+ssl://} each send and receive; the
 * broker registers with the name server over TLS; a plain-text client on each TLS port is closed
 * without an answer while the others go on being served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsInteropTest {
  private Path dir;
  private TestCertificates ca;
  private NameServer namesrv;
  private Broker broker;
  private AmqpListener amqps;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    this.dir = dir;
    ca = TestCertificates.authority(dir);
    TestCertificates.Pem server = ca.issue("wharf");
    TlsConfig tls =
        new TlsConfig()
            .tlsMode(TlsMode.ENFORCING)
            .tlsServerCertPath(server.cert().toString())
            .tlsServerKeyPath(server.key().toString())
            .tlsClientEnable(true)
            .tlsClientTrustCertPath(ca.caCert().toString());
    namesrv = new NameServer(new NamesrvConfig(tls).listenPort(0).bindAddress("127.0.0.1"));
    namesrv.start();
    BrokerConfig config =
        new BrokerConfig(dir.resolve("broker"))
            .listenPort(0)
            .bindAddress("127.0.0.1")
            .brokerIP1("127.0.0.1")
            .namesrvAddr(namesrvAddr());
    config
        .store()
        .mappedFileSizeCommitLog(16 * 1024 * 1024)
        .maxHashSlotNum(1024)
        .maxIndexNum(40_000);
    config.tls().tlsMode(TlsMode.ENFORCING);
    config.tls().tlsServerCertPath(server.cert().toString());
    config.tls().tlsServerKeyPath(server.key().toString());
    config.tls().tlsClientEnable(true).tlsClientTrustCertPath(ca.caCert().toString());
    broker = Broker.start(config, InstantSource.system());
    assertThat(broker.registerNow()).as("registered with the name server over TLS").isEqualTo(1);
    amqps =
        AmqpWiring.startTls(
            WharfCluster.amqpConfig().amqpsEnable(true).amqpsPort(0),
            ServerTls.of(tls, TlsMode.ENFORCING),
            broker.messagingService(),
            broker.access());
  }

  @AfterAll
  void stop() throws Exception {
    if (amqps != null) {
      amqps.close();
    }
    if (broker != null) {
      broker.close();
    }
    if (namesrv != null) {
      namesrv.shutdown();
    }
  }

  private String namesrvAddr() {
    return "127.0.0.1:" + namesrv.port();
  }

  private int brokerPort() {
    String address = broker.address();
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  @Test
  void officialRocketMqClientWithTlsEnableSendsAndReads() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xmx128m");
    cmd.add("-XX:TieredStopAtLevel=1");
    // RocketMQ's TlsSystemConfig: TLS on, the server's certificate checked against our CA.
    cmd.add("-Dtls.enable=true");
    cmd.add("-Dtls.test.mode.enable=false");
    cmd.add("-Dtls.client.authServer=true");
    cmd.add("-Dtls.client.trustCertPath=" + ca.caCert());
    cmd.add("-Dtls.config.file=" + dir.resolve("no-tls.properties"));
    cmd.add("-Drocketmq.client.logUseSlf4j=true");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(OfficialTlsClientMain.class.getName());
    cmd.add(namesrvAddr());
    cmd.add(OfficialClients.unique("tls-official"));
    cmd.add("3");
    Path log = dir.resolve("official-client.log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("client done; see %s", log).isTrue();
      assertThat(p.exitValue()).as(Files.readString(log)).isZero();
      assertThat(Files.readString(log)).contains("OK 3");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void qpidJmsOverAmqpsTrustingTheCa() throws Exception {
    Path trustStore = dir.resolve("ca.p12");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("wharf-test-ca", ca.caCertificate());
    try (OutputStream out = Files.newOutputStream(trustStore)) {
      ks.store(out, "changeit".toCharArray());
    }
    roundTrip(
        new JmsConnectionFactory(
            "amqps://127.0.0.1:"
                + amqps.port()
                + "?transport.trustStoreLocation="
                + trustStore
                + "&transport.trustStorePassword=changeit&transport.trustStoreType=PKCS12"),
        OfficialClients.unique("tls-qpid"));
  }

  @Test
  void wharfJmsProviderOverWharfSsl() throws Exception {
    roundTrip(
        new WharfConnectionFactory(
            "wharf+ssl://" + namesrvAddr() + "?tlsTrustCertPath=" + ca.caCert()),
        OfficialClients.unique("tls-wharf-jms"));
  }

  @Test
  void plainTextOnEachTlsPortIsClosedAndTheOthersAreStillServed() throws Exception {
    byte[] remotingFrame = {0, 0, 0, 20, 0, 0, 0, 16, '{', '}'};
    assertClosedWithoutAnswer(namesrv.port(), remotingFrame);
    assertClosedWithoutAnswer(brokerPort(), remotingFrame);
    assertClosedWithoutAnswer(amqps.port(), "AMQP\0\1\0\0".getBytes(StandardCharsets.US_ASCII));
    // The AMQP TLS header (protocol id 2) asks to start TLS inside AMQP: not offered, closed too.
    assertClosedWithoutAnswer(amqps.port(), "AMQP\2\1\0\0".getBytes(StandardCharsets.US_ASCII));
    wharfJmsProviderOverWharfSsl();
  }

  private static void assertClosedWithoutAnswer(int port, byte[] plain) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(plain);
      InputStream in = s.getInputStream();
      assertThat(in.read()).as("port %d closes a plain-text client at once", port).isEqualTo(-1);
    }
  }

  private static void roundTrip(ConnectionFactory factory, String queueName) throws Exception {
    try (Connection c = factory.createConnection()) {
      c.start();
      Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
      Queue q = s.createQueue(queueName);
      MessageConsumer consumer = s.createConsumer(q);
      s.createProducer(q).send(s.createTextMessage("over TLS"));
      TextMessage m = (TextMessage) consumer.receive(20_000);
      assertThat(m).as("received on %s", queueName).isNotNull();
      assertThat(m.getText()).isEqualTo("over TLS");
    }
  }
}
