package io.wharfmq.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Decides from a connection's first byte whether it speaks TLS: 0x16 opens a TLS handshake record
 * (RFC 8446 §5.1), and no plain-text frame Wharf serves starts with it (a RocketMQ frame starts
 * with its length's high byte, 0 for frames under 16 MiB; AMQP with 'A'). TLS: an SslHandler takes
 * its place, followed by a handler that turns a failed handshake into one report and a close. Plain
 * text: in PERMISSIVE mode it steps aside, in ENFORCING mode the connection is closed. The bytes
 * read so far go on to whatever follows. One per connection, on its event loop.
 */
final class TlsSniffer extends ByteToMessageDecoder {
  private static final int TLS_HANDSHAKE_RECORD = 0x16;

  private final SslContext context;
  private final TlsMode mode;
  private final TlsRefusals refusals;

  TlsSniffer(SslContext context, TlsMode mode, TlsRefusals refusals) {
    this.context = context;
    this.mode = mode;
    this.refusals = refusals;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!in.isReadable()) {
      return;
    }
    if (in.getUnsignedByte(in.readerIndex()) == TLS_HANDSHAKE_RECORD) {
      SslHandler ssl = context.newHandler(ctx.alloc());
      ctx.pipeline().addAfter(ctx.name(), null, new HandshakeFailures(refusals));
      ctx.pipeline().replace(this, "tls", ssl);
    } else if (mode == TlsMode.PERMISSIVE) {
      ctx.pipeline().remove(this);
    } else {
      in.skipBytes(in.readableBytes());
      refusals.refused(ctx.channel().remoteAddress(), "plain text on a TLS-only port");
      ctx.close();
    }
  }

  /**
   * Right after the SslHandler: a failed handshake (an old protocol version, an untrusted client
   * certificate, garbage after the first byte) is reported once with the peer and closes the
   * connection; its exception goes no further, so the protocol handlers do not report it as a
   * malformed frame.
   */
  private static final class HandshakeFailures extends ChannelInboundHandlerAdapter {
    private final TlsRefusals refusals;

    HandshakeFailures(TlsRefusals refusals) {
      this.refusals = refusals;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent e) {
        if (e.isSuccess()) {
          ctx.pipeline().remove(this);
        } else {
          refusals.refused(
              ctx.channel().remoteAddress(),
              "TLS handshake failed: " + TlsProtocols.reason(e.cause()));
          ctx.close();
        }
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
        ctx.close(); // the handshake event reports it
        return;
      }
      ctx.fireExceptionCaught(cause);
    }
  }
}
