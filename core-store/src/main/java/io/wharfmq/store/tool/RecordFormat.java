package io.wharfmq.store.tool;

import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageRecordLayout;
import io.wharfmq.store.format.StoredMessage;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Instant;

/** Renders records as one readable line each for the tool's output. Stateless; thread-safe. */
final class RecordFormat {
  private RecordFormat() {}

  /** One line describing a record; {@code bodyPreview} bytes of the body are shown if > 0. */
  static String line(StoredMessage m, boolean crcOk, int bodyPreview) {
    StringBuilder sb = new StringBuilder(256);
    sb.append("offset=")
        .append(m.physicalOffset())
        .append(" size=")
        .append(m.totalSize())
        .append(" magic=")
        .append(m.magic() == MessageRecordLayout.MAGIC_V2 ? "v2" : "v1")
        .append(" topic=")
        .append(m.topic())
        .append(" queueId=")
        .append(m.queueId())
        .append(" queueOffset=")
        .append(m.queueOffset())
        .append(" sysFlag=0x")
        .append(Integer.toHexString(m.sysFlag()))
        .append(" bornTimestamp=")
        .append(Instant.ofEpochMilli(m.bornTimestamp()))
        .append(" storeTimestamp=")
        .append(Instant.ofEpochMilli(m.storeTimestamp()))
        .append(" storeHost=")
        .append(host(m.storeHost()))
        .append(" reconsumeTimes=")
        .append(m.reconsumeTimes())
        .append(" bodyLength=")
        .append(m.body().length)
        .append(" crc=")
        .append(crcOk ? "ok" : "BAD")
        .append(" properties=\"")
        .append(properties(m.properties()))
        .append('"');
    if (bodyPreview > 0) {
      sb.append(" body=\"").append(bodyPreview(m.body(), bodyPreview)).append('"');
    }
    return sb.toString();
  }

  static String host(InetSocketAddress host) {
    String address = host.getAddress().getHostAddress();
    return (host.getAddress() instanceof Inet6Address ? "[" + address + "]" : address)
        + ":"
        + host.getPort();
  }

  /**
   * The properties string with its separators shown as {@code =} (name/value) and {@code ;} (after
   * each pair). Literal {@code = ; \ "} and other control characters are backslash-escaped, so the
   * rendering stays unambiguous even for a malformed string.
   */
  static String properties(String properties) {
    StringBuilder sb = new StringBuilder(properties.length() + 8);
    for (int i = 0; i < properties.length(); i++) {
      char c = properties.charAt(i);
      if (c == MessageProperties.NAME_VALUE_SEPARATOR) {
        sb.append('=');
      } else if (c == MessageProperties.PROPERTY_SEPARATOR) {
        sb.append(';');
      } else if (c == '=' || c == ';' || c == '\\' || c == '"') {
        sb.append('\\').append(c);
      } else if (Character.isISOControl(c)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Up to {@code max} body bytes: printable ASCII as is, anything else as {@code \xNN}. */
  static String bodyPreview(byte[] body, int max) {
    StringBuilder sb = new StringBuilder();
    int n = Math.min(max, body.length);
    for (int i = 0; i < n; i++) {
      int b = body[i] & 0xFF;
      if (b >= 0x20 && b < 0x7F && b != '\\' && b != '"') {
        sb.append((char) b);
      } else {
        sb.append(String.format("\\x%02x", b));
      }
    }
    if (body.length > n) {
      sb.append("...");
    }
    return sb.toString();
  }
}
