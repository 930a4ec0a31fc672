package io.wharfmq.remoting.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * Which Netty transport servers and clients use: the native epoll transport on Linux (fewer system
 * calls and less garbage per read and write than the JDK selector, which shows when every message
 * is its own round trip), else NIO. {@code -Dwharf.transport=nio} forces NIO.
 */
final class Transports {
  /** True when the native epoll transport is used. */
  static final boolean EPOLL =
      !"nio".equalsIgnoreCase(System.getProperty("wharf.transport")) && Epoll.isAvailable();

  private Transports() {}

  /** An event loop group of {@code threads} threads (0: Netty's default, twice the cores). */
  static EventLoopGroup group(int threads, ThreadFactory factory) {
    return EPOLL
        ? new EpollEventLoopGroup(threads, factory)
        : new NioEventLoopGroup(threads, factory);
  }

  static Class<? extends ServerChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  static Class<? extends SocketChannel> socketChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** For startup logs. */
  static String name() {
    return EPOLL ? "epoll" : "nio";
  }
}
