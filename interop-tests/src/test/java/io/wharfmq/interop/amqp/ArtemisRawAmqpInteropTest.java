package io.wharfmq.interop.amqp;

/** rhea and Qpid Proton for Python against ActiveMQ Artemis, the reference. */
class ArtemisRawAmqpInteropTest extends RawAmqpSuite {
  @Override
  AmqpBrokerUnderTest newBroker() {
    return new ArtemisBroker();
  }

  /** Artemis sometimes leaves a second drain unanswered for over 30 s; Wharf's run keeps it. */
  @Override
  boolean answersEveryDrain() {
    return false;
  }
}
