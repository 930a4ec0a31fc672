package io.wharfmq.launcher;

import io.wharfmq.amqp.link.AmqpLinkAttacher;
import io.wharfmq.amqp.transport.AmqpConfig;
import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.amqp.transport.LinkAttacher;
import io.wharfmq.service.MessagingService;
import io.wharfmq.tls.ServerTls;

/**
 * The AMQP 1.0 listener of {@code bin/wharf standalone} and {@code bin/wharf broker} (and of tests
 * that start Wharf in their own JVM): the listener over the broker's messaging service and the
 * links of {@link #linkAttacher}. Stateless.
 */
public final class AmqpWiring {
  private AmqpWiring() {}

  /** What attached links mean: queues, topics, subscriptions and transactions (docs/amqp.md). */
  public static LinkAttacher linkAttacher(AmqpConfig config) {
    return new AmqpLinkAttacher(
        config.amqpMaxMessageSize(),
        config.amqpInvisibleTimeMs(),
        config.amqpProducerFlowHighMark());
  }

  /** Starts the TLS-only (amqps) listener over {@code service}; the caller closes it. */
  public static AmqpListener startTls(AmqpConfig config, ServerTls tls, MessagingService service)
      throws Exception {
    AmqpListener listener = new AmqpListener(config, service, linkAttacher(config)).tls(tls);
    listener.start();
    return listener;
  }

  /** Starts the listener over {@code service}; the caller closes it. */
  public static AmqpListener start(AmqpConfig config, MessagingService service) throws Exception {
    AmqpListener listener = new AmqpListener(config, service, linkAttacher(config));
    listener.start();
    return listener;
  }
}
