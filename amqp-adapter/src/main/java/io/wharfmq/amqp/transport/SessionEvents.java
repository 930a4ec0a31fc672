package io.wharfmq.amqp.transport;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Predicate;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.transport.AmqpError;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.LinkError;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session and link events of one connection: sessions and links counted against their limits,
 * every attach handed to the {@link LinkAttacher}, flow, deliveries and detaches handed to the
 * link's {@link LinkEndpoint} (looked up at each event, so an attacher may set it later), incoming
 * transfers checked for credit and size first, and each endpoint told exactly once that its link is
 * over (its detach, or {@link LinkEndpoint#onTransportGone()}). Owned by the connection's thread.
 */
final class SessionEvents {
  private static final Logger log = LoggerFactory.getLogger(SessionEvents.class);

  private final ListenerContext ctx;
  private final AmqpSession session;
  private final Predicate<String> acceptsFrames;
  private final SessionLimits limits;

  /** Links handed to the attacher whose endpoint has not yet been told the link is over. */
  private final Set<Link> attached = new LinkedHashSet<>();

  // Incoming deliveries seen so far: bytes received, bytes the endpoint left unread. Weak: proton-j
  // drops a delivery once settled on both sides, and the entry goes with it.
  private final Map<Delivery, long[]> incoming = new WeakHashMap<>();

  /**
   * @param acceptsFrames whether the connection takes a begin or attach now (named by the
   *     argument); false once it is closing, or (after closing it) when the peer has not opened
   */
  SessionEvents(ListenerContext ctx, AmqpSession session, Predicate<String> acceptsFrames) {
    this.ctx = ctx;
    this.session = session;
    this.acceptsFrames = acceptsFrames;
    this.limits = new SessionLimits(ctx.config());
  }

  void onSessionOpen(Session s) {
    if (!acceptsFrames.test("begin")) {
      return;
    }
    if (!limits.admit(s)) {
      ErrorCondition full =
          new ErrorCondition(
              AmqpError.RESOURCE_LIMIT_EXCEEDED,
              "too many sessions on this connection (amqpMaxSessionsPerConnection="
                  + ctx.config().amqpMaxSessionsPerConnection()
                  + ")");
      s.open();
      s.setCondition(full);
      s.close();
      ctx.peerLog().warn(session.peer(), "session refused: " + full.getDescription());
      return;
    }
    // Room for one whole message per session: a multi-frame transfer must not stall before its
    // endpoint sees it complete.
    long window = ctx.config().amqpMaxMessageSize() + 2L * ctx.config().amqpMaxFrameSize();
    s.setIncomingCapacity((int) Math.min(Integer.MAX_VALUE, window));
    s.open();
  }

  void onSessionClose(Session s) {
    for (Link l : limits.release(s)) {
      gone(l);
    }
    if (s.getLocalState() != EndpointState.CLOSED) {
      s.close();
    }
  }

  void onLinkAttach(Link link) {
    if (!acceptsFrames.test("attach")) {
      return;
    }
    if (!limits.admitted(link.getSession())) {
      refuseLink(link, new ErrorCondition(AmqpError.ILLEGAL_STATE, "the session was refused"));
      return;
    }
    if (!limits.admit(link)) {
      ErrorCondition full =
          new ErrorCondition(
              AmqpError.RESOURCE_LIMIT_EXCEEDED,
              "too many links on this session (amqpMaxLinksPerSession="
                  + ctx.config().amqpMaxLinksPerSession()
                  + ")");
      ctx.peerLog()
          .warn(session.peer(), "link '" + link.getName() + "' refused: " + full.getDescription());
      refuseLink(link, full);
      return;
    }
    if (link instanceof Receiver) {
      link.setMaxMessageSize(UnsignedLong.valueOf(ctx.config().amqpMaxMessageSize()));
    }
    attached.add(link);
    try {
      ctx.attacher().onRemoteAttach(session, link);
    } catch (RuntimeException ex) {
      log.error("AMQP peer {}: attaching link '{}' failed", session.peer(), link.getName(), ex);
      attached.remove(link);
      link.setContext(null);
      refuseLink(link, new ErrorCondition(AmqpError.INTERNAL_ERROR, "attach failed: " + ex));
    }
  }

  private static void refuseLink(Link link, ErrorCondition why) {
    if (link.getLocalState() == EndpointState.UNINITIALIZED) {
      link.setSource(null);
      link.setTarget(null);
      link.open();
    }
    link.setCondition(why);
    link.close();
  }

  void onLinkDetach(Link link, boolean closed) {
    limits.release(link);
    LinkEndpoint le = endpoint(link);
    if (le != null && attached.remove(link)) {
      le.onRemoteDetach(link, closed);
      return;
    }
    attached.remove(link);
    if (link.getLocalState() != EndpointState.CLOSED) {
      if (!closed) {
        link.detach(); // proton-j: detached and then closed locally writes detach(closed=false)
      }
      link.close();
    }
  }

  /**
   * A link was detached here ({@code link.detach()}, which AMQP calls closed=false). proton-j sends
   * the detach but leaves the link open locally, and would hand a later attach of the same name (a
   * durable subscriber coming back) to this spent link, which can never answer it. Closing it
   * locally too sends nothing more (its handle is gone) and lets that attach make a fresh link.
   */
  void onLocalDetach(Link link) {
    if (link.getLocalState() != EndpointState.CLOSED) {
      link.close();
    }
  }

  void onFlow(Link link) {
    LinkEndpoint le = endpoint(link);
    if (le != null && attached.contains(link)) {
      le.onFlow(link);
    }
  }

  void onDelivery(Delivery d) {
    Link link = d.getLink();
    LinkEndpoint le = endpoint(link);
    if (le == null || !attached.contains(link)) {
      if (link instanceof Receiver && !d.isPartial()) {
        d.settle(); // a transfer racing a refusal or detach: dropped, never acknowledged
      }
      return;
    }
    if (link instanceof Receiver r && !guardIncoming(r, d, le)) {
      return;
    }
    le.onDelivery(d);
    long[] seen = incoming.get(d);
    if (seen != null) {
      seen[1] = d.available(); // what the endpoint left unread counts once
    }
  }

  /**
   * Checks an incoming transfer before its endpoint sees it: the peer had credit for a new
   * delivery, and the message so far is within amqpMaxMessageSize. A violation detaches the link
   * with the error AMQP 1.0 names (section 2.6.7 transfer-limit-exceeded, 2.7.3
   * message-size-exceeded).
   */
  private boolean guardIncoming(Receiver r, Delivery d, LinkEndpoint le) {
    long[] seen = incoming.get(d);
    if (seen == null) {
      seen = new long[2];
      incoming.put(d, seen);
      // proton-j counts a delivery as queued once its first transfer arrives, and takes the
      // credit back when the endpoint advances past it: below zero, the peer had none.
      if (r.getRemoteCredit() < 0) {
        le.onRefused(d);
        detachForViolation(
            r,
            new ErrorCondition(LinkError.TRANSFER_LIMIT_EXCEEDED, "transfer without link credit"));
        return false;
      }
    }
    seen[0] += d.available() - seen[1];
    if (seen[0] > ctx.config().amqpMaxMessageSize()) {
      le.onRefused(d);
      detachForViolation(
          r,
          new ErrorCondition(
              LinkError.MESSAGE_SIZE_EXCEEDED,
              "message larger than amqpMaxMessageSize="
                  + ctx.config().amqpMaxMessageSize()
                  + " bytes"));
      return false;
    }
    return true;
  }

  private void detachForViolation(Link link, ErrorCondition why) {
    ctx.peerLog()
        .warn(
            session.peer(),
            "link '"
                + link.getName()
                + "' detached: "
                + why.getCondition()
                + " ("
                + why.getDescription()
                + ")");
    gone(link);
    link.setCondition(why);
    link.close();
  }

  /** The connection is over: every endpoint not yet told learns that its link is gone. */
  void transportGone() {
    for (Link l : new ArrayList<>(attached)) {
      gone(l);
    }
    attached.clear();
    incoming.clear();
  }

  private void gone(Link l) {
    if (!attached.remove(l)) {
      return;
    }
    LinkEndpoint le = endpoint(l);
    if (le != null) {
      try {
        le.onTransportGone();
      } catch (RuntimeException e) {
        log.error(
            "AMQP connection {} ({}): link '{}' release failed",
            session.connectionId(),
            session.peer(),
            l.getName(),
            e);
      }
    }
  }

  private static LinkEndpoint endpoint(Link link) {
    return link.getContext() instanceof LinkEndpoint le ? le : null;
  }
}
