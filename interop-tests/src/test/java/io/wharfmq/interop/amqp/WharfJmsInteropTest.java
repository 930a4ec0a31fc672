package io.wharfmq.interop.amqp;

/** The JMS suite against a real Wharf process with its AMQP listener. */
class WharfJmsInteropTest extends JmsConformanceSuite {
  @Override
  AmqpBrokerUnderTest newBroker() {
    return new WharfAmqpBroker();
  }
}
