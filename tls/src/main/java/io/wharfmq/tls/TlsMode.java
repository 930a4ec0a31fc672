package io.wharfmq.tls;

/**
 * How a listener treats TLS, as Apache RocketMQ's {@code tls.server.mode}: DISABLED takes plain
 * text only; PERMISSIVE takes both on the same port (a connection whose first byte opens a TLS
 * record gets TLS); ENFORCING takes TLS only and closes a plain-text connection.
 */
public enum TlsMode {
  DISABLED,
  PERMISSIVE,
  ENFORCING
}
