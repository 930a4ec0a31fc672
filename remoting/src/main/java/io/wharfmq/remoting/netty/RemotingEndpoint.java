package io.wharfmq.remoting.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.ResponseSerializeType;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What servers and clients share: request dispatch to processors by code, matching responses to
 * calls by opaque, and closing connections that send garbage. A request whose code has no processor
 * gets REQUEST_CODE_NOT_SUPPORTED; a processor that throws gets SYSTEM_ERROR; a full executor gets
 * SYSTEM_BUSY. Thread-safe.
 */
public abstract class RemotingEndpoint {
  private static final Logger log = LoggerFactory.getLogger(RemotingEndpoint.class);
  private static final AttributeKey<RemotingChannel> WRAPPER =
      AttributeKey.valueOf("wharf.channel");

  private record Registration(RequestProcessor processor, Executor executor) {}

  private record Pending(Channel channel, CompletableFuture<RemotingCommand> future) {}

  private final Map<Integer, Registration> processors = new ConcurrentHashMap<>();
  private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<ChannelEventListener> listeners = new CopyOnWriteArrayList<>();
  private final String role;
  private final ResponseSerializeType responseSerializeType;
  private volatile PeerWarningLimiter warnings = PeerWarningLimiter.defaults();
  private volatile RequestGuard guard;

  /**
   * @param responseSerializeType the header format responses to the peer's requests are sent in
   */
  protected RemotingEndpoint(String role, ResponseSerializeType responseSerializeType) {
    this.role = role;
    this.responseSerializeType = responseSerializeType;
  }

  /**
   * Serves requests of {@code code} with {@code processor} on {@code executor}. A processor that
   * never blocks may pass {@code Runnable::run} to run on the I/O thread itself.
   */
  public void registerProcessor(int code, RequestProcessor processor, Executor executor) {
    processors.put(code, new Registration(processor, executor));
  }

  /** Checks every request before its processor (set before serving; null: none). */
  public void requestGuard(RequestGuard g) {
    this.guard = g;
  }

  public void addChannelEventListener(ChannelEventListener listener) {
    listeners.add(listener);
  }

  /**
   * Replaces the rate limit of warnings peers cause (garbage frames, unknown request codes); the
   * default is {@link PeerWarningLimiter#defaults()}. Set it before serving.
   */
  public void warningLimiter(PeerWarningLimiter limiter) {
    this.warnings = limiter;
  }

  PeerWarningLimiter warningLimiter() {
    return warnings;
  }

  /**
   * Logs one line per peer whose warnings were held back and whose limit has since lifted, with the
   * count; returns how many lines it wrote. Servers run it once per limiter window.
   */
  public int reportSuppressedWarnings() {
    int lines = 0;
    PeerWarningLimiter limiter = warnings;
    for (PeerWarningLimiter.Suppressed s : limiter.drainSuppressed()) {
      log.warn(
          "{}: {} more warnings about {} were suppressed (at most {} per peer and {} in all per {} s)",
          role,
          s.count(),
          s.peer(),
          limiter.perPeer(),
          limiter.overall(),
          limiter.windowMillis() / 1000);
      lines++;
    }
    return lines;
  }

  /**
   * Writes a warning a peer caused, unless that peer (or all peers together) already caused too
   * many in this window; mentions how many were held back before it.
   */
  void peerWarning(SocketAddress peer, String format, Object... args) {
    long held = warnings.admit(hostString(peer));
    if (held < 0) {
      return;
    }
    if (held > 0) {
      log.warn(format + " ({} earlier warnings about this peer suppressed)", append(args, held));
    } else {
      log.warn(format, args);
    }
  }

  private static Object[] append(Object[] args, Object last) {
    Object[] out = java.util.Arrays.copyOf(args, args.length + 1);
    out[args.length] = last;
    return out;
  }

  static String hostString(SocketAddress address) {
    if (address instanceof InetSocketAddress isa && isa.getAddress() != null) {
      return isa.getAddress().getHostAddress();
    }
    return String.valueOf(address);
  }

  static String addressString(SocketAddress address) {
    if (address instanceof InetSocketAddress isa) {
      return isa.getAddress().getHostAddress() + ":" + isa.getPort();
    }
    return String.valueOf(address);
  }

  String role() {
    return role;
  }

  RemotingChannel wrap(Channel channel) {
    RemotingChannel w = channel.attr(WRAPPER).get();
    if (w == null) {
      w = new RemotingChannel(channel, this);
      RemotingChannel existing = channel.attr(WRAPPER).setIfAbsent(w);
      if (existing != null) {
        w = existing;
      }
    }
    return w;
  }

