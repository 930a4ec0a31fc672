package io.wharfmq.amqp.tx;

import io.wharfmq.amqp.transport.AmqpSession;
import io.wharfmq.amqp.transport.LinkEndpoint;
import java.util.HashSet;
import java.util.Set;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.transaction.Coordinator;
import org.apache.qpid.proton.amqp.transaction.Declare;
import org.apache.qpid.proton.amqp.transaction.Declared;
import org.apache.qpid.proton.amqp.transaction.Discharge;
import org.apache.qpid.proton.amqp.transaction.TransactionErrors;
import org.apache.qpid.proton.amqp.transaction.TxnCapability;
import org.apache.qpid.proton.amqp.transport.AmqpError;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.ReceiverSettleMode;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator a peer attaches to (AMQP 1.0 part 4): declares answer {@code
 * declared} with a fresh id, discharges commit or roll back that transaction and answer {@code
 * accepted}, or {@code rejected} with {@code amqp:transaction:rollback} when a commit could not be
 * applied. Transactions belong to the connection, so every session of it may use them. Owned by the
 * connection's thread.
 */
public final class CoordinatorLink implements LinkEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorLink.class);
  private static final int CREDIT = 100;

  private final AmqpSession session;
  private final Receiver receiver;
  private final Transactions transactions;
  private final Set<Binary> declared = new HashSet<>();

  private CoordinatorLink(AmqpSession session, Receiver receiver, Transactions transactions) {
    this.session = session;
    this.receiver = receiver;
    this.transactions = transactions;
  }

  /** Answers a coordinator attach and grants credit for declares and discharges. */
  public static void attach(AmqpSession session, Receiver receiver, Transactions transactions) {
    Coordinator remote = (Coordinator) receiver.getRemoteTarget();
    Coordinator local = new Coordinator();
    local.setCapabilities(TxnCapability.LOCAL_TXN, TxnCapability.MULTI_TXNS_PER_SSN);
    if (remote.getCapabilities() == null) {
      local.setCapabilities(TxnCapability.LOCAL_TXN);
    }
    receiver.setTarget(local);
    receiver.setSource(receiver.getRemoteSource());
    receiver.setSenderSettleMode(receiver.getRemoteSenderSettleMode());
    receiver.setReceiverSettleMode(ReceiverSettleMode.FIRST);
    CoordinatorLink link = new CoordinatorLink(session, receiver, transactions);
    receiver.setContext(link);
    receiver.open();
    receiver.flow(CREDIT);
  }

  @Override
  public void onDelivery(Delivery delivery) {
    if (!delivery.isReadable() || delivery.isPartial()) {
      return;
    }
    byte[] bytes = new byte[delivery.available()];
    receiver.recv(bytes, 0, bytes.length);
    receiver.advance();
    Object body;
    try {
      Message m = Message.Factory.create();
      m.decode(bytes, 0, bytes.length);
      body = m.getBody() instanceof AmqpValue v ? v.getValue() : null;
    } catch (RuntimeException e) {
      body = null;
    }
    if (body instanceof Declare) {
      Transaction t = transactions.declare();
      this.declared.add(t.id());
      Declared declared = new Declared();
      declared.setTxnId(t.id());
      finish(delivery, declared);
    } else if (body instanceof Discharge d) {
      discharge(delivery, d);
    } else {
      LOG.info("peer {}: coordinator got neither declare nor discharge", session.peer());
      finish(delivery, rejected(AmqpError.DECODE_ERROR, "expected declare or discharge"));
    }
    topUp();
  }

  private void discharge(Delivery delivery, Discharge d) {
    Transaction t = transactions.get(d.getTxnId());
    if (t == null) {
      finish(delivery, rejected(TransactionErrors.UNKNOWN_ID, "unknown transaction"));
      return;
    }
    declared.remove(t.id());
    if (Boolean.TRUE.equals(d.getFail())) {
      transactions
          .rollback(t.id())
          .whenCompleteAsync(
              (v, e) -> finish(delivery, Accepted.getInstance()), session.executor());
      return;
    }
    transactions
        .commit(t.id())
        .whenCompleteAsync(
            (failed, e) -> {
              if (e != null || failed != null) {
                String why = e != null ? String.valueOf(e) : failed;
                LOG.info("peer {}: commit failed: {}", session.peer(), why);
                finish(delivery, rejected(TransactionErrors.TRANSACTION_ROLLBACK, why));
              } else {
                finish(delivery, Accepted.getInstance());
              }
            },
            session.executor());
  }

  private void topUp() {
    if (receiver.getCredit() < CREDIT / 2) {
      receiver.flow(CREDIT - receiver.getCredit());
    }
  }

  private static Rejected rejected(Symbol condition, String description) {
    Rejected r = new Rejected();
    r.setError(new ErrorCondition(condition, description));
    return r;
  }

  private static void finish(Delivery delivery, DeliveryState s) {
    delivery.disposition(s);
    delivery.settle();
  }

  @Override
  public void onRemoteDetach(Link link, boolean closed) {
    // In-doubt transactions: the peer can no longer discharge them, so they roll back.
    rollbackMine();
    LinkEndpoint.answerDetach(link, closed);
  }

  @Override
  public void onTransportGone() {
    rollbackMine();
  }

  private void rollbackMine() {
    for (Binary id : declared) {
      if (transactions.get(id) != null) {
        transactions.rollback(id);
      }
    }
    declared.clear();
  }
}
