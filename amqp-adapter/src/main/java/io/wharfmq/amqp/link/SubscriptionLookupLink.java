package io.wharfmq.amqp.link;

import io.wharfmq.amqp.transport.LinkEndpoint;
import org.apache.qpid.proton.engine.Link;

/**
 * The link that answered a null-source lookup of a durable subscription (Qpid JMS unsubscribe,
 * reference 2.5): it sends nothing, whatever credit it gets; a closing detach deletes the
 * subscription, a plain detach keeps it. Owned by the connection's thread.
 */
final class SubscriptionLookupLink implements LinkEndpoint {
  private final Runnable unsubscribe;

  SubscriptionLookupLink(Runnable unsubscribe) {
    this.unsubscribe = unsubscribe;
  }

  @Override
  public void onRemoteDetach(Link link, boolean closed) {
    if (closed) {
      unsubscribe.run();
    }
    LinkEndpoint.answerDetach(link, closed);
  }

  @Override
  public void onTransportGone() {}
}
