package io.wharfmq.interop.amqp;

/** rhea and Qpid Proton for Python against a real Wharf process with its AMQP listener. */
class WharfRawAmqpInteropTest extends RawAmqpSuite {
  @Override
  AmqpBrokerUnderTest newBroker() {
    return new WharfAmqpBroker();
  }
}
