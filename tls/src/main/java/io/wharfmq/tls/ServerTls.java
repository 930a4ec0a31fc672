package io.wharfmq.tls;

import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import javax.net.ssl.SSLException;

/**
 * The TLS side of a listener: its certificate and key from PEM files, whether it asks clients for
 * certificates, TLS 1.3 and 1.2 only, and its {@link TlsMode}. Each accepted connection gets a
 * {@link #newSniffer} first in its pipeline. Immutable and thread-safe.
 */
public final class ServerTls {
  private final SslContext context;
  private final TlsMode mode;

  private ServerTls(SslContext context, TlsMode mode) {
    this.context = context;
    this.mode = mode;
  }

  /**
   * The TLS of a listener in {@code mode} (PERMISSIVE or ENFORCING) with the server keys of {@code
   * config}. Reads the PEM files; an SSLException or IllegalArgumentException says which is
   * unusable ({@link TlsConfig#problems()} reports the same before start).
   */
  public static ServerTls of(TlsConfig config, TlsMode mode) throws SSLException {
    if (mode == TlsMode.DISABLED) {
      throw new IllegalArgumentException("a listener with TLS disabled has no ServerTls");
    }
    String password = config.tlsServerKeyPassword();
    SslContextBuilder b =
        SslContextBuilder.forServer(
                new File(config.tlsServerCertPath()),
                new File(config.tlsServerKeyPath()),
                TlsProtocols.set(password) ? password : null)
            .sslProvider(SslProvider.JDK)
            .protocols(TlsProtocols.ENABLED)
            .clientAuth(
                switch (config.tlsServerNeedClientAuth()) {
                  case NONE -> io.netty.handler.ssl.ClientAuth.NONE;
                  case OPTIONAL -> io.netty.handler.ssl.ClientAuth.OPTIONAL;
                  case REQUIRE -> io.netty.handler.ssl.ClientAuth.REQUIRE;
                });
    if (TlsProtocols.set(config.tlsServerTrustCertPath())) {
      b.trustManager(new File(config.tlsServerTrustCertPath()));
    }
    return new ServerTls(b.build(), mode);
  }

  public TlsMode mode() {
    return mode;
  }

  /**
   * The first handler of an accepted connection: it looks at the first byte and puts TLS in its
   * place, steps aside (plain text, PERMISSIVE) or closes (plain text, ENFORCING) after {@code
   * refusals} was told the peer; a failed handshake is reported there too.
   */
  public ChannelHandler newSniffer(TlsRefusals refusals) {
    return new TlsSniffer(context, mode, refusals);
  }

  @Override
  public String toString() {
    return "TLS " + mode.name().toLowerCase(java.util.Locale.ROOT) + " (TLSv1.3, TLSv1.2)";
  }
}
