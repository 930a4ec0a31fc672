package io.wharfmq.jms;

import io.wharfmq.tls.ClientTls;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses a connection factory URL, {@code wharf://HOST:PORT[;HOST:PORT...]?option=value&...} (hosts
 * may also be separated by {@code ,}; values are percent-decoded), into a {@link
 * WharfConnectionConfig}. Errors name the option and never echo the URL, which may hold a password.
 * Stateless, thread-safe.
 */
final class WharfConnectionUrl {
  static final String SCHEME = "wharf://";

  /** Over TLS: to name servers and brokers whose tlsMode is PERMISSIVE or ENFORCING. */
  static final String TLS_SCHEME = "wharf+ssl://";

  /** The accepted options, in the order the error message lists them. */
  static final List<String> OPTIONS =
      List.of(
          "user",
          "password",
          "clientId",
          "prefetch",
          "sendTimeout",
          "requestTimeout",
          "maxDeliveries",
          "redeliveryDelay",
          "trustedPackages",
          "tlsTrustCertPath",
          "tlsCertPath",
          "tlsKeyPath",
          "tlsKeyPassword",
          "tlsVerifyHostname");

  private WharfConnectionUrl() {}

  static WharfConnectionConfig parse(String url) {
    boolean tls = url != null && url.regionMatches(true, 0, TLS_SCHEME, 0, TLS_SCHEME.length());
    if (url == null || !(tls || url.regionMatches(true, 0, SCHEME, 0, SCHEME.length()))) {
      throw new IllegalArgumentException(
          "a Wharf URL starts with "
              + SCHEME
              + " or, over TLS, "
              + TLS_SCHEME
              + " (wharf://HOST:PORT[;HOST:PORT...]?option=value)");
    }
    String rest = url.substring(tls ? TLS_SCHEME.length() : SCHEME.length());
    int q = rest.indexOf('?');
    String hosts = q < 0 ? rest : rest.substring(0, q);
    if (hosts.endsWith("/")) {
      hosts = hosts.substring(0, hosts.length() - 1);
    }
    WharfConnectionConfig config = WharfConnectionConfig.of(parseHosts(hosts));
    if (tls) {
      config = config.withTls(ClientTls.Settings.defaults());
    }
    return q < 0 ? config : applyOptions(config, rest.substring(q + 1));
  }

  private static String parseHosts(String hosts) {
    List<String> out = new ArrayList<>();
    for (String hostPort : hosts.split("[;,]", -1)) {
      String hp = hostPort.trim();
      int colon = hp.lastIndexOf(':');
      String host = colon < 0 ? "" : hp.substring(0, colon);
      if (colon < 0 || host.isEmpty() || (host.contains(":") && !host.startsWith("["))) {
        throw new IllegalArgumentException(
            "each name server is HOST:PORT (an IPv6 host in brackets), not '" + hp + "'");
      }
      int port;
      try {
        port = Integer.parseInt(hp.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "the port of name server '" + hp + "' must be a number from 1 to 65535");
      }
      out.add(host + ":" + port);
    }
    return String.join(";", out);
  }

  private static WharfConnectionConfig applyOptions(WharfConnectionConfig d, String query) {
    String user = d.user();
    String password = d.password();
    String clientId = d.clientId();
    int prefetch = d.prefetch();
    Duration sendTimeout = d.sendTimeout();
    Duration requestTimeout = d.requestTimeout();
    int maxDeliveries = d.maxDeliveries();
    Duration redeliveryDelay = d.redeliveryDelay();
    List<String> trustedPackages = d.trustedPackages();
    ClientTls.Settings tls = d.tls();
    Set<String> seen = new HashSet<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq), "an option name");
      if (!OPTIONS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown option '"
                + name
                + "'; the accepted options are "
                + String.join(", ", OPTIONS));
      }
      if (eq < 0) {
        throw new IllegalArgumentException(
            "option '" + name + "' needs a value (" + name + "=...)");
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException("option '" + name + "' is given twice");
      }
      String value = decode(pair.substring(eq + 1), "option '" + name + "'");
      if (name.startsWith("tls") && tls == null) {
        throw new IllegalArgumentException(
            "option '" + name + "' is for TLS connections: start the URL with " + TLS_SCHEME);
      }
      switch (name) {
        case "user" -> user = value;
        case "password" -> password = value;
        case "clientId" -> clientId = value;
        case "prefetch" -> prefetch = positive(name, value);
        case "sendTimeout" -> sendTimeout = Duration.ofMillis(positive(name, value));
        case "requestTimeout" -> requestTimeout = Duration.ofMillis(positive(name, value));
        case "maxDeliveries" -> maxDeliveries = positive(name, value);
        case "redeliveryDelay" -> redeliveryDelay = Duration.ofMillis(nonNegative(name, value));
        case "trustedPackages" -> trustedPackages = packages(value);
        case "tlsTrustCertPath" -> tls = tls.trustCertPath(value);
        case "tlsCertPath" -> tls = tls.clientCertificate(value, tls.keyPath(), tls.keyPassword());
        case "tlsKeyPath" -> tls = tls.clientCertificate(tls.certPath(), value, tls.keyPassword());
        case "tlsKeyPassword" -> tls = tls.clientCertificate(tls.certPath(), tls.keyPath(), value);
        case "tlsVerifyHostname" -> tls = tls.verifyHostname(bool(name, value));
        default -> throw new AssertionError(name);
      }
    }
    return new WharfConnectionConfig(
        d.namesrvAddr(),
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

  private static boolean bool(String name, String value) {
    if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException(
          "option '" + name + "' takes true or false, not '" + value + "'");
    }
    return Boolean.parseBoolean(value);
  }

  /** A whole number from 1 to Integer.MAX_VALUE (milliseconds or a count). */
  private static int positive(String name, String value) {
    long v = number(name, value);
    if (v < 1) {
      throw new IllegalArgumentException("option '" + name + "' must be at least 1, not " + v);
    }
    return (int) v;
  }

  private static long nonNegative(String name, String value) {
    long v = number(name, value);
    if (v < 0) {
      throw new IllegalArgumentException("option '" + name + "' must not be negative, not " + v);
    }
    return v;
  }

  private static long number(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "option '"
              + name
              + "' takes a whole number (up to "
              + Integer.MAX_VALUE
              + "), not '"
              + value
              + "'",
          e);
    }
  }

  private static List<String> packages(String value) {
    List<String> out = new ArrayList<>();
    for (String p : value.split(",")) {
      String pkg = p.trim();
      if (pkg.isEmpty()) {
        throw new IllegalArgumentException(
            "option 'trustedPackages' takes package names separated by ',' (or *), not '"
                + value
                + "'");
      }
      out.add(pkg);
    }
    return out;
  }

  /**
   * Percent-decoding as in a URI (UTF-8); unlike form decoding a '+' stays a '+', so that a
   * password with a plus sign needs no escaping.
   */
  static String decode(String s, String what) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch != '%') {
        out.writeBytes(String.valueOf(ch).getBytes(StandardCharsets.UTF_8));
        continue;
      }
      int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
      int lo = hi < 0 ? -1 : Character.digit(s.charAt(i + 2), 16);
      if (lo < 0) {
        throw new IllegalArgumentException(
            what + " has a '%' that is not followed by two hex digits");
      }
      out.write(hi * 16 + lo);
      i += 2;
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
