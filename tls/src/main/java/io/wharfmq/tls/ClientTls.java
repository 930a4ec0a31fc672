package io.wharfmq.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The TLS side of a client connection: whom to trust (the JDK's default certificate authorities, or
 * those of a PEM file), an optional client certificate, TLS 1.3 and 1.2 only, and the server's name
 * checked against its certificate unless turned off. There is no "trust everything" switch: a test
 * trusts its own throwaway CA. Immutable and thread-safe.
 */
public final class ClientTls {
  /**
   * What a client is told.
   *
   * @param trustCertPath PEM file of the certificates (CAs) to trust; empty: the JDK's default
   * @param certPath PEM file of this client's certificate chain, for servers that ask; empty: none
   * @param keyPath PEM file of that certificate's private key (PKCS#8)
   * @param keyPassword the key's password if it is encrypted; empty if not
   * @param verifyHostname check that the server's certificate names the host connected to
   */
  public record Settings(
      String trustCertPath,
      String certPath,
      String keyPath,
      String keyPassword,
      boolean verifyHostname)
      implements java.io.Serializable {
    /** Trusting the JDK's default authorities, no client certificate, host names checked. */
    public static Settings defaults() {
      return new Settings("", "", "", "", true);
    }

    public Settings {
      trustCertPath = trustCertPath == null ? "" : trustCertPath;
      certPath = certPath == null ? "" : certPath;
      keyPath = keyPath == null ? "" : keyPath;
      keyPassword = keyPassword == null ? "" : keyPassword;
    }

    /** The key password shows as *** so that settings can be logged. */
    @Override
    public String toString() {
      return "ClientTls.Settings[trustCertPath="
          + trustCertPath
          + ", certPath="
          + certPath
          + ", keyPath="
          + keyPath
          + ", keyPassword="
          + (keyPassword.isEmpty() ? "" : "***")
          + ", verifyHostname="
          + verifyHostname
          + "]";
    }

    public Settings trustCertPath(String v) {
      return new Settings(v, certPath, keyPath, keyPassword, verifyHostname);
    }

    public Settings clientCertificate(String cert, String key, String password) {
      return new Settings(trustCertPath, cert, key, password, verifyHostname);
    }

    public Settings verifyHostname(boolean v) {
      return new Settings(trustCertPath, certPath, keyPath, keyPassword, v);
    }

    /**
     * Every problem, each naming its key as {@code prefix} + the field ("tlsClient" gives
     * "tlsClientTrustCertPath"); empty when a context can be built.
     */
    public List<String> problems(String prefix) {
      List<String> p = new ArrayList<>();
      if (TlsProtocols.set(trustCertPath)) {
        TlsProtocols.readableFile(
            prefix + "TrustCertPath", trustCertPath, "a PEM file of CA certificates", p);
      }
      if (TlsProtocols.set(certPath) != TlsProtocols.set(keyPath)) {
        p.add(
            prefix
                + "CertPath and "
                + prefix
                + "KeyPath go together: set both (a client certificate and its key) or neither");
      } else if (TlsProtocols.set(certPath)) {
        TlsProtocols.readableFile(prefix + "CertPath", certPath, "a PEM certificate chain", p);
        TlsProtocols.readableFile(prefix + "KeyPath", keyPath, "a PEM PKCS#8 private key", p);
      }
      if (TlsProtocols.set(keyPassword) && !TlsProtocols.set(keyPath)) {
        p.add(prefix + "KeyPassword is set but " + prefix + "KeyPath is not");
      }
      if (p.isEmpty()) {
        try {
          ClientTls.of(this);
        } catch (SSLException | IllegalArgumentException e) {
          p.add(
              prefix
                  + "*: cannot use the PEM files ("
                  + TlsProtocols.reason(e)
                  + "); a key must be PKCS#8 ('BEGIN PRIVATE KEY' or 'BEGIN ENCRYPTED PRIVATE"
                  + " KEY')");
        }
      }
      return p;
    }
  }

  private final SslContext context;
  private final boolean verifyHostname;

  private ClientTls(SslContext context, boolean verifyHostname) {
    this.context = context;
    this.verifyHostname = verifyHostname;
  }

  /** Reads the PEM files; an SSLException or IllegalArgumentException says which is unusable. */
  public static ClientTls of(Settings s) throws SSLException {
    SslContextBuilder b =
        SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(TlsProtocols.ENABLED);
    if (TlsProtocols.set(s.trustCertPath())) {
      b.trustManager(new File(s.trustCertPath()));
    }
    if (TlsProtocols.set(s.certPath())) {
      b.keyManager(
          new File(s.certPath()),
          new File(s.keyPath()),
          TlsProtocols.set(s.keyPassword()) ? s.keyPassword() : null);
    }
    return new ClientTls(b.build(), s.verifyHostname());
  }

  /** A handler for a new connection to {@code host}:{@code port}, first in its pipeline. */
  public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
    SslHandler h = context.newHandler(alloc, host, port);
    if (verifyHostname) {
      SSLEngine engine = h.engine();
      SSLParameters params = engine.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      engine.setSSLParameters(params);
    }
    return h;
  }
}
