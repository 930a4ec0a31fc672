package io.wharfmq.tls;

import java.net.SocketAddress;

/**
 * Where a TLS listener reports a connection it closes: plain text on a TLS-only port, or a failed
 * handshake. The listener logs it with its other peer warnings, under the same rate limit, so that
 * a peer flooding bad connections cannot flood the log. Called on the connection's event loop;
 * implementations must be thread-safe.
 */
@FunctionalInterface
public interface TlsRefusals {
  /**
   * {@code reason} is a sentence fragment: "plain text on a TLS-only port", "TLS handshake ...".
   */
  void refused(SocketAddress peer, String reason);
}
