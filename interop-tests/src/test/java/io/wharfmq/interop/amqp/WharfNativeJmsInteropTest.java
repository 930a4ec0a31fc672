package io.wharfmq.interop.amqp;

import io.wharfmq.jms.WharfConnectionFactory;
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
        return providerFactory(namesrvAddr(), options);
      }
    };
  }

  /**
   * Wharf's provider on the name server {@code namesrvAddr}, with bounded timeouts and the suite's
   * ObjectMessage classes trusted; {@code options} are more URL options (may be empty).
   */
  static ConnectionFactory providerFactory(String namesrvAddr, String options) {
    String url =
        "wharf://"
            + namesrvAddr
            + "?sendTimeout=20000&requestTimeout=20000"
            + "&trustedPackages=java.lang,java.util,io.wharfmq.interop";
    return new WharfConnectionFactory(options.isEmpty() ? url : url + "&" + options);
  }
}
