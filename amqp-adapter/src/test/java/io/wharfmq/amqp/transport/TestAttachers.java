package io.wharfmq.amqp.transport;

import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;

/**
 * Link attachers for transport tests, where links are not the subject: one refuses every attach,
 * the other accepts producer links and swallows what they send.
 */
final class TestAttachers {
  private TestAttachers() {}

  static final Symbol NOT_IMPLEMENTED = Symbol.valueOf("amqp:not-implemented");

  /** Refuses every attach as AMQP 1.0 section 2.6.3 says: null terminus, then close with error. */
  static LinkAttacher refuseAll() {
    return (session, link) -> {
      link.setSource(null);
      link.setTarget(null);
      link.open();
      link.setCondition(new ErrorCondition(NOT_IMPLEMENTED, "no links in this test"));
      link.close();
    };
  }

  /**
   * Accepts links on which the peer sends (grants {@code credit} once), reads and accepts every
   * message, records the sessions it saw; refuses links on which the peer would receive.
   */
  static final class Sink implements LinkAttacher {
    final int credit;
    final ConcurrentLinkedQueue<AmqpSession> sessions = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<byte[]> messages = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> gone = new ConcurrentLinkedQueue<>();

    /** Answer a detach with {@code detach()} only, as an endpoint keeping a subscription may. */
    volatile boolean detachOnly;

    Sink(int credit) {
      this.credit = credit;
    }

    @Override
    public void onRemoteAttach(AmqpSession session, Link link) {
      sessions.add(session);
      if (!(link instanceof Receiver r)) {
        refuseAll().onRemoteAttach(session, link);
        return;
      }
      r.setTarget(r.getRemoteTarget());
      r.setSource(r.getRemoteSource());
      r.setContext(
          new LinkEndpoint() {
            @Override
            public void onDelivery(Delivery d) {
              if (d.isPartial()) {
                return;
              }
              byte[] b = new byte[d.available()];
              r.recv(b, 0, b.length);
              r.advance();
              messages.add(b);
              d.disposition(Accepted.getInstance());
              d.settle();
            }

            @Override
            public void onRemoteDetach(Link l, boolean closed) {
              gone.add("detach " + l.getName());
              if (detachOnly && !closed) {
                l.detach();
              } else {
                l.close();
              }
            }

            @Override
            public void onTransportGone() {
              gone.add("gone " + r.getName());
            }
          });
      r.open();
      if (credit > 0) {
        r.flow(credit);
      }
    }
  }
}
