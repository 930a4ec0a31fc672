package io.wharfmq.amqp.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.wharfmq.amqp.sasl.SaslAuthenticator;
import io.wharfmq.security.AccessControl;
import io.wharfmq.security.Action;
import io.wharfmq.security.Resource;
import io.wharfmq.security.Verdict;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.MessagingService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.transport.AmqpError;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Collector;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.engine.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP connection: a proton-j Connection, Transport and Collector driven by the Netty channel's
 * event loop. Bytes in go to the transport, the engine's events go to the sessions ({@link
 * SessionEvents}), the {@link LinkAttacher} (attaches) and each link's {@link LinkEndpoint} (flow,
 * deliveries, detach), and whatever the engine produced is written out after each step. Owned by
 * the channel's event loop: every method runs there (other threads come in through {@link
 * #executor()}).
 *
 * <p>Back-pressure: output is taken from the engine only while the channel is writable (its write
 * buffer under amqpWriteBufferHighWaterMark), links are told to wait ({@link #writable()}, {@link
 * #whenWritable}) while it is not or while the engine holds that many message bytes, and the peer
 * is not read from until it has read enough of Wharf's output (docs/amqp.md).
 */
final class AmqpConnection extends ChannelInboundHandlerAdapter implements AmqpSession {
  private static final Logger log = LoggerFactory.getLogger(AmqpConnection.class);
  private static final Verdict ALLOWED = Verdict.allow("access control off");

  private final ListenerContext ctx;
  private final String connectionId;
  private final boolean overConnectionLimit;
  private final Transport transport;
  private final Connection connection;
  private final Collector collector;
  private SaslAuthenticator authenticator;
  private final Sasl sasl;
  private final SessionEvents sessions;
  private final List<Runnable> onClose = new ArrayList<>();
  private final Executor executor;

  private Channel channel;
  private String peer = "?";
  private String vhost = OpenHandshake.DEFAULT_VHOST;
  private String containerId;
  private boolean containerClaimed;
  private boolean openReceived;
  private boolean openPending;
  private boolean inputClosed;
  private boolean headClosed;
  private boolean gone;
  private ChannelFuture lastWrite;
  private boolean flushQueued;
  private ScheduledFuture<?> tick;
  private ScheduledFuture<?> openTimer;
  private final ArrayDeque<Runnable> writableWaiters = new ArrayDeque<>();
  private boolean resumeScheduled;
  private boolean abandonScheduled;
  private long bufferedPeak;

  AmqpConnection(ListenerContext ctx, String connectionId, boolean overConnectionLimit) {
    this.ctx = ctx;
    this.connectionId = connectionId;
    this.overConnectionLimit = overConnectionLimit;
    AmqpConfig config = ctx.config();
    this.sessions = new SessionEvents(ctx, this, this::openCameFirst);
    this.executor =
        task ->
            channel
                .eventLoop()
                .execute(
                    () -> {
                      try {
                        task.run();
                      } catch (RuntimeException e) {
                        log.error("AMQP connection {} ({}): task failed", connectionId, peer, e);
                      }
                      afterWork();
                    });
    transport = Proton.transport();
    transport.setMaxFrameSize(config.amqpMaxFrameSize());
    transport.setChannelMax(config.amqpMaxSessionsPerConnection() - 1);
    transport.setIdleTimeout(config.amqpIdleTimeoutMs());
    sasl = transport.sasl();
    sasl.server();
    sasl.allowSkip(ctx.sasl().anonymousAllowed());
    connection = Proton.connection();
    collector = Proton.collector();
    connection.collect(collector);
    connection.setContext(this);
    transport.bind(connection);
  }

  // ------------------------------------------------------------------ AmqpSession

  @Override
  public String containerId() {
    return containerId;
  }

  @Override
  public String vhost() {
    return vhost;
  }

  @Override
  public String user() {
    return authenticator == null ? null : authenticator.user();
  }

  @Override
  public Verdict authorize(Resource resource, Action action) {
    AccessControl access = ctx.access();
    if (!access.enabled()) {
      return ALLOWED;
    }
    String who = user() != null ? user() : ctx.guestUser();
    Verdict v = access.registry().authorize(who, resource, action, peerAddress());
    if (!v.allowed()) {
      ctx.peerLog()
          .warn(
              peer,
              actor() + " refused " + action.display() + " on " + resource + ": " + v.reason());
    }
    return v;
  }

  /** Who acts, for log lines: "user 'NAME'" or "anonymous peer (guest 'NAME')". */
  private String actor() {
    return user() != null
        ? "user '" + user() + "'"
        : "anonymous peer (guest '" + ctx.guestUser() + "')";
  }

  private InetAddress peerAddress() {
    return channel != null && channel.remoteAddress() instanceof InetSocketAddress a
        ? a.getAddress()
        : null;
  }

  @Override
  public String peer() {
    return peer;
  }

  @Override
  public String connectionId() {
    return connectionId;
  }

  @Override
  public MessagingService service() {
    return ctx.service();
  }

  @Override
  public Executor executor() {
    return executor;
  }

  @Override
  public void onClose(Runnable action) {
    if (gone) {
      action.run();
    } else {
      onClose.add(action);
    }
  }

  @Override
  public boolean writable() {
    return channel.isWritable() && heldByEngine() < ctx.config().amqpWriteBufferHighWaterMark();
  }

  @Override
  public void whenWritable(Runnable action) {
    if (!gone) {
      writableWaiters.add(action);
    }
  }

  // ------------------------------------------------------------------ Netty

  @Override
  public void channelActive(ChannelHandlerContext c) throws Exception {
    channel = c.channel();
    peer = String.valueOf(channel.remoteAddress()).replaceFirst("^/", "");
    AmqpConfig config = ctx.config();
    InetAddress from = peerAddress();
    authenticator =
        new SaslAuthenticator(
            ctx.sasl(),
            executor,
            (millis, task) -> {
              if (millis <= 0) {
                executor.execute(task);
              } else {
                channel
                    .eventLoop()
                    .schedule(() -> executor.execute(task), millis, TimeUnit.MILLISECONDS);
              }
            },
            peer,
            from == null ? peer : from.getHostAddress());
    sasl.setMechanisms(authenticator.mechanisms());
    sasl.setListener(authenticator);
    int openTimeout = config.amqpOpenTimeoutMs();
    if (openTimeout > 0) {
      openTimer =
          channel.eventLoop().schedule(this::openTimedOut, openTimeout, TimeUnit.MILLISECONDS);
    }
    tick();
    super.channelActive(c);
  }

  /**
   * Whether the peer may open a connection to vhost {@code v}: any permission on {@code Vhost:v}
   * lets it in (RabbitMQ asks for access to the vhost the same way; docs/security.md).
   */
  private boolean mayUseVhost(String v) {
    String who = user() != null ? user() : ctx.guestUser();
    Resource r = Resource.vhost(v);
    String reason = null;
    for (Action a : Action.values()) {
      Verdict verdict = ctx.access().registry().authorize(who, r, a, peerAddress());
      if (verdict.allowed()) {
        return true;
      }
      reason = reason == null ? verdict.reason() : reason;
    }
    ctx.peerLog().warn(peer, "refused: " + actor() + " may not use vhost '" + v + "': " + reason);
    return false;
  }

  /** The peer did not finish its header, SASL and open in amqpOpenTimeoutMs: closed. */
  private void openTimedOut() {
    openTimer = null;
    if (openReceived || gone || !channel.isActive()) {
      return;
    }
    String stage =
        channel.pipeline().get(ProtocolHeaderSniffer.class) != null
            ? "no complete protocol header"
            : sasl.getOutcome() == Sasl.SaslOutcome.PN_SASL_NONE
                    && sasl.getState() == Sasl.SaslState.PN_SASL_STEP
                ? "SASL not finished and no open frame"
                : "no open frame";
    ctx.peerLog()
        .warn(
            peer,
            stage
                + " within amqpOpenTimeoutMs="
                + ctx.config().amqpOpenTimeoutMs()
                + " ms of connecting; socket closed");
    headClosed = true;
    transportGone();
    channel.close();
  }

  /**
   * The socket's writability changed: while the peer does not read what Wharf wrote, Wharf does not
   * read what it sends either (a peer that sends and never reads cannot make Wharf buffer answers
   * without end); once it reads again, the engine's output and the waiting links resume.
   */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext c) throws Exception {
    boolean writable = channel.isWritable();
    channel.config().setAutoRead(writable);
    if (writable && !resumeScheduled) {
      // Not at once: this can fire inside our own flush, while Netty writes to the socket.
      resumeScheduled = true;
      channel
          .eventLoop()
          .execute(
              () -> {
                resumeScheduled = false;
                afterWork();
              });
    } else if (!writable) {
      log.debug("AMQP connection {} ({}): peer is not reading; output paused", connectionId, peer);
    }
    super.channelWritabilityChanged(c);
  }

  @Override
  public void channelRead(ChannelHandlerContext c, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    try {
      while (buf.isReadable() && !inputClosed) {
        int capacity = transport.capacity();
        if (capacity <= 0) {
          inputClosed = capacity < 0;
          break;
        }
        ByteBuffer tail = transport.tail();
        int n = Math.min(Math.min(capacity, tail.remaining()), buf.readableBytes());
        int limit = tail.limit();
        tail.limit(tail.position() + n);
        buf.readBytes(tail);
        tail.limit(limit);
        process();
        dispatchEvents();
      }
    } finally {
      buf.release();
    }
    if (tick == null) {
      tick(); // the open may have brought the peer's idle timeout
    }
  }

  /** Netty read what the socket had (one or more channelRead calls): one write for all of it. */
  @Override
  public void channelReadComplete(ChannelHandlerContext c) throws Exception {
    flush();
    super.channelReadComplete(c);
  }

  private void process() {
    try {
      transport.process();
    } catch (TransportException e) {
      // proton-j stopped reading; it wrote a close frame with the reason if it still could.
      inputClosed = true;
      ctx.peerLog().warn(peer, "bad input (" + e.getMessage() + "); connection closed");
    } catch (RuntimeException e) {
      inputClosed = true;
      if (thrownByDecoder(e)) {
        // proton-j's decoder ran off the end of a frame or met a type it cannot read in it.
        closeWithError(
            new ErrorCondition(AmqpError.DECODE_ERROR, "malformed frame: " + e),
            "malformed frame (" + e + "); closed with amqp:decode-error");
      } else {
        // A frame proton-j decoded but could not apply (a transfer on a handle never attached,
        // a begin answering a channel never used, ...): a protocol violation by the peer.
        closeWithError(
            new ErrorCondition(AmqpError.ILLEGAL_STATE, "frame not allowed here: " + e),
            "protocol violation (" + e + "); closed with amqp:illegal-state");
      }
    }
  }

  /** Whether the first proton-j frame of the stack is its codec's: a decoding failure. */
  static boolean thrownByDecoder(Throwable e) {
    for (StackTraceElement f : e.getStackTrace()) {
      if (f.getClassName().startsWith("org.apache.qpid.proton.")) {
        return f.getClassName().startsWith("org.apache.qpid.proton.codec.");
      }
    }
    return false;
  }

  @Override
  public void channelInactive(ChannelHandlerContext c) throws Exception {
    if (tick != null) {
      tick.cancel(false);
    }
    cancelOpenTimer();
    transportGone();
    super.channelInactive(c);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    if (cause instanceof IOException) {
      log.debug("AMQP peer {}: {}", peer, cause.toString());
    } else {
      log.warn("AMQP peer {}: connection failed", peer, cause);
    }
    c.close();
  }

  // ------------------------------------------------------------------ engine events

  private void dispatchEvents() {
    Event e;
    while (!openPending && (e = collector.peek()) != null) {
      try {
        dispatch(e);
      } catch (RuntimeException ex) {
        log.error(
            "AMQP connection {} ({}): handling {} failed", connectionId, peer, e.getType(), ex);
        closeWithError(
            new ErrorCondition(AmqpError.INTERNAL_ERROR, "internal error: " + ex),
            "internal error handling " + e.getType());
      }
      collector.pop();
    }
  }

  private void dispatch(Event e) {
    switch (e.getType()) {
      case CONNECTION_REMOTE_OPEN -> onRemoteOpen();
      case CONNECTION_REMOTE_CLOSE -> onRemoteClose();
      case SESSION_REMOTE_OPEN -> sessions.onSessionOpen(e.getSession());
      case SESSION_REMOTE_CLOSE -> sessions.onSessionClose(e.getSession());
      case LINK_REMOTE_OPEN -> sessions.onLinkAttach(e.getLink());
      case LINK_REMOTE_DETACH -> sessions.onLinkDetach(e.getLink(), false);
      case LINK_REMOTE_CLOSE -> sessions.onLinkDetach(e.getLink(), true);
      case LINK_LOCAL_DETACH -> sessions.onLocalDetach(e.getLink());
      case LINK_FLOW -> sessions.onFlow(e.getLink());
      case DELIVERY -> sessions.onDelivery(e.getDelivery());
      case TRANSPORT_ERROR -> {
        ErrorCondition c = transport.getCondition();
        ctx.peerLog()
            .warn(
                peer,
                "bad input: "
                    + (c == null ? "?" : c.getCondition() + " " + c.getDescription())
                    + "; closed with that error");
        inputClosed = true;
        transportGone();
      }
      default -> {}
    }
  }

  private void cancelOpenTimer() {
    if (openTimer != null) {
      openTimer.cancel(false);
      openTimer = null;
    }
  }

  private void onRemoteOpen() {
    openReceived = true;
    cancelOpenTimer();
    containerId = connection.getRemoteContainer();
    String id = ctx.containerId();
    if (overConnectionLimit) {
      ctx.peerLog()
          .warn(peer, "refused: amqpMaxConnections=" + ctx.config().amqpMaxConnections() + " open");
      OpenHandshake.refuse(
          connection,
          id,
          new ErrorCondition(
              AmqpError.RESOURCE_LIMIT_EXCEEDED,
              "too many connections (amqpMaxConnections="
                  + ctx.config().amqpMaxConnections()
                  + ")"));
      return;
    }
    String host = connection.getRemoteHostname();
    String v = OpenHandshake.vhost(host);
    if (v == null) {
      String problem =
          DestinationNames.vhostProblem(host.substring(OpenHandshake.VHOST_PREFIX.length()));
      ctx.peerLog()
          .warn(peer, "refused: illegal vhost in open hostname '" + host + "': " + problem);
      ErrorCondition bad =
          new ErrorCondition(
              AmqpError.INVALID_FIELD, "hostname '" + host + "': illegal vhost: " + problem);
      bad.setInfo(Map.of(OpenHandshake.INVALID_FIELD, OpenHandshake.HOSTNAME));
      OpenHandshake.refuse(connection, id, bad);
      return;
    }
    MessagingService service = ctx.service();
    if (v.equals(OpenHandshake.DEFAULT_VHOST) || service == null) {
      finishOpen(v);
      return;
    }
    // Whether the vhost exists is the service's to say, and its vhost methods may block: ask on its
    // own threads. Until the answer, the engine's further events (a pipelined begin, attach) wait
    // in the collector, so they are handled in order once the connection is open or refused.
    openPending = true;
    service
        .administer(() -> service.vhosts().contains(v))
        .whenComplete(
            (exists, failure) ->
                executor.execute(
                    () -> {
                      openPending = false;
                      if (gone) {
                        return;
                      }
                      if (failure != null) {
                        log.warn("AMQP peer {}: looking up vhost '{}' failed", peer, v, failure);
                        OpenHandshake.refuse(
                            connection,
                            id,
                            new ErrorCondition(
                                AmqpError.INTERNAL_ERROR,
                                "cannot look up vhost '" + v + "' now: " + failure));
                      } else if (!exists) {
                        ctx.peerLog().warn(peer, "refused: vhost '" + v + "' does not exist");
                        OpenHandshake.refuse(
                            connection,
                            id,
                            new ErrorCondition(
                                AmqpError.UNAUTHORIZED_ACCESS, "vhost '" + v + "' does not exist"));
                      } else {
                        finishOpen(v);
                      }
                    }));
  }

  /**
   * The rest of an open whose vhost exists: the vhost permission (under access control), the
   * container-id check, then Wharf's open.
   */
  private void finishOpen(String v) {
    String id = ctx.containerId();
    vhost = v;
    if (ctx.access().enabled() && !mayUseVhost(v)) {
      OpenHandshake.refuse(
          connection,
          id,
          new ErrorCondition(
              AmqpError.UNAUTHORIZED_ACCESS,
              (user() != null ? "user '" + user() + "'" : "anonymous access")
                  + " has no permission in vhost '"
                  + v
                  + "'"));
      return;
    }
    if (containerId == null) {
      containerId = "";
    }
    if (!ctx.containers().claim(vhost, containerId, OpenHandshake.desiresSole(connection))) {
      log.info(
          "AMQP peer {}: container-id (ClientID) '{}' refused: in use by another connection",
          peer,
          containerId);
      OpenHandshake.refuseContainerId(connection, containerId, id);
      return;
    }
    containerClaimed = true;
    OpenHandshake.accept(connection, id);
    connection.open();
    log.debug(
        "AMQP connection {} from {} open: container-id '{}', vhost '{}', user {}",
        connectionId,
        peer,
        containerId,
        vhost,
        user());
  }

  private void onRemoteClose() {
    transportGone();
    if (connection.getLocalState() != EndpointState.CLOSED) {
      connection.close();
    }
  }

  /**
   * Whether the connection is open for {@code what}: false (and the connection closed with
   * illegal-state) when the frame came before the open, false too once Wharf is closing.
   */
  private boolean openCameFirst(String what) {
    if (openReceived) {
      return !headClosed && connection.getLocalState() == EndpointState.ACTIVE;
    }
    closeWithError(
        new ErrorCondition(AmqpError.ILLEGAL_STATE, what + " before open"),
        what + " before open; closed with amqp:illegal-state");
    return false;
  }

  // ------------------------------------------------------------------ ending

  /** Closes the connection with {@code condition} (Wharf's open first if none was sent). */
  private void closeWithError(ErrorCondition condition, String logLine) {
    ctx.peerLog().warn(peer, logLine);
    try {
      if (connection.getLocalState() != EndpointState.CLOSED) {
        connection.setCondition(condition);
        connection.close();
      }
    } catch (RuntimeException e) {
      log.debug("AMQP peer {}: closing the engine failed", peer, e);
      channel.close();
    }
    transportGone();
  }

  /** Tells every live link it is gone (once) and runs the close actions. */
  private void transportGone() {
    if (gone) {
      return;
    }
    gone = true;
    writableWaiters.clear();
    sessions.transportGone();
    for (Runnable r : onClose) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.error("AMQP connection {} ({}): close action failed", connectionId, peer, e);
      }
    }
    onClose.clear();
    if (containerClaimed) {
      containerClaimed = false;
      ctx.containers().release(vhost, containerId);
    }
  }

  // ------------------------------------------------------------------ output and time

  /**
   * After work from another thread: the events it caused, then the output. The output is written by
   * a task queued behind the work already waiting for this thread (the answers of one group commit,
   * say), so all of it goes out in one write rather than one write per answer.
   */
  private void afterWork() {
    if (channel.isActive() && !headClosed) {
      dispatchEvents();
      if (!flushQueued) {
        flushQueued = true;
        channel.eventLoop().execute(queuedFlush);
      }
    }
  }

  private final Runnable queuedFlush =
      () -> {
        flushQueued = false;
        if (channel.isActive()) {
          flush();
        }
      };

  /**
   * Writes whatever the engine produced while the channel is writable, wakes the links waiting for
   * room, and closes the socket gracefully once the engine is done.
   */
  void flush() {
    if (headClosed) {
      return;
    }
    noteBuffered();
    boolean wrote = false;
    for (int round = 0; ; round++) {
      wrote |= pullOutput();
      if (headClosed || writableWaiters.isEmpty() || !writable()) {
        break;
      }
      if (round == MAX_WAKE_ROUNDS) {
        // Let other connections on this event loop have a turn; carry on right after them.
        channel.eventLoop().execute(this::afterWork);
        break;
      }
      wakeWaiters();
      dispatchEvents();
      noteBuffered();
    }
    if (wrote) {
      channel.flush();
    }
    if (!headClosed && saslFailed()) {
      headClosed = true; // the outcome is written: nothing more will come on this connection
    }
    if (headClosed) {
      transportGone();
      GracefulClose.afterWrite(
          channel, lastWrite != null ? lastWrite : channel.newSucceededFuture());
    } else if (!channel.isWritable() && closing()) {
      abandonIfStuck();
    }
  }

  /** Rounds of waking links in one flush before the rest waits for the next event-loop turn. */
  static final int MAX_WAKE_ROUNDS = 16;

  /**
   * Moves the engine's output to the channel while it is writable; true when it wrote anything.
   * Sets headClosed when the engine has nothing more to say.
   */
  private boolean pullOutput() {
    boolean wrote = false;
    try {
      while (true) {
        if (!channel.isWritable()) {
          if (!wrote) {
            break;
          }
          channel.flush(); // the socket may take it at once and make the channel writable again
          if (!channel.isWritable()) {
            break;
          }
        }
        int pending = transport.pending();
        if (pending > 0) {
          ByteBuffer head = transport.head();
          int n = head.remaining();
          ByteBuf out = channel.alloc().buffer(n);
          out.writeBytes(head.duplicate());
          transport.pop(n);
          lastWrite = channel.write(out);
          wrote = true;
          continue;
        }
        if (pending < 0) {
          headClosed = true;
        }
        break;
      }
    } catch (RuntimeException e) {
      log.debug("AMQP peer {}: engine output failed", peer, e);
      headClosed = true;
    }
    return wrote;
  }

  private void wakeWaiters() {
    Runnable[] now = writableWaiters.toArray(new Runnable[0]);
    writableWaiters.clear();
    for (Runnable r : now) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.error("AMQP connection {} ({}): resuming a link failed", connectionId, peer, e);
      }
    }
  }

  /** Message bytes the links gave the engine that it has not yet framed. */
  private long heldByEngine() {
    long n = 0;
    for (Session s = connection.sessionHead(null, null); s != null; s = s.next(null, null)) {
      n += s.getOutgoingBytes();
    }
    return n;
  }

  /** Records this connection's buffered bytes in the listener's peak when they pass its own. */
  private void noteBuffered() {
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    long n = heldByEngine() + (out == null ? 0 : out.totalPendingWriteBytes());
    if (n > bufferedPeak) {
      bufferedPeak = n;
      ctx.bufferedPeak().accumulate(n);
    }
  }

  /** Whether the engine is closing the connection (its close frame is, or will be, queued). */
  private boolean closing() {
    return inputClosed || connection.getLocalState() == EndpointState.CLOSED;
  }

  /**
   * Wharf is closing the connection but the peer does not read the output before the close frame:
   * once it has not for {@link GracefulClose#LINGER_MILLIS}, the socket is closed without the rest.
   */
  private void abandonIfStuck() {
    if (abandonScheduled) {
      return;
    }
    abandonScheduled = true;
    channel
        .eventLoop()
        .schedule(
            () -> {
              abandonScheduled = false;
              if (!headClosed && channel.isActive() && !channel.isWritable()) {
                ctx.peerLog()
                    .warn(peer, "closing, but the peer does not read; socket closed at once");
                headClosed = true;
                transportGone();
                channel.close();
              } else {
                afterWork(); // writable again meanwhile: the close frame goes out, or waits anew
              }
            },
            GracefulClose.LINGER_MILLIS,
            TimeUnit.MILLISECONDS);
  }

  private boolean saslFailed() {
    Sasl.SaslOutcome o = sasl.getOutcome();
    return o != Sasl.SaslOutcome.PN_SASL_NONE
        && o != Sasl.SaslOutcome.PN_SASL_OK
        && o != Sasl.SaslOutcome.PN_SASL_SKIPPED
        && transport.pending() == 0;
  }

  /** Drives proton-j's idle timeout: empty frames to the peer, and the close of a silent peer. */
  private void tick() {
    tick = null;
    if (headClosed || !channel.isActive()) {
      return;
    }
    long now = ctx.clock().getAsLong();
    long deadline = transport.tick(now);
    dispatchEvents();
    flush();
    if (deadline != 0 && !headClosed) {
      long delay = Math.max(1, deadline - now);
      tick = channel.eventLoop().schedule(this::tick, delay, TimeUnit.MILLISECONDS);
    }
  }
}
