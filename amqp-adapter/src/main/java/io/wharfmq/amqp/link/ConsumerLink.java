package io.wharfmq.amqp.link;

import io.wharfmq.amqp.transport.AmqpSession;
import io.wharfmq.amqp.transport.LinkEndpoint;
import io.wharfmq.amqp.tx.HeldDelivery;
import io.wharfmq.amqp.tx.Transaction;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.PeekCommand;
import io.wharfmq.service.PeekPosition;
import io.wharfmq.service.PeekResult;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.PopResult;
import io.wharfmq.service.Receipt;
import io.wharfmq.service.ReceivedMessage;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Modified;
import org.apache.qpid.proton.amqp.messaging.Outcome;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transaction.TransactionErrors;
import org.apache.qpid.proton.amqp.transaction.TransactionalState;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.codec.ReadableBuffer;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Sender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A link on which Wharf sends messages to the peer: it takes messages for its consumer group with
 * POP (or reads them with peek, for a browser) as far as the peer's credit allows and maps the
 * peer's outcomes to the service: accepted = ack, released = back at once with the same count,
 * modified(delivery-failed) = back with count + 1, rejected or modified(undeliverable-here) = dead
 * letter; pre-settled = acked when sent. A drain answers at once with what is there and spends the
 * rest of the credit. With credit and nothing to send, one long-poll POP waits for a message.
 * Unsettled deliveries go back (released) when the link or the connection ends.
 *
 * <p>While the connection is not {@link AmqpSession#writable()} (its peer does not read) the link
 * sends nothing and takes nothing new; messages it had already taken wait in {@code ready} and go
 * out when the peer reads again, or back to the queue if that takes longer than the renewal period
 * (their invisibility would otherwise run out). Owned by the connection's thread.
 */
final class ConsumerLink implements LinkEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLink.class);

  /**
   * How long a delivered, unsettled message stays invisible to other consumers without a renewal
   * (amqpInvisibleTimeMs's default); held deliveries are renewed every third of it.
   */
  static final long INVISIBLE_MILLIS = 60_000;

  /** How long one waiting POP lasts before the link asks again. */
  static final long POLL_MILLIS = 10_000;

  /** How long a browser with credit waits before peeking again when it saw nothing new. */
  static final long BROWSE_RETRY_MILLIS = 500;

  private static final int MAX_POP = 32;

  /** Told once when the link ends: by a detach (closed or not) or by the transport going away. */
  interface Ending {
    void ended(boolean closedByPeer);
  }

  private final AmqpSession session;
  private final Sender sender;

  /**
   * The topic a dispatched record was stored in, as the queue's reads present it (record-format's
   * MessageProperties.DISPATCH_SOURCE).
   */
  static final String DISPATCH_SOURCE = "WHARF_DISPATCH_SOURCE";

  private final LinkCodec codec;
  private final ConnectionLinks connection;
  private final String group;
  private final String topic;
  private final FilterType filterType;
  private final String expression;
  private final boolean browse;
  private final Ending ending;
  private final long invisibleMillis;
  private Nodes nodes;
  private int epoch;

  /** Producer flow control this link's progress feeds (null: none, as for a browser). */
  private ProducerFlow flow;

  private boolean counted;
  private final ArrayDeque<ReceivedMessage> ready = new ArrayDeque<>();
  private final Map<Delivery, HeldDelivery> unsettled = new HashMap<>();
  private PeekPosition browsed;
  private boolean waiting;
  private boolean draining;
  private boolean browseRetryPending;
  private boolean opened;
  private boolean ended;
  private long nextTag;
  private boolean renewScheduled;
  private boolean awaitingRoom;
  private boolean holdCheckScheduled;

  /** The long-poll POP in flight, cancelled when the link ends so it takes nothing more. */
  private CompletableFuture<PopResult> waitingPop;

  /** Whether the deliveries still unsettled when the link ends count as failed. */
  private boolean deliveryFailedOnEnd;

  /** When the waiting POP was asked (System.nanoTime), to tell a held answer from an unheld one. */
  private long waitAskedNanos;

  /**
   * Accepted deliveries not yet acknowledged to the service: the dispositions of one read (and the
   * pre-settled deliveries of one pump) go as one {@code ackAll}, at the latest once the
   * connection's thread has finished what it is doing now.
   */
  private final List<Receipt> acks = new ArrayList<>();

  private boolean acksScheduled;

  /** Ends the link's registration with the service as a consumer of its group (admin listings). */
  private Runnable attached;

  ConsumerLink(
      AmqpSession session,
      Sender sender,
      LinkCodec codec,
      ConnectionLinks connection,
      String group,
      String topic,
      FilterType filterType,
      String expression,
      boolean browse,
      Ending ending,
      long invisibleMillis) {
    this.invisibleMillis = invisibleMillis;
    this.session = session;
    this.sender = sender;
    this.codec = codec;
    this.connection = connection;
    this.group = group;
    this.topic = topic;
    this.filterType = filterType;
    this.expression = expression;
    this.browse = browse;
    this.ending = ending;
  }

  /**
   * Watches the group's deletions: a message a waiting POP brings after the link ended, for a group
   * deleted meanwhile (unsubscribed, ended), is acked rather than released, so it never lands in a
   * subscription made again under the same name.
   */
  ConsumerLink watch(Nodes nodes) {
    this.nodes = nodes;
    this.epoch = nodes.epoch(group);
    return this;
  }

  /** Whether the link ended (its ending ran). */
  boolean hasEnded() {
    return ended;
  }

  /**
   * A single-active-consumer queue's link that is not the active one: it takes nothing (a drain is
   * answered at once) until {@link #activate}. Set before {@link #start}, on the connection's
   * thread.
   */
  private boolean standby;

  void standby() {
    standby = true;
  }

  /** The link becomes its queue's active consumer (from any thread). */
  void activate() {
    session
        .executor()
        .execute(
            () -> {
              standby = false;
              pump();
            });
  }

  /** Whether the link ended (detached, or its transport went away). */
  boolean isEnded() {
    return ended;
  }

  /**
   * Counts this link as a consumer of its topic for producer flow control from its start to its
   * end, and reports its progress (messages taken or settled); null for none.
   */
  ConsumerLink followedBy(ProducerFlow flow) {
    this.flow = flow;
    return this;
  }

  /** Becomes the link's context before it opens (the attach is answered later). */
  void pending() {
    sender.setContext(this);
  }

  /** Opens the link (its local terminus is set) and starts delivering as credit arrives. */
  void start() {
    if (ended) {
      return; // the peer went away while the attach waited
    }
    sender.setContext(this);
    sender.open();
    opened = true;
    if (flow != null) {
      flow.attached(topic, group);
      counted = true;
    }
    if (!browse && session.service() != null) {
      attached =
          session
              .service()
              .consumerAttached(
                  group, "amqp:" + session.containerId() + "/" + sender.getName(), session.peer());
    }
    pump();
  }

  private boolean presettled() {
    return sender.getSenderSettleMode() == SenderSettleMode.SETTLED;
  }

  @Override
  public void onFlow(Link link) {
    pump();
  }

  /** Sends what is ready as far as credit and output room go, then asks the service for more. */
  private void pump() {
    if (!opened || ended) {
      return;
    }
    if (!deliverReady()) {
      return;
    }
    if (sender.getCredit() <= 0) {
      giveBackReady();
      return;
    }
    if (!room()) {
      return; // nothing new is taken for a peer that does not read
    }
    if (standby) {
      if (sender.getDrain()) {
        sender.drained();
      }
      return; // another link of the single-active-consumer queue is the active one
    }
    if (browse && (waiting || draining)) {
      return; // one peek at a time: two from the same position would deliver the same messages
    }
    if (sender.getDrain()) {
      if (!draining) {
        draining = true;
        fetch(0);
      }
    } else if (!waiting) {
      waiting = true;
      fetch(POLL_MILLIS);
    }
  }

  private void fetch(long pollMillis) {
    int max = Math.min(MAX_POP, sender.getCredit());
    boolean drain = pollMillis == 0;
    if (browse) {
      session
          .service()
          .peek(new PeekCommand(group, topic, max, filterType, expression, browsed))
          .whenCompleteAsync((r, e) -> browsed(r, e, max, drain), session.executor());
      return;
    }
    CompletableFuture<PopResult> pop =
        session
            .service()
            .pop(
                new PopCommand(
                    group,
                    topic,
                    -1,
                    max,
                    invisibleMillis,
                    pollMillis,
                    filterType,
                    expression,
                    false,
                    group.equals(DestinationNames.queueGroup(topic))));
    if (!drain) {
      waitingPop = pop;
      waitAskedNanos = System.nanoTime();
    }
    pop.whenCompleteAsync((r, e) -> popped(r, e, max, drain), session.executor());
  }

  /**
   * Cancels the waiting POP: the service then gives back what it takes meanwhile, and the wait
   * cannot take a message for a subscription deleted and made again under the same name.
   */
  private void cancelWaitingPop() {
    CompletableFuture<PopResult> pop = waitingPop;
    waitingPop = null;
    if (pop != null) {
      pop.cancel(false);
    }
  }

  private void popped(PopResult r, Throwable e, int asked, boolean drain) {
    List<ReceivedMessage> got = List.of();
    if (e instanceof CancellationException) {
      LOG.debug("peer {}: waiting pop for {} cancelled, the link ended", session.peer(), group);
    } else if (e != null) {
      LOG.warn("peer {}: pop for {} failed", session.peer(), group, e);
    } else if (r.status() != io.wharfmq.service.Status.OK) {
      LOG.debug("peer {}: pop for {}: {} {}", session.peer(), group, r.status(), r.detail());
    } else {
      got = r.messages();
    }
    arrived(got, asked, drain, e == null && r.status() == io.wharfmq.service.Status.OK);
  }

  private void browsed(PeekResult r, Throwable e, int asked, boolean drain) {
    List<ReceivedMessage> got = List.of();
    if (e != null) {
      LOG.warn("peer {}: peek of {} failed", session.peer(), topic, e);
    } else if (r.status() == io.wharfmq.service.Status.OK) {
      got = r.messages();
      browsed = r.next();
    }
    if (!drain) {
      waiting = false;
      ready.addAll(got);
      if (got.isEmpty() && !ended && !sender.getDrain()) {
        // Peek cannot wait for news: look again a little later while credit lasts.
        if (!browseRetryPending) {
          browseRetryPending = true;
          CompletableFuture.delayedExecutor(
                  BROWSE_RETRY_MILLIS, TimeUnit.MILLISECONDS, session.executor())
              .execute(
                  () -> {
                    browseRetryPending = false;
                    pump();
                  });
        }
        return;
      }
      pump();
      return;
    }
    arrived(got, asked, true, e == null);
  }

  private void arrived(List<ReceivedMessage> got, int asked, boolean drain, boolean ok) {
    if (drain) {
      draining = false;
    } else {
      waiting = false;
    }
    if (ended) {
      for (ReceivedMessage m : got) {
        giveBack(m);
      }
      return;
    }
    ready.addAll(got);
    if (counted && !got.isEmpty()) {
      flow.progressed(topic);
    }
    if (!deliverReady()) {
      return; // pump() carries on (and answers a drain) once the peer reads again
    }
    if (drain && sender.getDrain()) {
      if (ok && got.size() == asked && sender.getCredit() > 0) {
        draining = true;
        fetch(0);
        return;
      }
      sender.drained();
      giveBackReady();
      return;
    }
    if (!ok || (!drain && got.isEmpty() && answeredAtOnce())) {
      // The service refused (topic gone, store closed), or does not hold pops (broker
      // longPollingEnable=false): ask again later, not in a tight loop.
      waiting = true;
      CompletableFuture.delayedExecutor(
              BROWSE_RETRY_MILLIS, TimeUnit.MILLISECONDS, session.executor())
          .execute(
              () -> {
                waiting = false;
                pump();
              });
      return;
    }
    pump();
  }

  /** Delivers ready messages while credit and output room last; false when room ran out first. */
  private boolean deliverReady() {
    while (sender.getCredit() > 0 && !ready.isEmpty()) {
      if (!room()) {
        return false;
      }
      deliver(ready.poll());
    }
    return true;
  }

  /**
   * Whether the connection takes more output. When it does not, the link asks to be pumped again
   * once it does, and taken messages still waiting are given back if the wait outlasts the renewal
   * period (they were taken with the invisibility time, which is not renewed here).
   */
  private boolean room() {
    if (session.writable()) {
      return true;
    }
    if (!awaitingRoom) {
      awaitingRoom = true;
      session.whenWritable(
          () -> {
            awaitingRoom = false;
            pump();
          });
    }
    if (!browse && !ready.isEmpty() && !holdCheckScheduled) {
      holdCheckScheduled = true;
      CompletableFuture.delayedExecutor(
              invisibleMillis / 3, TimeUnit.MILLISECONDS, session.executor())
          .execute(
              () -> {
                holdCheckScheduled = false;
                if (!ended && !session.writable()) {
                  giveBackReady();
                }
              });
    }
    return false;
  }

  /** Whether the waiting POP came back empty well before its poll time: it was not held. */
  private boolean answeredAtOnce() {
    return System.nanoTime() - waitAskedNanos < TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS / 2);
  }

  private void deliver(ReceivedMessage m) {
    byte[] bytes = encodeOrDeadLetter(m);
    if (bytes == null) {
      return;
    }
    Delivery d = sender.delivery(ByteBuffer.allocate(Long.BYTES).putLong(nextTag++).array());
    d.setMessageFormat(0);
    sender.sendNoCopy(ReadableBuffer.ByteBufferReader.wrap(bytes));
    sender.advance();
    Receipt receipt = m.receipt();
    if (presettled() || browse) {
      d.settle();
      if (!browse && receipt != null) {
        ack(receipt);
      }
    } else if (receipt != null) {
      unsettled.put(d, new HeldDelivery(receipt));
      scheduleRenewal();
    }
  }

  /**
   * The message as AMQP, or null when it cannot be encoded (a property some other client set that
   * no AMQP message can carry): then it goes to the dead-letter queue, so it neither stalls this
   * link nor comes back to the next consumer, and the link goes on with the next message.
   */
  private byte[] encodeOrDeadLetter(ReceivedMessage m) {
    try {
      String exchange = exchangeOf(m);
      return exchange == null ? codec.encode(m) : codec.encode(m, exchange);
    } catch (RuntimeException e) {
      LOG.warn(
          "peer {}: message {} of {} cannot be sent as AMQP, {}",
          session.peer(),
          m.offsetMessageId(),
          topic,
          browse || m.receipt() == null ? "skipped" : "dead-lettered",
          e);
      if (!browse && m.receipt() != null) {
        session.service().deadLetter(m.receipt(), "cannot be encoded as AMQP: " + e);
      }
      return null;
    }
  }

  /**
   * The exchange a message reached this queue through, or null: a message routed through an
   * exchange is stored once in the exchange's topic (docs/rabbitmq.md) and read through the queue
   * with {@link #DISPATCH_SOURCE} naming that topic; a record of another (non-system) topic than
   * the link's came through that exchange too.
   */
  private String exchangeOf(ReceivedMessage m) {
    String source = m.properties().get(DISPATCH_SOURCE);
    String t = source != null ? source : m.topic();
    if (t == null || t.equals(topic) || t.startsWith("%") || t.startsWith("rmq_sys_")) {
      return null;
    }
    return DestinationNames.destination(session.vhost(), t);
  }

  /**
   * A delivery the peer holds (a prefetched message a slow application has not reached yet) stays
   * invisible: every third of the invisibility time each unsettled delivery's invisibility is
   * extended, so it is not handed to another consumer while this link lives.
   */
  private void scheduleRenewal() {
    if (renewScheduled || ended) {
      return;
    }
    renewScheduled = true;
    CompletableFuture.delayedExecutor(
            invisibleMillis / 3, TimeUnit.MILLISECONDS, session.executor())
        .execute(this::renew);
  }

  private void renew() {
    renewScheduled = false;
    if (ended || unsettled.isEmpty()) {
      return;
    }
    for (HeldDelivery held : unsettled.values()) {
      held.renew(session.service(), invisibleMillis, session.executor());
    }
    scheduleRenewal();
  }

  @Override
  public void onDelivery(Delivery d) {
    DeliveryState state = d.getRemoteState();
    HeldDelivery held = unsettled.get(d);
    if (held == null) {
      if (d.remotelySettled()) {
        d.settle();
      }
      return;
    }
    if (!d.remotelySettled() && stillHeld(state)) {
      return;
    }
    unsettled.remove(d);
    if (state instanceof TransactionalState ts) {
      Transaction t = connection.transactions.get(ts.getTxnId());
      if (t == null) {
        unknownTransaction(d, held, ts);
        return;
      }
      if (ts.getOutcome() == null || ts.getOutcome() instanceof Accepted) {
        connection.transactions.enlistAck(t, held);
        d.settle();
        return;
      }
    }
    Object outcome = state instanceof TransactionalState ts ? ts.getOutcome() : state;
    // A renewal in flight gives the receipt that names the delivery from then on.
    held.receipt().thenAccept(r -> apply(r, outcome));
    d.settle();
  }

  /**
   * A disposition naming a transaction this connection does not have (never declared, or already
   * discharged) changes nothing of the message: it goes back to its queue as a failed delivery, and
   * the link is closed with {@code amqp:transaction:unknown-id}. Acking it outside the transaction
   * the peer meant would lose it if that transaction was rolled back.
   */
  private void unknownTransaction(Delivery d, HeldDelivery held, TransactionalState ts) {
    LOG.warn(
        "peer {}: disposition on link '{}' names unknown transaction {}; message returned, link"
            + " closed",
        session.peer(),
        sender.getName(),
        ts.getTxnId());
    held.receipt().thenAccept(r -> session.service().release(r, true));
    d.settle();
    deliveryFailedOnEnd = true;
    end(false);
    sender.setCondition(
        new ErrorCondition(TransactionErrors.UNKNOWN_ID, "unknown transaction " + ts.getTxnId()));
    sender.close();
  }

  /**
   * Whether an unsettled delivery's state leaves it with the peer: no state yet, or a non-terminal
   * one ({@code received}: how far the peer got, not what became of the message).
   */
  private static boolean stillHeld(DeliveryState state) {
    return !(state instanceof Outcome) && !(state instanceof TransactionalState);
  }

  /** What an outcome does (gateway.md section 5). Settled with no state counts as accepted. */
  private void apply(Receipt receipt, Object outcome) {
    var service = session.service();
    if (outcome == null || outcome instanceof Accepted) {
      ack(receipt);
    } else if (outcome instanceof Released) {
      service.release(receipt, false);
    } else if (outcome instanceof Modified m) {
      if (Boolean.TRUE.equals(m.getUndeliverableHere())) {
        service.deadLetter(receipt, "modified(undeliverable-here) by " + session.peer());
      } else {
        service.release(receipt, Boolean.TRUE.equals(m.getDeliveryFailed()));
      }
    } else if (outcome instanceof Rejected r) {
      String why = r.getError() == null ? "" : ": " + r.getError().getDescription();
      service.deadLetter(receipt, "rejected by " + session.peer() + why);
    } else {
      service.release(receipt, false);
    }
  }

  /** Acknowledges with the other acks of this turn of the connection's thread. */
  private void ack(Receipt receipt) {
    acks.add(receipt);
    if (!acksScheduled) {
      acksScheduled = true;
      session.executor().execute(this::flushAcks);
    }
  }

  private void flushAcks() {
    acksScheduled = false;
    if (acks.isEmpty()) {
      return;
    }
    List<Receipt> batch = new ArrayList<>(acks);
    acks.clear();
    if (counted) {
      flow.progressed(topic);
    }
    session.service().ackAll(batch);
  }

  private void giveBackReady() {
    ReceivedMessage m;
    while ((m = ready.poll()) != null) {
      giveBack(m);
    }
  }

  private void giveBack(ReceivedMessage m) {
    if (browse || m.receipt() == null) {
      return;
    }
    if (nodes != null && nodes.epoch(group) != epoch) {
      session.service().ack(m.receipt()); // taken for a subscription that no longer exists
    } else {
      session.service().release(m.receipt(), false);
    }
  }

  @Override
  public void onRemoteDetach(Link link, boolean closed) {
    end(closed);
    LinkEndpoint.answerDetach(link, closed);
  }

  @Override
  public void onTransportGone() {
    deliveryFailedOnEnd = transportLost();
    end(false);
  }

  /**
   * Whether the connection went away without the peer's close or end (a crash, a cut socket): the
   * peer may have processed what it held, so those deliveries go back as failed (count + 1, shown
   * as redelivered), as Artemis and RabbitMQ do. After a clean close they go back unchanged.
   */
  private boolean transportLost() {
    var s = sender.getSession();
    return s.getRemoteState() != EndpointState.CLOSED
        && s.getConnection().getRemoteState() != EndpointState.CLOSED;
  }

  private void end(boolean closedByPeer) {
    if (ended) {
      return;
    }
    ended = true;
    if (counted) {
      counted = false;
      flow.detached(topic, group);
    }
    if (attached != null) {
      attached.run();
      attached = null;
    }
    cancelWaitingPop();
    flushAcks();
    giveBackReady();
    for (HeldDelivery held : unsettled.values()) {
      held.receipt().thenAccept(r -> session.service().release(r, deliveryFailedOnEnd));
    }
    unsettled.clear();
    if (ending != null) {
      ending.ended(closedByPeer);
    }
  }
}
