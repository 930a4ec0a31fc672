package io.wharfmq.amqp.link;

import io.wharfmq.amqp.transport.AmqpSession;
import io.wharfmq.amqp.transport.LinkEndpoint;
import io.wharfmq.amqp.tx.Transaction;
import io.wharfmq.security.Action;
import io.wharfmq.security.Resource;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.Result;
import io.wharfmq.service.Routing;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.service.TopicInfo;
import io.wharfmq.service.message.ReservedProperties;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Outcome;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transaction.TransactionErrors;
import org.apache.qpid.proton.amqp.transaction.TransactionalState;
import org.apache.qpid.proton.amqp.transport.AmqpError;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A link on which the peer sends messages to Wharf: to one destination, or (anonymous relay) to
 * each message's {@code to}. Each complete delivery is decoded and stored; the outcome is {@code
 * accepted} once the store acknowledged it, {@code rejected} with the status's condition otherwise.
 * Credit is the back-pressure: the link starts with {@link #WINDOW} and gets more only as stores
 * complete, so a slow store stops the producer; and, with a fixed destination, only while that
 * destination's active consumers are not too far behind ({@link ProducerFlow}). All messages of one
 * link to one topic go to one queue of it, which keeps the link's send order (JMS 1.1 section
 * 4.4.10). Owned by the connection's thread.
 */
