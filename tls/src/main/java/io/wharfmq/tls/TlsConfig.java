package io.wharfmq.tls;

import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The TLS keys of a server (broker, name server, AMQP listener): which certificate it shows, from
 * PEM files, whether it asks clients for theirs, how its RocketMQ-protocol port treats plain text,
 * and how the broker connects to name servers. Named after Apache RocketMQ's {@code tls.server.*}
 * and {@code tls.client.*} system properties; docs/security.md explains the choices. Checked once
 * by {@link #problems()}. Mutable until the server starts; not thread-safe.
 */
public final class TlsConfig {
  /**
   * tlsMode: TLS on the RocketMQ-protocol port (broker listenPort, name server port): DISABLED
   * (plain text only), PERMISSIVE (TLS and plain text on the same port) or ENFORCING (TLS only; a
   * plain-text connection is closed and logged). Not DISABLED needs tlsServerCertPath and
   * tlsServerKeyPath.
   */
  private TlsMode tlsMode = TlsMode.DISABLED;

  /** tlsServerCertPath: PEM file of the server's certificate chain, its own certificate first. */
  private String tlsServerCertPath = "";

  /** tlsServerKeyPath: PEM file of the server certificate's private key, PKCS#8. */
  private String tlsServerKeyPath = "";

  /** tlsServerKeyPassword: password of an encrypted tlsServerKeyPath; empty if not encrypted. */
  private String tlsServerKeyPassword = "";

  /**
   * tlsServerNeedClientAuth: NONE (no client certificates), OPTIONAL (a client certificate sent is
   * checked against tlsServerTrustCertPath) or REQUIRE (a connection without one trusted is
   * closed), as RocketMQ's tls.server.need.client.auth.
   */
  private ClientAuth tlsServerNeedClientAuth = ClientAuth.NONE;

  /** tlsServerTrustCertPath: PEM file of the CAs client certificates must chain to. */
  private String tlsServerTrustCertPath = "";

  /**
   * tlsClientEnable: the broker connects to its name servers over TLS (needed when they run with
   * tlsMode=ENFORCING), as RocketMQ's tls.enable for clients.
   */
  private boolean tlsClientEnable = false;

  /**
   * tlsClientTrustCertPath: PEM file of the CAs the name servers' certificates must chain to;
   * empty: the JDK's default CAs.
   */
  private String tlsClientTrustCertPath = "";

  /** tlsClientCertPath: PEM certificate chain the broker shows name servers that ask; optional. */
  private String tlsClientCertPath = "";

  /** tlsClientKeyPath: PEM PKCS#8 private key of tlsClientCertPath. */
  private String tlsClientKeyPath = "";

  /** tlsClientKeyPassword: password of an encrypted tlsClientKeyPath; empty if not encrypted. */
  private String tlsClientKeyPassword = "";

  /**
   * tlsClientVerifyHostname: check that a name server's certificate names the host of its
   * namesrvAddr entry (DNS name or IP address), as HTTPS does.
   */
  private boolean tlsClientVerifyHostname = true;

  /** Whether some listener needs the server certificate: tlsMode is not DISABLED. */
  public boolean serverTlsOn() {
    return tlsMode != TlsMode.DISABLED;
  }

  /**
   * Whether the server certificate and key are named (an AMQPS listener needs them whatever tlsMode
   * is).
   */
  public boolean serverCertificateSet() {
    return TlsProtocols.set(tlsServerCertPath) && TlsProtocols.set(tlsServerKeyPath);
  }

  /** Every problem, each naming its key; empty when valid. */
  public List<String> problems() {
    List<String> p = new ArrayList<>();
    if (tlsMode == null) {
      p.add("tlsMode must be DISABLED, PERMISSIVE or ENFORCING");
      return p;
    }
    if (tlsServerNeedClientAuth == null) {
      p.add("tlsServerNeedClientAuth must be NONE, OPTIONAL or REQUIRE");
      return p;
    }
    String neededBy = serverTlsOn() ? "tlsMode=" + tlsMode : null;
    boolean certSet = TlsProtocols.set(tlsServerCertPath);
    boolean keySet = TlsProtocols.set(tlsServerKeyPath);
    if (neededBy != null && (!certSet || !keySet)) {
      p.add(
          neededBy
              + " needs the server's certificate: set tlsServerCertPath (PEM certificate chain)"
              + " and tlsServerKeyPath (PEM PKCS#8 private key)");
    } else if (certSet != keySet) {
      p.add("tlsServerCertPath and tlsServerKeyPath go together: set both or neither");
    } else if (certSet) {
      TlsProtocols.readableFile(
          "tlsServerCertPath", tlsServerCertPath, "a PEM certificate chain", p);
      TlsProtocols.readableFile(
          "tlsServerKeyPath", tlsServerKeyPath, "a PEM PKCS#8 private key", p);
    }
    if (tlsServerNeedClientAuth != ClientAuth.NONE) {
      if (!TlsProtocols.set(tlsServerTrustCertPath)) {
        p.add(
            "tlsServerNeedClientAuth="
                + tlsServerNeedClientAuth
                + " needs tlsServerTrustCertPath: the PEM file of the CAs client certificates must"
                + " chain to");
      } else {
        TlsProtocols.readableFile(
            "tlsServerTrustCertPath", tlsServerTrustCertPath, "a PEM file of CA certificates", p);
      }
    }
    if (p.isEmpty() && certSet) {
      try {
        ServerTls.of(this, TlsMode.ENFORCING);
      } catch (SSLException | IllegalArgumentException e) {
        p.add(
            "tlsServerCertPath/tlsServerKeyPath: cannot use them ("
                + TlsProtocols.reason(e)
                + "); the key must be PKCS#8 ('BEGIN PRIVATE KEY', or 'BEGIN ENCRYPTED PRIVATE"
                + " KEY' with tlsServerKeyPassword) and match the certificate");
      }
    }
    if (tlsClientEnable) {
      p.addAll(client().problems("tlsClient"));
    }
    return p;
  }

  /** The client settings of the tlsClient* keys. */
  public ClientTls.Settings client() {
    return new ClientTls.Settings(
        tlsClientTrustCertPath,
        tlsClientCertPath,
        tlsClientKeyPath,
        tlsClientKeyPassword,
        tlsClientVerifyHostname);
  }

  public TlsMode tlsMode() {
    return tlsMode;
  }

  public TlsConfig tlsMode(TlsMode v) {
    tlsMode = v;
    return this;
  }

  public String tlsServerCertPath() {
    return tlsServerCertPath;
  }

  public TlsConfig tlsServerCertPath(String v) {
    tlsServerCertPath = v == null ? "" : v;
    return this;
  }

  public String tlsServerKeyPath() {
    return tlsServerKeyPath;
  }

  public TlsConfig tlsServerKeyPath(String v) {
    tlsServerKeyPath = v == null ? "" : v;
    return this;
  }

  public String tlsServerKeyPassword() {
    return tlsServerKeyPassword;
  }

  public TlsConfig tlsServerKeyPassword(String v) {
    tlsServerKeyPassword = v == null ? "" : v;
    return this;
  }

  public ClientAuth tlsServerNeedClientAuth() {
    return tlsServerNeedClientAuth;
  }

  public TlsConfig tlsServerNeedClientAuth(ClientAuth v) {
    tlsServerNeedClientAuth = v;
    return this;
  }

  public String tlsServerTrustCertPath() {
    return tlsServerTrustCertPath;
  }

  public TlsConfig tlsServerTrustCertPath(String v) {
    tlsServerTrustCertPath = v == null ? "" : v;
    return this;
  }

  public boolean tlsClientEnable() {
    return tlsClientEnable;
  }

  public TlsConfig tlsClientEnable(boolean v) {
    tlsClientEnable = v;
    return this;
  }

  public String tlsClientTrustCertPath() {
    return tlsClientTrustCertPath;
  }

  public TlsConfig tlsClientTrustCertPath(String v) {
    tlsClientTrustCertPath = v == null ? "" : v;
    return this;
  }

  public String tlsClientCertPath() {
    return tlsClientCertPath;
  }

  public TlsConfig tlsClientCertPath(String v) {
    tlsClientCertPath = v == null ? "" : v;
    return this;
  }

  public String tlsClientKeyPath() {
    return tlsClientKeyPath;
  }

  public TlsConfig tlsClientKeyPath(String v) {
    tlsClientKeyPath = v == null ? "" : v;
    return this;
  }

  public String tlsClientKeyPassword() {
    return tlsClientKeyPassword;
  }

  public TlsConfig tlsClientKeyPassword(String v) {
    tlsClientKeyPassword = v == null ? "" : v;
    return this;
  }

  public boolean tlsClientVerifyHostname() {
    return tlsClientVerifyHostname;
  }

  public TlsConfig tlsClientVerifyHostname(boolean v) {
    tlsClientVerifyHostname = v;
    return this;
  }
}
