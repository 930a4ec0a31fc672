package io.wharfmq.amqp.management;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * RFC 3986 percent-encoding of names in v2 addresses and /management paths (docs/rabbitmq.md,
 * "Addresses"). Stateless; thread-safe.
 */
public final class PercentEncoding {
  private PercentEncoding() {}

  /**
   * The text a percent-encoded segment stands for. Only printable ASCII other than {@code /} may
   * appear raw; a {@code %} must start a two-digit hex escape; the escaped bytes must be UTF-8.
   *
   * @throws IllegalArgumentException with the reason, when the segment breaks these rules
   */
  public static String decode(String segment) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%') {
        int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
        int lo = hi >= 0 ? Character.digit(segment.charAt(i + 2), 16) : -1;
        if (lo < 0) {
          throw new IllegalArgumentException("'%' must start a %HH escape");
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else if (c > 0x20 && c < 0x7f && c != '/') {
        out.write(c);
      } else {
        throw new IllegalArgumentException("names must be percent-encoded (RFC 3986)");
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("escaped bytes are not UTF-8");
    }
  }

  /** Encodes every byte of the UTF-8 form except ALPHA, DIGIT, {@code - . _ ~}. */
  public static String encode(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      boolean unreserved =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '.'
              || c == '_'
              || c == '~';
      if (unreserved) {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return sb.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
}
