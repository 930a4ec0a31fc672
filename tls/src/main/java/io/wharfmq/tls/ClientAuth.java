package io.wharfmq.tls;

/**
 * Whether a TLS listener asks clients for a certificate: NONE does not ask; OPTIONAL asks and
 * checks one that is sent against the trusted certificates, but lets a client without one in;
 * REQUIRE closes a connection without a trusted client certificate.
 */
public enum ClientAuth {
  NONE,
  OPTIONAL,
  REQUIRE
}
