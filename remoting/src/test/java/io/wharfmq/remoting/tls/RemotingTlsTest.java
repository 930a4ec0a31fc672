package io.wharfmq.remoting.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.netty.RemotingException;
import io.wharfmq.remoting.netty.RemotingServer;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.ResponseSerializeType;
import io.wharfmq.testing.TestCertificates;
import io.wharfmq.tls.ClientAuth;
import io.wharfmq.tls.ClientTls;
import io.wharfmq.tls.ServerTls;
import io.wharfmq.tls.TlsConfig;
import io.wharfmq.tls.TlsMode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remoting over TLS on real sockets, with certificates of a CA made for the test: the three modes,
 * client certificates, and what is refused (plain text on an enforcing port, TLS 1.1).
 */
@Timeout(60)
class RemotingTlsTest {
  private static final int ECHO = 4242;

  @TempDir Path dir;
  private TestCertificates ca;
  private TestCertificates.Pem serverPem;
  private final List<RemotingServer> servers = new ArrayList<>();
  private final List<RemotingClient> clients = new ArrayList<>();

  @BeforeEach
  void certificates() throws Exception {
    ca = TestCertificates.authority(dir);
    serverPem = ca.issue("server");
  }

  @AfterEach
  void stop() {
    clients.forEach(RemotingClient::shutdown);
    servers.forEach(RemotingServer::shutdown);
  }

  private TlsConfig serverConfig(TlsMode mode) {
    return new TlsConfig()
        .tlsMode(mode)
        .tlsServerCertPath(serverPem.cert().toString())
        .tlsServerKeyPath(serverPem.key().toString());
  }

  private String start(TlsConfig config) throws Exception {
    assertThat(config.problems()).isEmpty();
    RemotingServer server =
        new RemotingServer("test", "127.0.0.1", 0, 64 * 1024, 120, ResponseSerializeType.JSON);
    server.registerProcessor(
        ECHO,
        (ch, req) -> RemotingCommand.responseTo(req, ResponseCode.SUCCESS, "echo").body(req.body()),
        Runnable::run);
    if (config.serverTlsOn()) {
      server.tls(ServerTls.of(config, config.tlsMode()));
    }
    server.start();
    servers.add(server);
    return "127.0.0.1:" + server.port();
  }

  private RemotingClient client(ClientTls.Settings tls) throws Exception {
    RemotingClient c = new RemotingClient("test-client", tls == null ? null : ClientTls.of(tls));
    clients.add(c);
    return c;
  }

  private ClientTls.Settings trustingTheCa() {
    return ClientTls.Settings.defaults().trustCertPath(ca.caCert().toString());
  }

  private static void echo(RemotingClient client, String address) throws Exception {
    RemotingCommand r =
        client.invokeSync(
            address,
            RemotingCommand.request(ECHO).body("hi".getBytes(StandardCharsets.UTF_8)),
            5000);
    assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("hi");
  }

  @Test
  void tlsClientTalksToAnEnforcingServer() throws Exception {
    String address = start(serverConfig(TlsMode.ENFORCING));
    echo(client(trustingTheCa()), address);
  }

  @Test
  void permissiveServerTakesTlsAndPlainTextOnOnePort() throws Exception {
    String address = start(serverConfig(TlsMode.PERMISSIVE));
    echo(client(trustingTheCa()), address);
    echo(client(null), address);
  }

