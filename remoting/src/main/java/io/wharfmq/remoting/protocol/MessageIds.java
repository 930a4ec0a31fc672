package io.wharfmq.remoting.protocol;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * RocketMQ offset message ids: store IP (4 or 16 bytes) + port (int) + commit-log offset (long), in
 * upper-case hex (32 characters for IPv4, 56 for IPv6). Stateless.
 */
public final class MessageIds {
  private MessageIds() {}

  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  public static String offsetMessageId(InetSocketAddress storeHost, long physicalOffset) {
    byte[] ip = storeHost.getAddress().getAddress();
    ByteBuffer b = ByteBuffer.allocate(ip.length + 12);
    b.put(ip).putInt(storeHost.getPort()).putLong(physicalOffset);
    return HEX.formatHex(b.array());
  }

  /** A decoded offset id. */
  public record OffsetId(InetSocketAddress storeHost, long physicalOffset) {}

  /** Decodes an offset id; throws IllegalArgumentException if it is not one. */
  public static OffsetId decode(String id) {
    if (id == null || (id.length() != 32 && id.length() != 56)) {
      throw new IllegalArgumentException("not an offset message id: " + id);
    }
    byte[] bytes = HexFormat.of().parseHex(id);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte[] ip = new byte[id.length() == 32 ? 4 : 16];
    b.get(ip);
    int port = b.getInt();
    long offset = b.getLong();
    try {
      return new OffsetId(new InetSocketAddress(InetAddress.getByAddress(ip), port), offset);
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an offset message id: " + id, e);
    }
  }
}
