package io.wharfmq.interop.amqp;

/** rhea and Qpid Proton for Python against ActiveMQ Artemis, the reference. */
class ArtemisRawAmqpInteropTest extends RawAmqpSuite {
  @Override
  AmqpBrokerUnderTest newBroker() {
    return new ArtemisBroker();
  }
}
