package io.wharfmq.launcher;

import io.wharfmq.amqp.transport.AmqpConfig;
import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.amqp.transport.LinkAttacher;
import io.wharfmq.service.MessagingService;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;

/**
 * The AMQP 1.0 listener of {@code bin/wharf standalone} and {@code bin/wharf broker} (and of tests
 * that start Wharf in their own JVM): the listener over the broker's messaging service and the
 * links of {@link #linkAttacher}. Stateless.
 */
public final class AmqpWiring {
  private AmqpWiring() {}

  /**
   * What attached links mean. Until the links of io.wharfmq.amqp.link are merged, every attach is
   * refused with amqp:not-implemented (connections, sessions and SASL already work).
   *
   * <p>LEAD: once io.wharfmq.amqp.link is on main, the body is {@code return new
   * io.wharfmq.amqp.link.AmqpLinkAttacher(config.amqpMaxMessageSize());}
   */
  public static LinkAttacher linkAttacher(AmqpConfig config) {
    return (session, link) -> {
      link.setSource(null);
      link.setTarget(null);
      link.open();
      link.setCondition(
          new ErrorCondition(
              Symbol.valueOf("amqp:not-implemented"), "queues and topics are not served yet"));
      link.close();
    };
  }

  /** Starts the listener over {@code service}; the caller closes it. */
  public static AmqpListener start(AmqpConfig config, MessagingService service) throws Exception {
    AmqpListener listener = new AmqpListener(config, service, linkAttacher(config));
    listener.start();
    return listener;
  }
}