  CompletableFuture<RemotingCommand> invoke(
      Channel channel, RemotingCommand request, long timeoutMillis) {
    CompletableFuture<RemotingCommand> future = new CompletableFuture<>();
    int opaque = request.opaque();
    pending.put(opaque, new Pending(channel, future));
    future.whenComplete((r, e) -> pending.remove(opaque));
    future.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
    channel
        .writeAndFlush(request)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                future.completeExceptionally(
                    new RemotingException(
                        "send to " + addressString(channel.remoteAddress()) + " failed",
                        f.cause()));
              }
            });
    return future;
  }

  /** Unwraps a timeout into a readable message. */
  static RemotingException describe(Throwable e, String address, long timeoutMillis) {
    Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
    if (cause instanceof TimeoutException) {
      return new RemotingException(
          "no response from " + address + " within " + timeoutMillis + " ms");
    }
    if (cause instanceof RemotingException re) {
      return re;
    }
    return new RemotingException("call to " + address + " failed: " + cause, cause);
  }

  /** The pipeline's last handler. */
  @ChannelHandler.Sharable
  final class Handler extends SimpleChannelInboundHandler<RemotingCommand> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RemotingCommand cmd) {
      if (cmd.isResponse()) {
        Pending p = pending.get(cmd.opaque());
        if (p == null) {
          log.debug(
              "{}: response {} from {} matches no call (timed out?)",
              role,
              cmd.opaque(),
              ctx.channel().remoteAddress());
        } else {
          p.future().complete(cmd);
        }
        return;
      }
      dispatch(ctx.channel(), cmd);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Channel ch = ctx.channel();
      for (Pending p : pending.values()) {
        if (p.channel() == ch) {
          p.future()
              .completeExceptionally(
                  new RemotingException(
                      "connection to " + addressString(ch.remoteAddress()) + " closed"));
        }
      }
      RemotingChannel w = wrap(ch);
      for (ChannelEventListener l : listeners) {
        try {
          l.onClose(w);
        } catch (RuntimeException e) {
          log.warn("{}: close listener failed", role, e);
        }
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        log.info(
            "{}: closing idle connection {}", role, addressString(ctx.channel().remoteAddress()));
        ctx.close();
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      SocketAddress remote = ctx.channel().remoteAddress();
      String peer = addressString(remote);
      if (cause instanceof TooLongFrameException) {
        peerWarning(
            remote,
            "{}: closing connection from {}: frame too large ({})",
            role,
            peer,
            cause.getMessage());
      } else if (cause instanceof io.netty.handler.codec.DecoderException
          && cause.getCause() instanceof javax.net.ssl.SSLException tls) {
        peerWarning(
            remote,
            "{}: closing connection with {}: TLS failed ({})",
            role,
            peer,
            tls.getMessage());
      } else if (cause instanceof io.netty.handler.codec.DecoderException) {
        peerWarning(
            remote,
            "{}: closing connection from {}: malformed frame ({})",
            role,
            peer,
            cause.getMessage());
      } else if (cause instanceof java.io.IOException) {
        log.debug("{}: connection from {} failed: {}", role, peer, cause.toString());
      } else {
        log.warn("{}: closing connection from {} after an error", role, peer, cause);
      }
      ctx.close();
    }
  }

  private void dispatch(Channel channel, RemotingCommand request) {
    request.replySerializeType(responseSerializeType.forRequest(request));
    Registration reg = processors.get(request.code());
    RemotingChannel rc = wrap(channel);
    if (reg == null) {
      peerWarning(
          channel.remoteAddress(),
          "{}: request code {} from {} is not supported",
          role,
          request.code(),
          rc.remoteAddress());
      if (!request.isOneway()) {
        rc.writeResponse(
            RemotingCommand.responseTo(
                request,
                ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
                " request type " + request.code() + " not supported"));
      }
      return;
    }
    if (reg.processor().runsOnIoThread(request)) {
      run(reg.processor(), rc, request);
      return;
    }
    try {
      reg.executor().execute(() -> run(reg.processor(), rc, request));
    } catch (RejectedExecutionException e) {
      peerWarning(
          channel.remoteAddress(),
          "{}: too many requests, code {} from {} rejected",
          role,
          request.code(),
          rc.remoteAddress());
      if (!request.isOneway()) {
        rc.writeResponse(
            RemotingCommand.responseTo(
                request, ResponseCode.SYSTEM_BUSY, "[OVERLOAD] system busy, try later"));
      }
    }
  }

  private void run(RequestProcessor processor, RemotingChannel rc, RemotingCommand request) {
    RemotingCommand response;
    try {
      RequestGuard g = guard;
      RequestGuard.Refusal refusal = g == null ? null : g.check(rc, request);
      if (refusal != null) {
        refuse(rc, request, refusal);
        return;
      }
      response = processor.process(rc, request);
    } catch (io.wharfmq.remoting.protocol.Headers.BadRequestException e) {
      peerWarning(
          rc.remoteSocketAddress(),
          "{}: bad request code {} from {}: {}",
          role,
          request.code(),
          rc.remoteAddress(),
          e.getMessage());
      response = RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, e.getMessage());
    } catch (Exception | Error e) {
      log.warn(
          "{}: processing code {} from {} failed", role, request.code(), rc.remoteAddress(), e);
      response = RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, e.toString());
    }
    if (response != null && !request.isOneway()) {
      response.opaque(request.opaque()).flag(response.flag() | RemotingCommand.FLAG_RESPONSE);
      rc.writeResponse(response);
    }
  }

  private static void refuse(
      RemotingChannel rc, RemotingCommand request, RequestGuard.Refusal refusal) {
    if (request.isOneway()) {
      return;
    }
    RemotingCommand response = refusal.response();
    response.opaque(request.opaque()).flag(response.flag() | RemotingCommand.FLAG_RESPONSE);
    if (refusal.delayMillis() <= 0) {
      rc.writeResponse(response);
    } else {
      rc.nettyChannel()
          .eventLoop()
          .schedule(() -> rc.writeResponse(response), refusal.delayMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
