package io.wharfmq.launcher;

import io.wharfmq.tls.ClientTls;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Option;

/**
 * The TLS options of the commands that connect to Wharf (admin, send, consume), for name servers
 * and brokers with tlsMode=ENFORCING (docs/security.md). None given: plain text. Picocli fills it;
 * one command's thread.
 */
final class TlsClientOptions {
  @Option(
      names = "--tls",
      description =
          "Connect over TLS, trusting the JDK's certificate authorities unless --tls-trust-cert.")
  boolean tls;

  @Option(
      names = "--tls-trust-cert",
      paramLabel = "PEM",
      description = "Connect over TLS, trusting the CA certificates of this PEM file.")
  String trustCert;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description = "Client certificate chain for servers that ask (with --tls-key).")
  String cert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "Its PKCS#8 private key.")
  String key;

  @Option(
      names = "--tls-no-verify-hostname",
      description = "Do not check that server certificates name the host connected to.")
  boolean noVerifyHostname;

  /** The TLS to connect with, or null for plain text; an unusable file is named in the message. */
  ClientTls clientTls() {
    if (!tls && trustCert == null && cert == null && key == null && !noVerifyHostname) {
      return null;
    }
    ClientTls.Settings s =
        ClientTls.Settings.defaults()
            .trustCertPath(trustCert)
            .clientCertificate(cert, key, "")
            .verifyHostname(!noVerifyHostname);
    java.util.List<String> problems = s.problems("tlsClient");
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          String.join("; ", problems)
              .replace("tlsClientTrustCertPath", "--tls-trust-cert")
              .replace("tlsClientCertPath", "--tls-cert")
              .replace("tlsClientKeyPath", "--tls-key"));
    }
    try {
      return ClientTls.of(s);
    } catch (SSLException e) {
      throw new IllegalArgumentException("TLS files: " + e.getMessage(), e);
    }
  }
}
