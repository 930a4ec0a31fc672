package io.wharfmq.amqp.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after its last bytes (a close frame, a protocol header) without losing them:
 * the write side is shut (FIN after the data), the peer's remaining input is read and dropped, and
 * the socket is closed when the peer closes or after {@link #LINGER_MILLIS}. Closing at once while
 * the peer's bytes sit unread would make the kernel reset the connection and could discard the very
 * frame that says why. Stateless.
 */
final class GracefulClose {
  static final long LINGER_MILLIS = 2_000;

  private GracefulClose() {}

  static void afterWrite(Channel ch, ChannelFuture lastWrite) {
    lastWrite.addListener(
        f -> {
          if (ch instanceof DuplexChannel d && ch.isActive() && f.isSuccess()) {
            d.shutdownOutput();
            ch.eventLoop().schedule(() -> ch.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
          } else {
            ch.close();
          }
        });
  }
}
