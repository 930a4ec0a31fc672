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
 * frame that says why. A peer that does not read gets {@link #WRITE_DEADLINE_MILLIS} for those last
 * bytes, then its socket is closed without them. Stateless.
 */
final class GracefulClose {
  static final long LINGER_MILLIS = 2_000;

  /**
   * How long the last bytes may take to reach the socket: a peer that does not read never lets
   * them, and its connection is then closed without them.
   */
  static final long WRITE_DEADLINE_MILLIS = 10_000;

  private GracefulClose() {}

  static void afterWrite(Channel ch, ChannelFuture lastWrite) {
    if (!lastWrite.isDone()) {
      ch.eventLoop()
          .schedule(
              () -> {
                if (!lastWrite.isDone()) {
                  ch.close();
                }
              },
              WRITE_DEADLINE_MILLIS,
              TimeUnit.MILLISECONDS);
    }
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
