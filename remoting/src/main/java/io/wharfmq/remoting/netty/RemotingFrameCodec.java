package io.wharfmq.remoting.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.wharfmq.remoting.codec.FrameLayout;
import io.wharfmq.remoting.codec.MalformedFrameException;
import io.wharfmq.remoting.codec.RemotingCommandCodec;
import io.wharfmq.remoting.protocol.RemotingCommand;
import java.util.List;

/** Netty adapters for {@link RemotingCommandCodec}: one decoder and one encoder per channel. */
final class RemotingFrameCodec {
  private RemotingFrameCodec() {}

  /** Splits the stream into frames (rejecting oversized ones) and decodes each. */
  static final class Decoder extends LengthFieldBasedFrameDecoder {
    Decoder(int maxFrameLength) {
      super(
          maxFrameLength + FrameLayout.LENGTH_FIELD_SIZE,
          0,
          FrameLayout.LENGTH_FIELD_SIZE,
          0,
          FrameLayout.LENGTH_FIELD_SIZE);
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
      ByteBuf frame = (ByteBuf) super.decode(ctx, in);
      if (frame == null) {
        return null;
      }
      try {
        return RemotingCommandCodec.decode(frame).receivedNanos(System.nanoTime());
      } catch (MalformedFrameException e) {
        throw new DecoderException(e.getMessage(), e);
      } finally {
        frame.release();
      }
    }
  }

  /**
   * Room for the frame's length fields and JSON header: a send response (two 32-character ids) is
   * about 290 bytes, a pull response 270, so 256 made nearly every response grow its buffer.
   */
  static final int HEADER_ROOM = 512;

  /** Writes the header (and a byte[] body) in one buffer; a zero-copy body follows as is. */
  static final class Encoder extends MessageToMessageEncoder<RemotingCommand> {
    @Override
    protected void encode(ChannelHandlerContext ctx, RemotingCommand cmd, List<Object> out) {
      ByteBuf header =
          ctx.alloc().ioBuffer(HEADER_ROOM + (cmd.bodyBuffer() == null ? cmd.bodyLength() : 0));
      RemotingCommandCodec.encodeHeader(cmd, header);
      out.add(header);
      if (cmd.bodyBuffer() != null) {
        out.add(cmd.bodyBuffer());
      }
    }
  }
}
