package io.wharfmq.launcher;

import io.wharfmq.amqp.link.AmqpLinkAttacher;
import io.wharfmq.amqp.transport.AmqpConfig;
import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.amqp.transport.LinkAttacher;
import io.wharfmq.security.AccessControl;
import io.wharfmq.service.MessagingService;
import io.wharfmq.tls.ServerTls;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;

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
  public static AmqpListener startTls(
      AmqpConfig config, ServerTls tls, MessagingService service, AccessControl access)
      throws Exception {
    AmqpListener listener = listener(config, service, access).tls(tls);
    listener.start();
    return listener;
  }

  /** Starts the listener over {@code service}; the caller closes it. */
  public static AmqpListener start(AmqpConfig config, MessagingService service) throws Exception {
    return start(config, service, AccessControl.off());
  }

  /**
   * Starts the listener over {@code service} with the broker's users and permissions (used while
   * {@code access} is enabled, docs/security.md "AMQP door"); the caller closes it.
   */
  public static AmqpListener start(
      AmqpConfig config, MessagingService service, AccessControl access) throws Exception {
    AmqpListener listener = listener(config, service, access);
    listener.start();
    return listener;
  }

  private static AmqpListener listener(
      AmqpConfig config, MessagingService service, AccessControl access) {
    return new AmqpListener(
        config,
        service,
        linkAttacher(config),
        () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()),
        access,
        InstantSource.system());
  }
}
