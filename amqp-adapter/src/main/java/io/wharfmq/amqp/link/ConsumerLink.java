package io.wharfmq.amqp.link;

import io.wharfmq.amqp.transport.AmqpSession;
import io.wharfmq.amqp.transport.LinkEndpoint;
import io.wharfmq.amqp.tx.Transaction;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Modified;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transaction.TransactionalState;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.codec.ReadableBuffer;
import org.apache.qpid.proton.engine.Delivery;
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
 * Unsettled deliveries go back (released) when the link or the connection ends. Owned by the
 * connection's thread.
 */
final class ConsumerLink implements LinkEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLink.class);

  /** How long a delivered, unsettled message stays invisible to other consumers. */
  static final long INVISIBLE_MILLIS = 60_000;

  /** How often held deliveries get their invisibility extended (well inside INVISIBLE_MILLIS). */
  static final long RENEW_MILLIS = 20_000;

  /** How long one waiting POP lasts before the link asks again. */
  static final long POLL_MILLIS = 10_000;

  /** How long a browser with credit waits before peeking again when it saw nothing new. */
  static final long BROWSE_RETRY_MILLIS = 500;

  private static final int MAX_POP = 32;
  private static final Object NO_STATE = new Object();

  /** Told once when the link ends: by a detach (closed or not) or by the transport going away. */
  interface Ending {
    void ended(boolean closedByPeer);
  }

  private final AmqpSession session;
  private final Sender sender;
  private final LinkCodec codec;
  private final ConnectionLinks connection;
  private final String group;
  private final String topic;
  private final FilterType filterType;
  private final String expression;
  private final boolean browse;
  private final Ending ending;
  private final long renewMillis;
  private Nodes nodes;
  private int epoch;
  private final ArrayDeque<ReceivedMessage> ready = new ArrayDeque<>();
  private final Map<Delivery, Receipt> unsettled = new HashMap<>();
  private PeekPosition browsed;
  private boolean waiting;
  private boolean draining;
  private boolean browseRetryPending;
  private boolean opened;
  private boolean ended;
  private long nextTag;
  private boolean renewScheduled;

  /** Deliveries whose renewal is in flight, and the outcome the peer gave meanwhile (or null). */
  private final Map<Delivery, Object> renewing = new HashMap<>();

  /**
   * Accepted deliveries not yet acknowledged to the service: the dispositions of one read (and the
   * pre-settled deliveries of one pump) go as one {@code ackAll}, at the latest once the
   * connection's thread has finished what it is doing now.
   */
  private final List<Receipt> acks = new ArrayList<>();

  private boolean acksScheduled;

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
      long renewMillis) {
    this.renewMillis = renewMillis;
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
    pump();
  }

  private boolean presettled() {
    return sender.getSenderSettleMode() == SenderSettleMode.SETTLED;
  }

  @Override
  public void onFlow(Link link) {
    pump();
  }

  /** Sends what is ready as far as credit goes, then asks the service for more. */
  private void pump() {
    if (!opened || ended) {
      return;
    }
    while (sender.getCredit() > 0 && !ready.isEmpty()) {
      deliver(ready.poll());
    }
    if (sender.getCredit() <= 0) {
      giveBackReady();
      return;
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
    session
        .service()
        .pop(
            new PopCommand(
                group,
                topic,
                -1,
                max,
                INVISIBLE_MILLIS,
                pollMillis,
                filterType,
                expression,
                false,
                group.equals(DestinationNames.queueGroup(topic))))
        .whenCompleteAsync((r, e) -> popped(r, e, max, drain), session.executor());
  }

  private void popped(PopResult r, Throwable e, int asked, boolean drain) {
    List<ReceivedMessage> got = List.of();
    if (e != null) {
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
      if (got.isEmpty() && !ended) {
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
    while (sender.getCredit() > 0 && !ready.isEmpty()) {
      deliver(ready.poll());
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
    if (!ok) {
      // The service refused (topic gone, store closed): ask again later, not in a tight loop.
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

  private void deliver(ReceivedMessage m) {
    byte[] bytes = codec.encode(m);
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
      unsettled.put(d, receipt);
      scheduleRenewal();
    }
  }

  /**
   * A delivery the peer holds (a prefetched message a slow application has not reached yet) stays
   * invisible: every RENEW_MILLIS each unsettled delivery's invisibility is extended by
   * INVISIBLE_MILLIS, so it is not handed to another consumer while this link lives.
   */
  private void scheduleRenewal() {
    if (renewScheduled || ended) {
      return;
    }
    renewScheduled = true;
    CompletableFuture.delayedExecutor(renewMillis, TimeUnit.MILLISECONDS, session.executor())
        .execute(this::renew);
  }

  private void renew() {
    renewScheduled = false;
    if (ended || unsettled.isEmpty()) {
      return;
    }
    for (Map.Entry<Delivery, Receipt> e : new ArrayList<>(unsettled.entrySet())) {
      Delivery d = e.getKey();
      renewing.put(d, null);
      session
          .service()
          .changeInvisibility(e.getValue(), INVISIBLE_MILLIS)
          .whenCompleteAsync(
              (r, err) -> {
                Object settledMeanwhile = renewing.remove(d);
                if (err != null || r.status() != io.wharfmq.service.AckStatus.OK) {
                  return;
                }
                if (unsettled.containsKey(d)) {
                  unsettled.put(d, r.receipt()); // the new receipt names the delivery from now on
                } else if (settledMeanwhile != null
                    && !(settledMeanwhile instanceof TransactionalState)) {
                  // The outcome went out with the old receipt, which the renewal made stale.
                  apply(r.receipt(), settledMeanwhile == NO_STATE ? null : settledMeanwhile);
                }
              },
              session.executor());
    }
    scheduleRenewal();
  }

  @Override
  public void onDelivery(Delivery d) {
    DeliveryState state = d.getRemoteState();
    Receipt receipt = unsettled.get(d);
    if (receipt == null) {
      if (d.remotelySettled()) {
        d.settle();
      }
      return;
    }
    if (state == null && !d.remotelySettled()) {
      return;
    }
    unsettled.remove(d);
    if (renewing.containsKey(d)) {
      renewing.put(d, state == null ? NO_STATE : state);
    }
    if (state instanceof TransactionalState ts) {
      Transaction t = connection.transactions.get(ts.getTxnId());
      if (t != null && (ts.getOutcome() == null || ts.getOutcome() instanceof Accepted)) {
        t.enlistAck(receipt);
      } else {
        apply(receipt, ts.getOutcome());
      }
    } else {
      apply(receipt, state);
    }
    d.settle();
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
    if (closed) {
      link.close();
    } else {
      link.detach();
    }
    // Freed, so a later attach with the same name (a durable subscriber coming back) gets a new
    // link: proton-j hands back a detached link of that name otherwise. The frame still goes out.
    link.free();
  }

  @Override
  public void onTransportGone() {
    end(false);
  }

  private void end(boolean closedByPeer) {
    if (ended) {
      return;
    }
    ended = true;
    flushAcks();
    giveBackReady();
    for (Receipt r : unsettled.values()) {
      session.service().release(r, false);
    }
    unsettled.clear();
    if (ending != null) {
      ending.ended(closedByPeer);
    }
  }
}
