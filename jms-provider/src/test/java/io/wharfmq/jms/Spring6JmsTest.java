package io.wharfmq.jms;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.MessageListener;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.jms.listener.DefaultMessageListenerContainer;

/**
 * Spring Framework 6 (jakarta.jms) over this provider and a real Wharf process: {@code
 * JmsTemplate}, a transacted {@code DefaultMessageListenerContainer} and a {@code
 * CachingConnectionFactory}.
 */
@Timeout(120)
class Spring6JmsTest {
  private static final long RECEIVE_MS = 10_000;

  @RegisterExtension static final WharfStandaloneExtension wharf = new WharfStandaloneExtension();

  private static WharfConnectionFactory factory() {
    return new WharfConnectionFactory(wharf.url());
  }

  private static JmsTemplate template(ConnectionFactory factory) {
    JmsTemplate template = new JmsTemplate(factory);
    template.setReceiveTimeout(RECEIVE_MS);
    return template;
  }

  @Test
  void convertAndSendThenReceiveAndConvert() {
    JmsTemplate template = template(factory());
    template.convertAndSend("spring6.convert", "hello");
    assertThat(template.receiveAndConvert("spring6.convert")).isEqualTo("hello");
  }

  @Test
  void sessionTransactedSendIsCommitted() {
    JmsTemplate transacted = template(factory());
    transacted.setSessionTransacted(true);
    transacted.convertAndSend("spring6.transacted", "committed");
    assertThat(template(factory()).receiveAndConvert("spring6.transacted")).isEqualTo("committed");
  }

  @Test
  void transactedListenerContainerRedeliversWhatTheListenerThrowsOn() {
    List<String> deliveries = new CopyOnWriteArrayList<>();
    DefaultMessageListenerContainer container = new DefaultMessageListenerContainer();
    container.setConnectionFactory(factory());
    container.setDestinationName("spring6.listener");
    container.setSessionTransacted(true);
    container.setReceiveTimeout(200);
    container.setMessageListener(
        (MessageListener)
            message -> {
              try {
                String text = ((TextMessage) message).getText();
                boolean redelivered = message.getJMSRedelivered();
                deliveries.add(text + (redelivered ? " again" : ""));
                if (text.equals("poison") && !redelivered) {
                  throw new IllegalStateException("the first delivery of poison fails");
                }
              } catch (JMSException e) {
                throw new IllegalStateException(e);
              }
            });
    container.afterPropertiesSet();
    container.start();
    try {
      JmsTemplate template = template(factory());
      template.convertAndSend("spring6.listener", "poison");
      template.convertAndSend("spring6.listener", "normal");
      Awaitility.await("poison redelivered and normal delivered")
          .atMost(Duration.ofSeconds(30))
          .until(() -> deliveries.contains("poison again") && deliveries.contains("normal"));
    } finally {
      container.shutdown();
    }
    JmsTemplate template = template(factory());
    template.setReceiveTimeout(500);
    assertThat(template.receive("spring6.listener")).as("nothing left on the queue").isNull();
    assertThat(deliveries).containsExactlyInAnyOrder("poison", "poison again", "normal");
  }

  @Test
  void cachingConnectionFactoryReusesOneSessionAndProducer() {
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    ConnectionFactory counted = counting(factory(), ConnectionFactory.class, calls);
    CachingConnectionFactory caching = new CachingConnectionFactory(counted);
    try {
      JmsTemplate template = template(caching);
      for (int i = 0; i < 5; i++) {
        template.convertAndSend("spring6.cached", "m" + i);
      }
      assertThat(calls.get("createConnection")).hasValue(1);
      assertThat(calls.get("createSession")).hasValue(1);
      assertThat(calls.get("createProducer")).hasValue(1);
      for (int i = 0; i < 5; i++) {
        assertThat(template.receiveAndConvert("spring6.cached")).isNotNull();
      }
    } finally {
      caching.destroy();
    }
  }

  /**
   * Counts calls by method name on a factory and the connections and sessions it makes, which is
   * what CachingConnectionFactory should make few of.
   */
  private static <T> T counting(T target, Class<T> type, Map<String, AtomicInteger> calls) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              calls.computeIfAbsent(method.getName(), n -> new AtomicInteger()).incrementAndGet();
              Object result;
              try {
                result = method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              if (result instanceof Connection c) {
                return counting(c, Connection.class, calls);
              }
              if (result instanceof Session s) {
                return counting(s, Session.class, calls);
              }
              return result;
            }));
  }
}
