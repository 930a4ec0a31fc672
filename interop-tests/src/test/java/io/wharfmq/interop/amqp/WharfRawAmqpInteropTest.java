package io.wharfmq.interop.amqp;

import org.junit.jupiter.api.Disabled;

/** rhea and Qpid Proton for Python against a real Wharf process with its AMQP listener. */
@Disabled("until the AMQP listener lands (branches amqp-transport and amqp-links)")
class WharfRawAmqpInteropTest extends RawAmqpSuite {
  @Override
  AmqpBrokerUnderTest newBroker() {
    return new WharfAmqpBroker();
  }
}