  @Test
  void enforcingServerClosesPlainTextAndGoesOnServingTls() throws Exception {
    String address = start(serverConfig(TlsMode.ENFORCING));
    RemotingClient plain = client(null);
    assertThatThrownBy(() -> echo(plain, address)).isInstanceOf(RemotingException.class);
    try (Socket s = socket(address)) {
      s.getOutputStream().write(new byte[] {0, 0, 0, 20, 0, 0, 0, 16});
      assertThat(s.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
    }
    echo(client(trustingTheCa()), address);
  }

  @Test
  void clientThatDoesNotTrustTheServerFailsWithTheReason() throws Exception {
    String address = start(serverConfig(TlsMode.ENFORCING));
    RemotingClient jdkDefaults = client(ClientTls.Settings.defaults());
    assertThatThrownBy(() -> echo(jdkDefaults, address))
        .isInstanceOf(RemotingException.class)
        .hasMessageContaining("TLS handshake with " + address + " failed");
  }

  @Test
  void requiredClientCertificateIsChecked() throws Exception {
    TestCertificates.Pem clientPem = ca.issue("client");
    String address =
        start(
            serverConfig(TlsMode.ENFORCING)
                .tlsServerNeedClientAuth(ClientAuth.REQUIRE)
                .tlsServerTrustCertPath(ca.caCert().toString()));
    RemotingClient anonymous = client(trustingTheCa());
    assertThatThrownBy(() -> echo(anonymous, address)).isInstanceOf(RemotingException.class);
    echo(
        client(
            trustingTheCa()
                .clientCertificate(clientPem.cert().toString(), clientPem.key().toString(), "")),
        address);
  }

  @Test
  void tls11ClientHelloIsRefused() throws Exception {
    String address = start(serverConfig(TlsMode.ENFORCING));
    try (Socket s = socket(address)) {
      s.getOutputStream().write(clientHello(0x0302));
      InputStream in = s.getInputStream();
      int first = in.read();
      // An alert record (21) or a plain close; never a ServerHello (22).
      assertThat(first).isIn(21, -1);
      while (in.read() >= 0) {
        // drain to the close
      }
    }
    echo(client(trustingTheCa()), address);
  }

  @Test
  void problemsNameTheKeysToFix() {
    assertThat(new TlsConfig().tlsMode(TlsMode.ENFORCING).problems())
        .singleElement()
        .asString()
        .contains("tlsServerCertPath", "tlsServerKeyPath");
    assertThat(
            serverConfig(TlsMode.PERMISSIVE)
                .tlsServerKeyPath(dir.resolve("missing.key").toString())
                .problems())
        .singleElement()
        .asString()
        .contains("tlsServerKeyPath=", "no such file");
    assertThat(
            serverConfig(TlsMode.ENFORCING)
                .tlsServerKeyPath(serverPem.cert().toString()) // a certificate, not a key
                .problems())
        .singleElement()
        .asString()
        .contains("cannot use them", "PKCS#8");
    assertThat(
            serverConfig(TlsMode.ENFORCING).tlsServerNeedClientAuth(ClientAuth.REQUIRE).problems())
        .singleElement()
        .asString()
        .contains("tlsServerTrustCertPath");
    assertThat(new TlsConfig().tlsClientEnable(true).tlsClientCertPath("x.pem").problems())
        .singleElement()
        .asString()
        .contains("tlsClientCertPath and tlsClientKeyPath go together");
  }

  private static Socket socket(String address) throws IOException {
    Socket s =
        new Socket("127.0.0.1", Integer.parseInt(address.substring(address.indexOf(':') + 1)));
    s.setSoTimeout(10_000);
    return s;
  }

  /** A minimal ClientHello record offering only {@code version} (no supported_versions). */
  private static byte[] clientHello(int version) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream b = new DataOutputStream(body);
    b.writeShort(version);
    b.write(new byte[32]); // random
    b.writeByte(0); // no session id
    b.writeShort(4);
    b.writeShort(0xc009); // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
    b.writeShort(0x002f); // TLS_RSA_WITH_AES_128_CBC_SHA
    b.writeByte(1);
    b.writeByte(0); // no compression
    byte[] hello = body.toByteArray();
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    DataOutputStream r = new DataOutputStream(record);
    r.writeByte(0x16);
    r.writeShort(0x0301);
    r.writeShort(hello.length + 4);
    r.writeByte(1); // client_hello
    r.writeByte(0);
    r.writeShort(hello.length);
    r.write(hello);
    return record.toByteArray();
  }
}
