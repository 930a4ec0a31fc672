package io.wharfmq.remoting.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.wharfmq.remoting.protocol.RemotingCommand;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One connection as processors see it: where it comes from, a way to answer later, and calls in the
 * other direction over the same connection (broker-to-client requests). Thread-safe.
 */
public final class RemotingChannel {
  private final Channel channel;
  private final RemotingEndpoint endpoint;

  RemotingChannel(Channel channel, RemotingEndpoint endpoint) {
    this.channel = channel;
    this.endpoint = endpoint;
  }

  /** The peer's address as "ip:port". */
  public String remoteAddress() {
    return RemotingEndpoint.addressString(channel.remoteAddress());
  }

  public SocketAddress remoteSocketAddress() {
    return channel.remoteAddress();
  }

  public InetSocketAddress localSocketAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  /**
   * The connection's I/O thread as an executor: work handed to it runs in order with the
   * connection's reads and writes, and a response written from it leaves without another hand-off.
   */
  public Executor ioExecutor() {
    return channel.eventLoop();
  }

  public boolean isActive() {
    return channel.isActive();
  }

  /** Sends a response (for requests answered later); ignored if the channel is gone. */
  public void writeResponse(RemotingCommand response) {
    if (channel.isActive()) {
      // A void promise: a failed write is fired down the pipeline (logged there) without a
      // promise and listener per response.
      channel.writeAndFlush(response, channel.voidPromise());
    } else if (response.bodyBuffer() != null) {
      response.bodyBuffer().release();
    }
  }

  /**
   * Sends a response and runs {@code afterWrite} once the bytes left (or could not be sent): used
   * to release store memory that a zero-copy body points into.
   */
  public void writeResponse(RemotingCommand response, Runnable afterWrite) {
    if (!channel.isActive()) {
      if (response.bodyBuffer() != null) {
        response.bodyBuffer().release();
      }
      afterWrite.run();
      return;
    }
    channel.writeAndFlush(response).addListener(f -> afterWrite.run());
  }

  /** A request to the peer that expects no answer. */
  public void invokeOneway(RemotingCommand request) {
    request.markOneway();
    channel.writeAndFlush(request);
  }

  /** A request to the peer; completes with its response or exceptionally on timeout or close. */
  public CompletableFuture<RemotingCommand> invoke(RemotingCommand request, long timeoutMillis) {
    return endpoint.invoke(channel, request, timeoutMillis);
  }

  public void close() {
    channel.close();
  }

  /**
   * Runs {@code action} once when the connection closes (at once if it is closed already); the
   * returned handle unregisters it, for work that ended before the connection did.
   */
  public Runnable onClose(Runnable action) {
    ChannelFutureListener listener = f -> action.run();
    channel.closeFuture().addListener(listener);
    return () -> channel.closeFuture().removeListener(listener);
  }

  Channel nettyChannel() {
    return channel;
  }

  @Override
  public String toString() {
    return remoteAddress();
  }
}
