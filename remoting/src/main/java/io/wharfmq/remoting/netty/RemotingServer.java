package io.wharfmq.remoting.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.wharfmq.remoting.protocol.ResponseSerializeType;
import io.wharfmq.tls.ServerTls;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remoting server on one TCP port (Netty NIO). Register processors and set {@link #tls} before
 * {@link #start}. Connections idle for the configured time are closed. Thread-safe.
 */
public final class RemotingServer extends RemotingEndpoint {
  private static final Logger log = LoggerFactory.getLogger(RemotingServer.class);

  private final String name;
  private final String host;
  private final int port;
  private final int maxFrameLength;
  private final int idleSeconds;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel serverChannel;
  private ServerTls tls;

  /**
   * @param name used in thread names and logs ("namesrv", "broker")
   * @param port 0 for any free port
   * @param responseSerializeType the header format of responses
   */
  public RemotingServer(
      String name,
      String host,
      int port,
      int maxFrameLength,
      int idleSeconds,
      ResponseSerializeType responseSerializeType) {
    super(name, responseSerializeType);
    this.name = name;
    this.host = host;
    this.port = port;
    this.maxFrameLength = maxFrameLength;
    this.idleSeconds = idleSeconds;
  }

  /**
   * Serves TLS as {@code tls} says (PERMISSIVE: TLS and plain text; ENFORCING: TLS only); without
   * it, plain text only. Set before {@link #start}.
   */
  public RemotingServer tls(ServerTls tls) {
    this.tls = tls;
    return this;
  }

  public void start() throws InterruptedException {
    boss = Transports.group(1, new NamedThreadFactory(name + "-accept"));
    workers = Transports.group(0, new NamedThreadFactory(name + "-io"));
    Handler handler = new Handler();
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(Transports.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                      ch.pipeline().addLast(tls.newSniffer(RemotingServer.this::refusedTls));
                    }
                    // Responses come from processor and store threads, often several per
                    // connection at once (pipelining clients, group commits): one flush, one
                    // write syscall for all that are queued on the event loop.
                    ch.pipeline()
                        .addLast(new FlushConsolidationHandler(256, true))
                        // Reader idle: a client that has sent nothing (not even its 30 s
                        // heartbeat) for idleSeconds is gone. Watching writes too would hang a
                        // listener on every response.
                        .addLast(new IdleStateHandler(idleSeconds, 0, 0, TimeUnit.SECONDS))
                        .addLast(new RemotingFrameCodec.Decoder(maxFrameLength))
                        .addLast(new RemotingFrameCodec.Encoder())
                        .addLast(handler);
                  }
                });
    serverChannel = b.bind(host, port).sync().channel();
    long window = warningLimiter().windowMillis();
    boss.scheduleAtFixedRate(this::reportSuppressedWarnings, window, window, TimeUnit.MILLISECONDS);
    log.info(
        "{} listening on {} ({} transport{})",
        name,
        addressString(serverChannel.localAddress()),
        Transports.name(),
        tls == null ? "" : ", " + tls);
  }

  private void refusedTls(SocketAddress peer, String reason) {
    peerWarning(peer, "{}: closing connection from {}: {}", role(), addressString(peer), reason);
  }

  /** The bound port (useful when started with port 0). */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Stops accepting, closes every connection and the event loops. */
  public void shutdown() {
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly();
    }
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }
}
