package io.wharfmq.interop.amqp;

import jakarta.jms.ConnectionFactory;

/**
 * The JMS suite with Wharf's own JMS provider ({@code jms-provider}) against a real Wharf process,
 * over the native protocol through its name server: the same tests Qpid JMS passes against Wharf's
 * AMQP listener and against ActiveMQ Artemis.
 */
class WharfNativeJmsInteropTest extends JmsConformanceSuite {
  @Override
  AmqpBrokerUnderTest newBroker() {
    return new WharfAmqpBroker() {
      @Override
      public String name() {
        return "wharf-native-jms";
      }

      @Override
      public boolean keepsMessageGroups() {
        return true;
      }

      @Override
      public boolean marksRedeliveryAfterAListenerThrew() {
        return true;
      }

      @Override
      public ConnectionFactory suiteFactory(String options) {
        return providerFactory(options);
      }
    };
  }
}
