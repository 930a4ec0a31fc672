package io.wharfmq.amqp.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The first eight bytes of a connection: the AMQP 1.0 protocol header with SASL ({@code AMQP 3 1 0
 * 0}), or without ({@code AMQP 0 1 0 0}, only while anonymous access is on). Anything else (another
 * AMQP version, TLS's header, HTTP, garbage) is answered as AMQP 1.0 section 2.2 says: Wharf's own
 * header, then the socket is closed. Once the header is good the sniffer leaves the pipeline and
 * every byte, the header included, goes to the proton-j engine. One per channel, on its event loop.
 */
final class ProtocolHeaderSniffer extends ByteToMessageDecoder {
  static final byte[] SASL_HEADER = {'A', 'M', 'Q', 'P', 3, 1, 0, 0};
  static final byte[] AMQP_HEADER = {'A', 'M', 'Q', 'P', 0, 1, 0, 0};

  private final boolean plainAllowed;
  private final PeerLog peerLog;
  private final String peer;
  private boolean rejected;

  ProtocolHeaderSniffer(boolean plainAllowed, PeerLog peerLog, String peer) {
    this.plainAllowed = plainAllowed;
    this.peerLog = peerLog;
    this.peer = peer;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (rejected) {
      in.skipBytes(in.readableBytes()); // the rest of what the peer sent before it saw the close
      return;
    }
    int n = Math.min(8, in.readableBytes());
    byte[] got = new byte[n];
    in.getBytes(in.readerIndex(), got);
    boolean sasl = prefixOf(got, SASL_HEADER);
    boolean plain = prefixOf(got, AMQP_HEADER);
    if (sasl || plain && plainAllowed) {
      if (n == 8) {
        ctx.pipeline().remove(this); // hands the buffered bytes on, header included
      }
      return;
    }
    String why =
        plain
            ? "AMQP without SASL, but anonymous access is off (amqpAnonymousEnable=false, or"
                + " aclEnable=true without amqpGuestUser)"
            : "unsupported protocol header " + describe(got);
    peerLog.warn(peer, why + "; answered with AMQP 3 1.0.0 and closed");
    rejected = true;
    in.skipBytes(in.readableBytes());
    GracefulClose.afterWrite(ctx.channel(), ctx.writeAndFlush(Unpooled.wrappedBuffer(SASL_HEADER)));
  }

  private static boolean prefixOf(byte[] got, byte[] header) {
    for (int i = 0; i < got.length; i++) {
      if (got[i] != header[i]) {
        return false;
      }
    }
    return true;
  }

  /** Printable characters as they are, others as \xNN. */
  static String describe(byte[] b) {
    StringBuilder s = new StringBuilder("'");
    for (byte x : b) {
      if (x >= 0x20 && x < 0x7f) {
        s.append((char) x);
      } else {
        s.append(String.format("\\x%02x", x & 0xff));
      }
    }
    return s.append('\'').toString();
  }

  @Override
  public String toString() {
    return new String(SASL_HEADER, StandardCharsets.ISO_8859_1);
  }
}
