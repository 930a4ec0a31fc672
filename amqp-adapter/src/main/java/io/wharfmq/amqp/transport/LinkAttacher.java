package io.wharfmq.amqp.transport;

import org.apache.qpid.proton.engine.Link;

/**
 * Decides what a remote attach means: the transport hands every attach (sender, receiver and
 * transaction coordinator links) to it on the connection's thread. The attacher sets the local
 * terminus, sets a {@link LinkEndpoint} as the link's context and opens the link, or refuses it
 * (open with a null terminus, then close with an error condition), as AMQP 1.0 section 2.6.3 and
 * reference/amqp-jms.md describe.
 */
@FunctionalInterface
public interface LinkAttacher {
  void onRemoteAttach(AmqpSession session, Link link);
}
