package io.wharfmq.amqp.link;

import io.wharfmq.amqp.management.ManagementCodec;
import io.wharfmq.amqp.management.ManagementRequest;
import io.wharfmq.amqp.management.ManagementRequests;
import io.wharfmq.amqp.management.ManagementResponse;
import io.wharfmq.amqp.transport.AmqpSession;
import io.wharfmq.amqp.transport.LinkEndpoint;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.transport.AmqpError;
import org.apache.qpid.proton.amqp.transport.ReceiverSettleMode;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One half of a /management link pair (docs/rabbitmq.md, "The /management node"; OASIS Link Pair
 * CS01): the peer's sender (requests, pre-settled, {@value #CREDIT} credits at a time) and its
 * receiver (responses) share a link name. Each request runs through {@link
 * ConnectionLinks#administer} on the service's threads, in the order they came, and its response
 * goes out on the paired link as credit allows. Owned by the connection's thread.
 */
final class ManagementLink implements LinkEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementLink.class);

  static final String ADDRESS = "/management";
  static final int CREDIT = 8;
  static final Symbol PAIRED = Symbol.valueOf("paired");

  /** The two links of one pair and the responses waiting for credit. */
  static final class Pair {
    Receiver requests;
    Sender responses;
    final ArrayDeque<byte[]> waiting = new ArrayDeque<>();
    long tags;
    boolean ended;
  }

  private final AmqpSession session;
  private final ConnectionLinks conn;
  private final ManagementRequests node;
  private final Pair pair;
  private final Link link;
  private byte[] buffer = new byte[0];
  private int buffered;

  private ManagementLink(
      AmqpSession session, ConnectionLinks conn, ManagementRequests node, Pair pair, Link link) {
    this.session = session;
    this.conn = conn;
    this.node = node;
    this.pair = pair;
    this.link = link;
  }

  /** Whether an attach is for the /management node. */
  static boolean addressed(Link link) {
    if (link instanceof Receiver) {
      return link.getRemoteTarget() != null && ADDRESS.equals(link.getRemoteTarget().getAddress());
    }
    return link.getRemoteSource() != null && ADDRESS.equals(link.getRemoteSource().getAddress());
  }

  /**
   * Attaches one half of a pair: refused with amqp:invalid-field without the link property {@code
   * paired = true}; the properties are echoed.
   */
  static void attach(
      AmqpSession session, ConnectionLinks conn, ManagementRequests node, Link link) {
    Map<Symbol, Object> props = link.getRemoteProperties();
    if (props == null || !Boolean.TRUE.equals(props.get(PAIRED))) {
      LOG.info("peer {}: /management link {} without paired=true", session.peer(), link.getName());
      LinkErrors.refuse(
          link,
          LinkErrors.error(
              AmqpError.INVALID_FIELD, "/management links need the link property paired=true"));
      return;
    }
    Pair pair = conn.managementPairs.computeIfAbsent(link.getName(), n -> new Pair());
    if (link instanceof Receiver ? pair.requests != null : pair.responses != null) {
      LinkErrors.refuse(
          link,
          LinkErrors.error(
              AmqpError.INVALID_FIELD, "link pair '" + link.getName() + "' is attached already"));
      return;
    }
    link.setSource(link.getRemoteSource());
    link.setTarget(link.getRemoteTarget());
    link.setProperties(props);
    link.setSenderSettleMode(link.getRemoteSenderSettleMode());
    link.setReceiverSettleMode(ReceiverSettleMode.FIRST);
    link.setContext(new ManagementLink(session, conn, node, pair, link));
    link.open();
    if (link instanceof Receiver r) {
      pair.requests = r;
      r.flow(CREDIT);
    } else {
      pair.responses = (Sender) link;
    }
  }

  @Override
  public void onDelivery(Delivery delivery) {
    if (!(link instanceof Receiver r) || pair.ended || !delivery.isReadable()) {
      return;
    }
    int available = delivery.available();
    if (available > 0) {
      if (buffered + available > buffer.length) {
        buffer = Arrays.copyOf(buffer, buffered + available);
      }
      buffered += r.recv(buffer, buffered, available);
    }
    if (delivery.isPartial()) {
      return;
    }
    r.advance();
    byte[] bytes = buffer;
    int length = buffered;
    buffer = new byte[0];
    buffered = 0;
    delivery.settle();
    ManagementRequest request;
    try {
      request = ManagementCodec.decodeRequest(bytes, length);
    } catch (IllegalArgumentException e) {
      LOG.info("peer {}: bad /management request: {}", session.peer(), e.getMessage());
      r.flow(1);
      return;
    }
    String vhost = session.vhost();
    String connectionId = session.connectionId();
    conn.administer(session.service(), () -> node.handle(request, vhost, connectionId))
        .whenCompleteAsync(
            (response, e) -> {
              ManagementResponse answer =
                  e == null ? response : new ManagementResponse(500, String.valueOf(e));
              respond(ManagementCodec.encodeResponse(request.messageId(), answer));
              if (!conn.closed && pair.requests == r) {
                r.flow(1); // the request link is still attached: one more request may come
              }
            },
            session.executor());
  }

  private void respond(byte[] message) {
    if (pair.ended || conn.closed) {
      return;
    }
    pair.waiting.add(message);
    pump();
  }

  private void pump() {
    Sender s = pair.responses;
    if (s == null) {
      return; // the response link is not attached yet: answers wait for it
    }
    while (!pair.waiting.isEmpty() && s.getCredit() > 0) {
      byte[] message = pair.waiting.poll();
      byte[] tag = ByteBuffer.allocate(8).putLong(pair.tags++).array();
      Delivery d = s.delivery(tag);
      s.send(message, 0, message.length);
      s.advance();
      d.settle();
    }
  }

  @Override
  public void onFlow(Link l) {
    pump();
  }

  @Override
  public void onRemoteDetach(Link l, boolean closed) {
    end();
    LinkEndpoint.answerDetach(l, closed);
  }

  @Override
  public void onTransportGone() {
    end();
  }

  private void end() {
    if (link instanceof Receiver) {
      pair.requests = null;
    } else {
      pair.responses = null;
      pair.waiting.clear();
    }
    if (pair.requests == null && pair.responses == null) {
      pair.ended = true;
      conn.managementPairs.remove(link.getName(), pair);
    }
  }
}
