package io.wharfmq.remoting.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.wharfmq.remoting.codec.FrameLayout;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseSerializeType;
import io.wharfmq.tls.ClientTls;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A remoting client: one connection per remote "host:port", shared by every call to it, created on
 * first use (connect timeout 3 s) and re-created after it closes, over TLS if it was made with a
 * {@link ClientTls}. Requests from the server over the same connection go to registered processors.
 * Thread-safe.
 */
public final class RemotingClient extends RemotingEndpoint {
  private static final int CONNECT_TIMEOUT_MILLIS = 3000;

  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final ClientTls tls;
  private final Handler handler = new Handler();
  private final Map<String, ChannelFuture> channels = new ConcurrentHashMap<>();
  private volatile Consumer<RemotingCommand> beforeRequest = r -> {};

  public RemotingClient(String name) {
    this(name, null);
  }

  /** A client whose connections use {@code tls}, or plain text if it is null. */
  public RemotingClient(String name, ClientTls tls) {
    // The broker's requests to clients are Wharf's own; their answers stay in plain JSON.
    super(name, ResponseSerializeType.JSON);
    this.tls = tls;
    this.group = Transports.group(1, new NamedThreadFactory(name + "-io"));
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(Transports.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS);
  }

  /** The pipeline of a connection to {@code host}:{@code port} (TLS checks the host name). */
  private ChannelInitializer<SocketChannel> initializer(String host, int port) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        if (tls != null) {
          ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, port));
        }
        ch.pipeline()
            .addLast(new RemotingFrameCodec.Decoder(FrameLayout.DEFAULT_MAX_FRAME_LENGTH))
            .addLast(new RemotingFrameCodec.Encoder())
            .addLast(handler);
      }
    };
  }

  /**
   * Runs on every request just before it is sent (e.g. {@link
   * io.wharfmq.remoting.protocol.RequestSignature#sign}); set it before the first call.
   */
  public void beforeRequest(Consumer<RemotingCommand> hook) {
    this.beforeRequest = hook;
  }

  /** The connection to {@code address}, opened if needed. */
  public RemotingChannel channel(String address) throws RemotingException {
    ChannelFuture f = channels.get(address);
    if (f == null || (f.isDone() && !f.channel().isActive())) {
      int colon = address.lastIndexOf(':');
      if (colon < 0) {
        throw new RemotingException("address must be host:port: " + address);
      }
      String host = address.substring(0, colon);
      int port = Integer.parseInt(address.substring(colon + 1));
      ChannelFuture created =
          bootstrap.clone().handler(initializer(host, port)).connect(host, port);
      ChannelFuture previous = f;
      if (previous == null
          ? channels.putIfAbsent(address, created) == null
          : channels.replace(address, previous, created)) {
        f = created;
        created.channel().closeFuture().addListener(x -> channels.remove(address, created));
      } else {
        created.channel().close();
        f = channels.get(address);
        if (f == null) {
          return channel(address);
        }
      }
    }
    if (!f.awaitUninterruptibly(CONNECT_TIMEOUT_MILLIS + 500L) || !f.isSuccess()) {
      channels.remove(address, f);
      throw new RemotingException("cannot connect to " + address, f.cause());
    }
    if (tls != null) {
      awaitHandshake(address, f);
    }
    return wrap(f.channel());
  }

  /** Waits for the TLS handshake, so that a refused one fails the call with its reason. */
  private void awaitHandshake(String address, ChannelFuture f) throws RemotingException {
    SslHandler ssl = f.channel().pipeline().get(SslHandler.class);
    if (ssl == null) {
      throw new RemotingException("connection to " + address + " closed during the TLS handshake");
    }
    Future<Channel> handshake = ssl.handshakeFuture();
    if (!handshake.awaitUninterruptibly(ssl.getHandshakeTimeoutMillis() + 500L)
        || !handshake.isSuccess()) {
      channels.remove(address, f);
      f.channel().close();
      Throwable cause = handshake.cause();
      throw new RemotingException(
          "TLS handshake with "
              + address
              + " failed"
              + (cause == null ? " (timed out)" : ": " + cause.getMessage()),
          cause);
    }
  }

  /** Calls and waits for the response. */
  public RemotingCommand invokeSync(String address, RemotingCommand request, long timeoutMillis)
      throws RemotingException, InterruptedException {
    try {
      return invokeAsync(address, request, timeoutMillis).get();
    } catch (ExecutionException e) {
      throw describe(e.getCause(), address, timeoutMillis);
    }
  }

  /** Calls without waiting; the future fails on timeout, send failure or connection close. */
  public CompletableFuture<RemotingCommand> invokeAsync(
      String address, RemotingCommand request, long timeoutMillis) {
    Channel ch;
    try {
      ch = channel(address).nettyChannel();
    } catch (RemotingException e) {
      return CompletableFuture.failedFuture(e);
    }
    beforeRequest.accept(request);
    return invoke(ch, request, timeoutMillis)
        .handle(
            (r, e) -> {
              if (e != null) {
                throw new java.util.concurrent.CompletionException(
                    describe(e, address, timeoutMillis));
              }
              return r;
            });
  }

  /** Sends a request that expects no response. */
  public void invokeOneway(String address, RemotingCommand request) throws RemotingException {
    RemotingChannel ch = channel(address);
    beforeRequest.accept(request);
    ch.invokeOneway(request);
  }

  /** Closes the connection to one address (e.g. after it misbehaved). */
  public void closeChannel(String address) {
    ChannelFuture f = channels.remove(address);
    if (f != null) {
      f.channel().close();
    }
  }

  public void shutdown() {
    for (ChannelFuture f : channels.values()) {
      f.channel().close();
    }
    channels.clear();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
