package io.wharfmq.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What every Wharf TLS context shares: the protocol versions (TLS 1.3 and 1.2; SSL and TLS 1.0/1.1
 * are broken or deprecated, RFC 8996) and the checks of PEM file keys. Stateless.
 */
final class TlsProtocols {
  /** Offered and accepted versions, newest first. */
  static final String[] ENABLED = {"TLSv1.3", "TLSv1.2"};

  private TlsProtocols() {}

  /**
   * Adds a problem naming {@code key} unless {@code value} names a readable regular file; {@code
   * what} says what the file must hold.
   */
  static void readableFile(String key, String value, String what, List<String> problems) {
    Path p = Path.of(value);
    if (!Files.isRegularFile(p)) {
      problems.add(key + "=" + value + ": no such file; it must be " + what);
    } else if (!Files.isReadable(p)) {
      problems.add(key + "=" + value + ": not readable by this user; it must be " + what);
    }
  }

  static boolean set(String value) {
    return value != null && !value.isBlank();
  }

  /** The innermost message of a failure to read PEM files, for a problem line. */
  static String reason(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