final class ProducerLink implements LinkEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(ProducerLink.class);
  static final int WINDOW = 1000;
  static final int LOW = 300;
  private static final Symbol DELIVERY_TAG = Symbol.valueOf("delivery-tag");

  private final AmqpSession session;
  private final Receiver receiver;
  private final LinkCodec codec;
  private final long maxMessageSize;
  private final Nodes nodes;
  private final ConnectionLinks connection;
  private final ProducerFlow flow;
  private final Destination fixed;
  private final AddressV2.ExchangeAddress fixedExchange;
  private final InetSocketAddress bornHost;
  private final Map<String, Integer> queueIds = new HashMap<>();
  private byte[] buffer = new byte[0];
  private int buffered;
  private boolean oversized;
  private int inflight;
  private boolean closed;
  private boolean ownsNode;

  /** Credit is withheld until the destination's consumers catch up ({@link ProducerFlow}). */
  private boolean held;

  /**
   * Completes when this link's last message that waited for its destination went on: later messages
   * wait for it too, so the link's messages reach the service in the order they came.
   */
  private CompletableFuture<Void> routing = CompletableFuture.completedFuture(null);

  ProducerLink(
      AmqpSession session,
      Receiver receiver,
      LinkCodec codec,
      long maxMessageSize,
      Nodes nodes,
      ConnectionLinks connection,
      ProducerFlow flow,
      Destination fixed,
      AddressV2.ExchangeAddress fixedExchange) {
    this.session = session;
    this.fixedExchange = fixedExchange;
    this.receiver = receiver;
    this.codec = codec;
    this.maxMessageSize = maxMessageSize;
    this.nodes = nodes;
    this.connection = connection;
    this.flow = flow;
    this.fixed = fixed;
    this.bornHost = bornHost(session.peer());
  }

  /** The link created its (dynamic) destination, which ends with it. */
  void ownsNode() {
    this.ownsNode = true;
  }

  void start() {
    receiver.setContext(this);
    receiver.open();
    receiver.flow(WINDOW);
  }

  @Override
  public void onDelivery(Delivery delivery) {
    if (closed || !delivery.isReadable()) {
      return;
    }
    if (delivery.isAborted()) {
      receiver.recv(new byte[delivery.available()], 0, delivery.available());
      receiver.advance();
      delivery.settle();
      resetBuffer();
      topUp();
      return;
    }
    absorb(delivery);
    if (delivery.isPartial()) {
      return;
    }
    receiver.advance();
    if (oversized) {
      LOG.info(
          "peer {}: message over {} bytes on link {} rejected",
          session.peer(),
          maxMessageSize,
          receiver.getName());
      resetBuffer();
      finish(
          delivery,
          rejected(
              LinkErrors.error(
                  LinkErrors.MESSAGE_SIZE_EXCEEDED,
                  "message larger than " + maxMessageSize + " bytes")));
      return;
    }
    byte[] bytes = buffer.length == buffered ? buffer : Arrays.copyOf(buffer, buffered);
    resetBuffer();
    onMessage(delivery, bytes);
  }

  /** Moves what proton holds into our buffer, so at most one copy of a delivery lives. */
  private void absorb(Delivery delivery) {
    int available = delivery.available();
    if (available <= 0) {
      return;
    }
    if (oversized || (long) buffered + available > maxMessageSize) {
      oversized = true;
      receiver.recv(new byte[available], 0, available);
      return;
    }
    if (buffered + available > buffer.length) {
      int size =
          delivery.isPartial()
              ? (int) Math.min(maxMessageSize, Math.max(buffered + available, buffer.length * 2L))
              : buffered + available;
      buffer = Arrays.copyOf(buffer, size);
    }
    buffered += receiver.recv(buffer, buffered, available);
  }

  private void resetBuffer() {
    buffer = new byte[0];
    buffered = 0;
    oversized = false;
  }

  private void onMessage(Delivery delivery, byte[] bytes) {
    LinkCodec.Inbound in;
    try {
      in = codec.decode(bytes, 0, bytes.length, System.currentTimeMillis());
    } catch (IllegalArgumentException e) {
      LOG.info(
          "peer {}: undecodable message on link {}: {}",
          session.peer(),
          receiver.getName(),
          e.getMessage());
      finish(delivery, rejected(LinkErrors.error(LinkErrors.DECODE_ERROR, e.getMessage())));
      return;
    }
    if (fixedExchange != null) {
      sendToExchange(delivery, in, fixedExchange, false);
      return;
    }
    Destination dest;
    if (fixed != null) {
      dest = fixed;
    } else {
      String to = in.to();
      if (to == null || to.isEmpty()) {
        finish(
            delivery,
            rejected(
                LinkErrors.error(
                    AmqpError.PRECONDITION_FAILED,
                    "anonymous terminus requires 'to' address to be set")));
        return;
      }
      ErrorCondition denied;
      try {
        if (AddressV2.isV2(to) && AddressV2.parse(to) instanceof AddressV2.ExchangeAddress x) {
          denied =
              LinkAccess.check(
                  session, Resource.exchange(session.vhost(), x.exchange()), Action.PUB);
          if (denied == null) {
            sendToExchange(delivery, in, x, true);
          } else {
            refuseRelayed(delivery, denied);
          }
          return;
        }
        dest = route(in);
      } catch (IllegalArgumentException e) {
        finish(
            delivery,
            rejected(
                LinkErrors.error(
                    AmqpError.PRECONDITION_FAILED,
                    "bad 'to' address string: " + to + " (" + e.getMessage() + ")")));
        return;
      }
      // The relay's link stays: only this message is refused (the next may go elsewhere).
      denied = LinkAccess.check(session, dest, Action.PUB);
      if (denied != null) {
        refuseRelayed(delivery, denied);
        return;
      }
    }
    TopicInfo known = routing.isDone() ? nodes.readyNow(dest) : null;
    if (known != null) {
      send(delivery, in, dest, known);
      return;
    }
    // A destination not ready yet (a relay's new one) is made on the service's threads, not this
    // one; the message, and every later one of this link, goes on after it, in order.
    Destination d = dest;
    CompletableFuture<Result<TopicInfo>> made =
        routing.thenCompose(
            ignored ->
                connection.administer(
                    session.service(), () -> nodes.prepare(session.service(), d)));
    if (delivery.getRemoteState() instanceof TransactionalState ts) {
      sendInTransactionLater(delivery, in, d, ts, made);
      return;
    }
    inflight++;
    routing =
        made.handleAsync(
            (topic, e) -> {
              inflight--;
              prepared(delivery, in, d, topic, e);
              return null;
            },
            session.executor());
  }

  /**
   * A transactional send to a destination being made: enlisted in its transaction now, before a
   * discharge that may follow at once on the coordinator (the commit waits for it), and stored once
   * the destination is ready; a refused destination fails the transaction.
   */
  private void sendInTransactionLater(
      Delivery delivery,
      LinkCodec.Inbound in,
      Destination dest,
      TransactionalState ts,
      CompletableFuture<Result<TopicInfo>> made) {
    Transaction t = connection.transactions.get(ts.getTxnId());
    if (t == null) {
      refuseUnknownTransaction(delivery);
      return;
    }
    inflight++;
    CompletableFuture<SendCommand> command =
        made.handleAsync(
            (topic, e) -> {
              if (e == null && topic.isOk()) {
                return command(in, dest, topic.value());
              }
              inflight--;
              prepared(delivery, in, dest, topic, e);
              return null;
            },
            session.executor());
    routing = command.thenApply(c -> null);
    t.sendLater(command)
        .whenCompleteAsync(
            (r, e) -> {
              if (r != null || e != null) {
                stored(delivery, dest, r, e);
              }
            },
            session.executor());
  }

  private SendCommand command(LinkCodec.Inbound in, Destination dest, TopicInfo topic) {
    OutgoingMessage m = in.message();
    if (dest.kind() == Destination.Kind.TOPIC || dest.kind() == Destination.Kind.TEMP_TOPIC) {
      m = stampPublisher(m);
    }
    return new SendCommand(dest.topic(), queueId(topic), List.of(m), false, 0, bornHost, true, -1);
  }

  private void prepared(
      Delivery delivery,
      LinkCodec.Inbound in,
      Destination dest,
      Result<TopicInfo> topic,
      Throwable e) {
    if (e != null) {
      LOG.warn("peer {}: send to {} failed", session.peer(), dest.name(), e);
      finish(delivery, rejected(LinkErrors.error(AmqpError.INTERNAL_ERROR, String.valueOf(e))));
      return;
    }
    if (!topic.isOk()) {
      LOG.info("peer {}: send to {} refused: {}", session.peer(), dest.name(), topic.detail());
      finish(delivery, rejected(LinkErrors.of(topic.status(), topic.detail())));
      return;
    }
    send(delivery, in, dest, topic.value());
  }

  private void send(Delivery delivery, LinkCodec.Inbound in, Destination dest, TopicInfo topic) {
    SendCommand cmd = command(in, dest, topic);
    CompletableFuture<SendResult> sent = store(delivery, cmd);
    if (sent == null) {
      return;
    }
    sent.whenCompleteAsync((r, e) -> stored(delivery, dest, r, e), session.executor());
  }

  /**
   * Stores {@code cmd} for the delivery, inside its transaction when it names one, and counts it in
   * flight; null (the delivery refused) when it names an unknown transaction.
   */
  private CompletableFuture<SendResult> store(Delivery delivery, SendCommand cmd) {
    Transaction t = null;
    if (delivery.getRemoteState() instanceof TransactionalState ts) {
      t = connection.transactions.get(ts.getTxnId());
      if (t == null) {
        refuseUnknownTransaction(delivery);
        return null;
      }
    }
    inflight++;
    return t != null ? t.send(cmd) : session.service().send(cmd);
  }

  private void refuseUnknownTransaction(Delivery delivery) {
    finish(
        delivery, rejected(LinkErrors.error(TransactionErrors.UNKNOWN_ID, "unknown transaction")));
  }

  private void stored(Delivery delivery, Destination dest, SendResult r, Throwable e) {
    inflight--;
    if (e != null) {
      LOG.warn("peer {}: send to {} failed", session.peer(), dest.name(), e);
      finish(delivery, rejected(LinkErrors.error(AmqpError.INTERNAL_ERROR, String.valueOf(e))));
    } else if (r.isOk()) {
      finish(delivery, Accepted.getInstance());
    } else {
      if (r.status() == Status.NOT_FOUND) {
        nodes.forget(dest.topic());
      }
      LOG.info(
          "peer {}: send to {} refused: {} {}",
          session.peer(),
          dest.name(),
          r.status(),
          r.detail());
      finish(
          delivery,
          rejected(
              r.status() == Status.QUEUE_FULL
                  ? LinkErrors.queueFull(r.topic(), r.detail())
                  : LinkErrors.of(r.status(), r.detail())));
    }
  }

  /**
   * Answers a delivery (unless the peer settled it already) and gives its credit back. A delivery
   * sent inside a transaction gets its outcome inside a transactional-state; a refusal fails the
   * transaction, so its commit stores none of its sends.
   */
  private void finish(Delivery delivery, DeliveryState outcome) {
    if (delivery.getRemoteState() instanceof TransactionalState ts
        && outcome instanceof Outcome o) {
      if (o instanceof Rejected r) {
        failTransaction(
            ts, r.getError() == null ? "a send was refused" : r.getError().getDescription());
      }
      TransactionalState answer = new TransactionalState();
      answer.setTxnId(ts.getTxnId());
      answer.setOutcome(o);
      outcome = answer;
    }
    if (!delivery.remotelySettled() && !closed) {
      delivery.disposition(outcome);
    }
    delivery.settle();
    topUp();
  }

  private void topUp() {
    if (closed || held) {
      return;
    }
    // Credit plus messages being stored never exceeds WINDOW; more is granted in batches of at
    // least LOW, so a store that lags keeps the producer waiting and flow frames stay few.
    int more = WINDOW - receiver.getCredit() - inflight;
    if (more < LOW) {
      return;
    }
    // Asked once per grant, not per message. An anonymous relay is never held: one slow queue
    // must not stop what it carries to every other destination (docs/amqp.md, "Flow control").
    if (fixed != null && flow.enabled()) {
      long backlog = flow.backlog(session.service(), fixed.topic());
      if (flow.holds(backlog)) {
        held = true;
        LOG.debug("link {} to {} held: backlog {}", receiver.getName(), fixed.name(), backlog);
        recheckLater();
        return;
      }
    }
    receiver.flow(more);
  }

  private void recheckLater() {
    CompletableFuture.delayedExecutor(
            ProducerFlow.RECHECK_MILLIS, TimeUnit.MILLISECONDS, session.executor())
        .execute(this::recheck);
  }

  /** While held: credit again once the backlog is down to the low mark (or nothing holds). */
  private void recheck() {
    if (closed) {
      return;
    }
    long backlog = flow.backlog(session.service(), fixed.topic());
    if (!flow.releases(backlog)) {
      recheckLater();
      return;
    }
    held = false;
    LOG.debug("link {} to {} resumed: backlog {}", receiver.getName(), fixed.name(), backlog);
    topUp();
  }

  private Destination route(LinkCodec.Inbound in) {
    String to = in.to();
    Destination.Kind kind =
        switch (in.destinationType()) {
          case 1 -> Destination.Kind.TOPIC;
          case 2 -> Destination.Kind.TEMP_QUEUE;
          case 3 -> Destination.Kind.TEMP_TOPIC;
          default -> Destination.Kind.QUEUE;
        };
    if (to.startsWith(Terminus.QUEUES_PREFIX)) {
      kind = Destination.Kind.QUEUE;
    }
    String name = Terminus.name(to);
    Destination.Kind temporary = Terminus.temporaryKind(name);
    if (temporary != null) {
      kind = temporary; // a deleted temporary queue must not come back as a durable one
    }
    return new Destination(name, DestinationNames.topic(session.vhost(), name), kind);
  }

  /**
   * Publishes to an exchange (docs/rabbitmq.md, "Outcomes"): the service routes the message through
   * the exchange's bindings with the address's key and the {@code x-cc} keys. Accepted once stored;
   * unroutable: released, or dropped and counted when the peer settled it; exchange gone: rejected
   * with amqp:not-found (anonymous terminus) or released and the link detached (fixed target).
   */
  private void sendToExchange(
      Delivery delivery, LinkCodec.Inbound in, AddressV2.ExchangeAddress x, boolean anonymous) {
    if (in.ccError() != null) {
      finish(delivery, rejected(LinkErrors.error(AmqpError.INVALID_FIELD, in.ccError())));
      return;
    }
    List<String> keys = new ArrayList<>(1 + (in.cc() == null ? 0 : in.cc().size()));
    keys.add(x.key());
    if (in.cc() != null) {
      keys.addAll(in.cc());
    }
    String vhost = session.vhost();
    SendCommand cmd =
        new SendCommand(
            DestinationNames.topic(vhost, x.exchange()),
            // One queue id per link in every queue the exchange reaches: the link's messages keep
            // their order there (JMS 1.1 section 4.4.10, RabbitMQ's per-publisher order).
            Math.floorMod(linkHash(), 1 << 16),
            List.of(in.message()),
            false,
            0,
            bornHost,
            false,
            -1,
            new Routing(vhost, x.exchange(), keys));
    CompletableFuture<SendResult> sent = store(delivery, cmd);
    if (sent == null) {
      return;
    }
    sent.whenCompleteAsync(
        (r, e) -> routed(delivery, x.exchange(), anonymous, r, e), session.executor());
  }

  private void routed(
      Delivery delivery, String exchange, boolean anonymous, SendResult r, Throwable e) {
    inflight--;
    if (e != null) {
      LOG.warn("peer {}: publish to exchange {} failed", session.peer(), exchange, e);
      finish(delivery, rejected(LinkErrors.error(AmqpError.INTERNAL_ERROR, String.valueOf(e))));
      return;
    }
    switch (r.status()) {
      case OK -> finish(delivery, Accepted.getInstance());
      case UNROUTABLE -> {
        if (delivery.remotelySettled()) {
          nodes.unroutableDropped.incrementAndGet();
          LOG.debug("peer {}: unroutable message to {} dropped", session.peer(), exchange);
        }
        finish(delivery, Released.getInstance());
      }
      case NOT_FOUND -> exchangeGone(delivery, exchange, anonymous);
      default -> {
        LOG.info(
            "peer {}: publish to exchange {} refused: {} {}",
            session.peer(),
            exchange,
            r.status(),
            r.detail());
        finish(delivery, rejected(LinkErrors.of(r.status(), r.detail())));
      }
    }
  }

  /**
   * The exchange does not exist (RabbitMQ's anonterm rules, amqp-jms.md 1.4): an unsettled message
   * is rejected (anonymous terminus) or released (fixed target, which then detaches); a settled one
   * detaches the link with the delivery's tag in the error.
   */
  private void exchangeGone(Delivery delivery, String exchange, boolean anonymous) {
    ErrorCondition error = LinkErrors.noExchange(exchange, session.vhost());
    LOG.info("peer {}: {}", session.peer(), error.getDescription());
    if (anonymous && !delivery.remotelySettled()) {
      finish(delivery, rejected(error));
      return;
    }
    if (anonymous) {
      error.setInfo(Map.of(DELIVERY_TAG, new Binary(delivery.getTag())));
    }
    finish(delivery, Released.getInstance());
    if (!closed) {
      end();
      receiver.setCondition(error);
      receiver.close();
    }
  }

  /** One queue per topic for this link, so its messages keep their order. */
  private int queueId(TopicInfo topic) {
    return queueIds.computeIfAbsent(
        topic.name(), t -> Math.floorMod(linkHash(), Math.max(1, topic.writeQueues())));
  }

  private int linkHash() {
    return (session.connectionId() + "/" + receiver.getName()).hashCode();
  }

  /** Records which connection published, for no-local subscribers. */
  private OutgoingMessage stampPublisher(OutgoingMessage m) {
    String props =
        m.properties()
            + ReservedProperties.PUBLISHER_CONNECTION
            + '\u0001'
            + session.connectionId()
            + '\u0002';
    return new OutgoingMessage(m.body(), m.flag(), props, m.bornTimestamp(), m.reconsumeTimes());
  }

  /** A relayed message to an address its user may not publish to: rejected, link kept. */
  private void refuseRelayed(Delivery delivery, ErrorCondition denied) {
    if (delivery.getRemoteState() instanceof TransactionalState ts) {
      failTransaction(ts, denied.getDescription());
    }
    finish(delivery, rejected(denied));
  }

  private static Rejected rejected(ErrorCondition error) {
    Rejected r = new Rejected();
    r.setError(error);
    return r;
  }

  private void failTransaction(TransactionalState ts, String why) {
    Transaction t = connection.transactions.get(ts.getTxnId());
    if (t != null) {
      t.fail(why);
    }
  }

  @Override
  public void onRefused(Delivery delivery) {
    if (delivery.getRemoteState() instanceof TransactionalState ts) {
      failTransaction(ts, "a message of the transaction was refused on link " + receiver.getName());
    }
  }

  @Override
  public void onRemoteDetach(Link link, boolean remoteClosed) {
    end();
    LinkEndpoint.answerDetach(link, remoteClosed);
  }

  @Override
  public void onTransportGone() {
    end();
  }

  private void end() {
    closed = true;
    resetBuffer();
    if (ownsNode && connection.temporaries.remove(fixed)) {
      // A dynamic node dies with the link that created it (lifetime-policy delete-on-close).
      MessagingService service = session.service();
      connection.administerInBackground(
          service, "deleting " + fixed.name(), () -> nodes.deleteTemporary(service, fixed));
    }
  }

  /** The producer's address for the stored born-host field; loopback when it is not an IP. */
  static InetSocketAddress bornHost(String peer) {
    try {
      String p = peer == null ? "" : peer.startsWith("/") ? peer.substring(1) : peer;
      int colon = p.lastIndexOf(':');
      String host = colon > 0 ? p.substring(0, colon) : p;
      int port = colon > 0 ? Integer.parseInt(p.substring(colon + 1)) : 0;
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      if (!host.isEmpty() && (Character.isDigit(host.charAt(0)) || host.indexOf(':') >= 0)) {
        return new InetSocketAddress(InetAddress.getByName(host), port);
      }
    } catch (Exception e) {
      // Not an address literal: fall through.
    }
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }
}
