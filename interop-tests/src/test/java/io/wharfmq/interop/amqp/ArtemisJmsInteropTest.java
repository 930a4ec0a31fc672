package io.wharfmq.interop.amqp;

/** The JMS suite against ActiveMQ Artemis, the reference: every test must pass here. */
class ArtemisJmsInteropTest extends JmsConformanceSuite {
  @Override
  AmqpBrokerUnderTest newBroker() {
    return new ArtemisBroker();
  }
}
