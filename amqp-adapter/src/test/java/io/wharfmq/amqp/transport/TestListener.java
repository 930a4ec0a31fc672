package io.wharfmq.amqp.transport;

import io.wharfmq.service.MessagingService;
import java.util.function.Consumer;
import org.apache.qpid.jms.JmsConnectionFactory;

/** A live listener on 127.0.0.1 and a free port, for one test; close it after. */
final class TestListener implements AutoCloseable {
  final AmqpConfig config;
  final AmqpListener listener;

  TestListener(LinkAttacher attacher, Consumer<AmqpConfig> settings) throws Exception {
    this(null, attacher, settings);
  }

  /** With a service (null: none, so every vhost is taken as it comes). */
  TestListener(MessagingService service, LinkAttacher attacher, Consumer<AmqpConfig> settings)
      throws Exception {
    config = new AmqpConfig().amqpPort(0).amqpBindAddress("127.0.0.1");
    settings.accept(config);
    listener = new AmqpListener(config, service, attacher);
    listener.start();
  }

  int port() {
    return listener.port();
  }

  /** A Qpid JMS factory for this listener; {@code options} without the leading '?'. */
  JmsConnectionFactory qpid(String options) {
    String uri = "amqp://127.0.0.1:" + port();
    return new JmsConnectionFactory(options.isEmpty() ? uri : uri + "?" + options);
  }

  @Override
  public void close() {
    listener.close();
  }
}
