package io.wharfmq.jms;

import io.wharfmq.tls.ClientTls;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * What a connection factory knows: the name servers and the options of its URL ({@code
 * wharf://HOST:PORT[;HOST:PORT...]?option=value&...}, docs/jms.md). Immutable.
 *
 * @param namesrvAddr the name servers as the native client takes them, {@code host:port;host:port}
 * @param user user name sent to the broker, or null
 * @param password its password, or null
 * @param clientId the client ID every connection of the factory takes, or null
 * @param prefetch messages a consumer may hold received but not yet delivered to the application
 * @param sendTimeout how long a synchronous send waits for the broker
 * @param requestTimeout how long any other request waits
 * @param maxDeliveries deliveries after which a message goes to the dead-letter queue (the
 *     redelivery policy; RocketMQ's retryMaxTimes + 1)
 * @param redeliveryDelay how long a message given back (recover, rollback, a closed consumer) stays
 *     invisible before it is delivered again; 0 = at once
 * @param trustedPackages packages (and their subpackages) whose classes an ObjectMessage may
 *     deserialize; {@code *} trusts every package
 * @param tls how to connect over TLS ({@code wharf+ssl://}), or null for plain text
 */
public record WharfConnectionConfig(
    String namesrvAddr,
    String user,
    String password,
    String clientId,
    int prefetch,
    Duration sendTimeout,
    Duration requestTimeout,
    int maxDeliveries,
    Duration redeliveryDelay,
    List<String> trustedPackages,
    ClientTls.Settings tls)
    implements Serializable {

  /**
   * Room for two pops of 32 in flight and two answers waiting to be delivered, so that a listener
   * never waits a round trip. Popped messages stay invisible for 60 s: a listener slower than about
   * 0.4 s a message should use a smaller prefetch, or its last prefetched ones come back first.
   */
  public static final int DEFAULT_PREFETCH = 128;

  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** RocketMQ's and the AMQP door's default: 16 retries, then the dead-letter queue. */
  public static final int DEFAULT_MAX_DELIVERIES = 17;

  /**
   * java.lang and java.util only, the rule other providers adopted after deserialization attacks.
   */
  public static final List<String> DEFAULT_TRUSTED_PACKAGES =
      io.wharfmq.jms.message.WharfObjectMessage.DEFAULT_TRUSTED_PACKAGES;

  public WharfConnectionConfig {
    trustedPackages = List.copyOf(trustedPackages);
  }

  /**
   * Parses a connection factory URL, {@code wharf://HOST:PORT[;HOST:PORT...]?option=value&...}
   * (hosts may also be separated by {@code ,}); {@code wharf+ssl://} connects over TLS and takes
   * the options tlsTrustCertPath, tlsCertPath, tlsKeyPath, tlsKeyPassword, tlsVerifyHostname.
   * Options: user, password, clientId, prefetch, sendTimeout (ms), requestTimeout (ms),
   * maxDeliveries, redeliveryDelay (ms), trustedPackages (comma-separated, {@code *} = all); values
   * are percent-decoded.
   *
   * @throws IllegalArgumentException naming the bad part or option and the accepted options
   */
  public static WharfConnectionConfig parse(String url) {
    return WharfConnectionUrl.parse(url);
  }

  /** This config with another user, password and client ID (each may be null). */
  public WharfConnectionConfig withIdentity(String user, String password, String clientId) {
    return new WharfConnectionConfig(
        namesrvAddr,
        user,
        password,
        clientId,
        prefetch,
        sendTimeout,
        requestTimeout,
        maxDeliveries,
        redeliveryDelay,
        trustedPackages,
        tls);
  }

  /** This config connecting over TLS as {@code tls} says, or in plain text if it is null. */
  public WharfConnectionConfig withTls(ClientTls.Settings tls) {
    return new WharfConnectionConfig(
        namesrvAddr,
        user,
        password,
        clientId,
        prefetch,
        sendTimeout,
        requestTimeout,
        maxDeliveries,
        redeliveryDelay,
        trustedPackages,
        tls);
  }

  /** The password shows as *** so that the config can be logged. */
  @Override
  public String toString() {
    return "WharfConnectionConfig[namesrvAddr="
        + namesrvAddr
        + ", user="
        + user
        + ", password="
        + (password == null ? null : "***")
        + ", clientId="
        + clientId
        + ", prefetch="
        + prefetch
        + ", sendTimeout="
        + sendTimeout
        + ", requestTimeout="
        + requestTimeout
        + ", maxDeliveries="
        + maxDeliveries
        + ", redeliveryDelay="
        + redeliveryDelay
        + ", trustedPackages="
        + trustedPackages
        + ", tls="
        + tls
        + "]";
  }

  /** The defaults for the given name servers. */
  public static WharfConnectionConfig of(String namesrvAddr) {
    return new WharfConnectionConfig(
        namesrvAddr,
        null,
        null,
        null,
        DEFAULT_PREFETCH,
        DEFAULT_SEND_TIMEOUT,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_MAX_DELIVERIES,
        Duration.ZERO,
        DEFAULT_TRUSTED_PACKAGES,
        null);
  }
}
