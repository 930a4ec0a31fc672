package io.wharfmq.interop.amqp;

import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * The JMS suite with the ActiveMQ Artemis JMS client against an embedded Artemis over Artemis's own
 * core protocol: the reference run, with no AMQP mapping between the client and the broker. A suite
 * test that fails here assumed something of one provider that JMS does not promise.
 */
class ArtemisCoreJmsInteropTest extends JmsConformanceSuite {
  @Override
  AmqpBrokerUnderTest newBroker() {
    return new ArtemisBroker() {
      @Override
      public String name() {
        return "artemis-core-jms";
      }

      @Override
      public boolean marksRedeliveryAfterAListenerThrew() {
        return true;
      }

      @Override
      public boolean refusesUnsubscribeWhileAnotherConnectionConsumes() {
        return true;
      }

      @Override
      public ConnectionFactory suiteFactory(String options) {
        // Bounded calls, so that a broker that does not answer fails the test instead of hanging;
        // no reconnection, so that a closed connection stays closed.
        String url = coreUri() + "?callTimeout=20000&reconnectAttempts=0";
        return new ActiveMQConnectionFactory(options.isEmpty() ? url : url + "&" + options);
      }
    };
  }
}
