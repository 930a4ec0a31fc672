package io.wharfmq.interop.amqp;

import org.junit.jupiter.api.Disabled;

/** The JMS suite against a real Wharf process with its AMQP listener. */
@Disabled("until the AMQP listener lands (branches amqp-transport and amqp-links)")
class WharfJmsInteropTest extends JmsConformanceSuite {
  @Override
  AmqpBrokerUnderTest newBroker() {
    return new WharfAmqpBroker();
  }
}
