package io.wharfmq.remoting.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.wharfmq.remoting.codec.FrameLayout;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseSerializeType;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A remoting client: one connection per remote "host:port", shared by every call to it, created on
 * first use (connect timeout 3 s) and re-created after it closes. Requests from the server over the
 * same connection go to registered processors. Thread-safe.
 */
public final class RemotingClient extends RemotingEndpoint {
  private static final int CONNECT_TIMEOUT_MILLIS = 3000;

  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final Map<String, ChannelFuture> channels = new ConcurrentHashMap<>();
  private volatile Consumer<RemotingCommand> beforeRequest = r -> {};

  public RemotingClient(String name) {
    // The broker's requests to clients are Wharf's own; their answers stay in plain JSON.
    super(name, ResponseSerializeType.JSON);
    this.group = Transports.group(1, new NamedThreadFactory(name + "-io"));
    Handler handler = new Handler();
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(Transports.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new RemotingFrameCodec.Decoder(FrameLayout.DEFAULT_MAX_FRAME_LENGTH))
                        .addLast(new RemotingFrameCodec.Encoder())
                        .addLast(handler);
                  }
                });
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
      ChannelFuture created =
          bootstrap.connect(
              address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
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
    return wrap(f.channel());
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
