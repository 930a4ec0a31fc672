package io.wharfmq.jms.javax;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.jms.WharfConnectionFactory;
import io.wharfmq.jms.WharfStandaloneExtension;
import io.wharfmq.jms.jndi.WharfInitialContextFactory;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.jms.Message;
import javax.jms.MessageListener;
import javax.jms.Queue;
import javax.jms.QueueConnection;
import javax.jms.QueueConnectionFactory;
import javax.jms.QueueReceiver;
import javax.jms.QueueSender;
import javax.jms.QueueSession;
import javax.jms.Session;
import javax.jms.TextMessage;
import javax.jms.Topic;
import javax.jms.TopicConnection;
import javax.jms.TopicConnectionFactory;
import javax.jms.TopicPublisher;
import javax.jms.TopicSession;
import javax.jms.TopicSubscriber;
import javax.naming.Context;
import javax.naming.InitialContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.jms.listener.DefaultMessageListenerContainer;

/**
 * Applications written against javax.jms on the transformed provider, against one real Wharf
 * process: a JMS 1.1 application with the domain-specific interfaces and JNDI, and Spring Framework
 * 5.3's {@code JmsTemplate} and {@code DefaultMessageListenerContainer}.
 */
@Timeout(120)
class JavaxApplicationsTest {
  private static final long RECEIVE_MS = 10_000;

  @RegisterExtension static final WharfStandaloneExtension wharf = new WharfStandaloneExtension();

  private static String text(javax.jms.Message message) throws javax.jms.JMSException {
    assertThat(message).as("a message within %d ms", RECEIVE_MS).isInstanceOf(TextMessage.class);
    return ((TextMessage) message).getText();
  }

  /** JMS 1.1: QueueConnectionFactory, TopicConnectionFactory and JNDI. */
  @Nested
  class Jms11Application {

    @Test
    void queueSenderToQueueReceiver() throws Exception {
      QueueConnectionFactory factory = new WharfConnectionFactory(wharf.url());
      try (QueueConnection connection = factory.createQueueConnection()) {
        connection.start();
        QueueSession session = connection.createQueueSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue queue = session.createQueue("javax.jms11.queue");
        QueueReceiver receiver = session.createReceiver(queue);
        QueueSender sender = session.createSender(queue);
        sender.send(session.createTextMessage("one"));
        session.createSender(null).send(queue, session.createTextMessage("two"));

        // Two producers: the queue does not order their messages against each other.
        assertThat(List.of(text(receiver.receive(RECEIVE_MS)), text(receiver.receive(RECEIVE_MS))))
            .containsExactlyInAnyOrder("one", "two");
        assertThat(receiver.getQueue().getQueueName()).isEqualTo("javax.jms11.queue");
      }
    }

    @Test
    void topicPublisherToSubscriberAndDurableSubscriber() throws Exception {
      TopicConnectionFactory factory = new WharfConnectionFactory(wharf.url());
      try (TopicConnection connection = factory.createTopicConnection()) {
        connection.setClientID("javax-jms11-app");
        connection.start();
        TopicSession session = connection.createTopicSession(false, Session.AUTO_ACKNOWLEDGE);
        Topic topic = session.createTopic("javax.jms11.topic");
        TopicSubscriber subscriber = session.createSubscriber(topic);
        TopicSubscriber durable = session.createDurableSubscriber(topic, "prices");
        TopicPublisher publisher = session.createPublisher(topic);

        publisher.publish(session.createTextMessage("live"));
        assertThat(text(subscriber.receive(RECEIVE_MS))).isEqualTo("live");
        assertThat(text(durable.receive(RECEIVE_MS))).isEqualTo("live");

        // Published while the durable subscriber is closed: kept for it.
        durable.close();
        publisher.publish(session.createTextMessage("kept"));
        assertThat(text(subscriber.receive(RECEIVE_MS))).isEqualTo("kept");
        TopicSubscriber again = session.createDurableSubscriber(topic, "prices");
        assertThat(text(again.receive(RECEIVE_MS))).isEqualTo("kept");
        again.close();
        session.unsubscribe("prices");
      }
    }

    @Test
    void factoryAndDestinationsFromJndi() throws Exception {
      Hashtable<String, String> env = new Hashtable<>();
      env.put(Context.INITIAL_CONTEXT_FACTORY, WharfInitialContextFactory.class.getName());
      env.put(Context.PROVIDER_URL, wharf.url());
      env.put("queue.jms/orders", "javax.jndi.orders");
      env.put("topic.jms/prices", "javax.jndi.prices");
      Context jndi = new InitialContext(env);
      try {
        QueueConnectionFactory factory =
            (QueueConnectionFactory) jndi.lookup("QueueConnectionFactory");
        Queue queue = (Queue) jndi.lookup("jms/orders");
        assertThat(queue.getQueueName()).isEqualTo("javax.jndi.orders");
        assertThat(((Topic) jndi.lookup("jms/prices")).getTopicName())
            .isEqualTo("javax.jndi.prices");
        try (QueueConnection connection = factory.createQueueConnection()) {
          connection.start();
          QueueSession session = connection.createQueueSession(false, Session.AUTO_ACKNOWLEDGE);
          QueueReceiver receiver = session.createReceiver(queue);
          session.createSender(queue).send(session.createTextMessage("looked up"));
          assertThat(text(receiver.receive(RECEIVE_MS))).isEqualTo("looked up");
        }
      } finally {
        jndi.close();
      }
    }
  }

  /** Spring Framework 5.3 as an application configures it. */
  @Nested
  class Spring5 {

    private JmsTemplate template() {
      JmsTemplate template = new JmsTemplate(new WharfConnectionFactory(wharf.url()));
      template.setReceiveTimeout(RECEIVE_MS);
      return template;
    }

    @Test
    void convertAndSendThenReceiveAndConvert() {
      JmsTemplate template = template();
      template.convertAndSend("spring5.convert", "hello");
      assertThat(template.receiveAndConvert("spring5.convert")).isEqualTo("hello");
    }

    @Test
    void messageCreatorAndPostProcessor() throws Exception {
      JmsTemplate template = template();
      template.send("spring5.created", session -> session.createTextMessage("created"));
      template.convertAndSend(
          "spring5.processed",
          "processed",
          message -> {
            message.setStringProperty("stage", "post-processed");
            message.setJMSCorrelationID("corr-1");
            return message;
          });

      assertThat(text(template.receive("spring5.created"))).isEqualTo("created");
      Message processed = template.receive("spring5.processed");
      assertThat(text(processed)).isEqualTo("processed");
      assertThat(processed.getStringProperty("stage")).isEqualTo("post-processed");
      assertThat(processed.getJMSCorrelationID()).isEqualTo("corr-1");
    }

    @Test
    void listenerContainerReceives() throws Exception {
      List<String> received = new CopyOnWriteArrayList<>();
      DefaultMessageListenerContainer container = new DefaultMessageListenerContainer();
      container.setConnectionFactory(new WharfConnectionFactory(wharf.url()));
      container.setDestinationName("spring5.listener");
      container.setReceiveTimeout(200);
      container.setMessageListener(
          (MessageListener)
              message -> {
                try {
                  received.add(((TextMessage) message).getText());
                } catch (javax.jms.JMSException e) {
                  throw new IllegalStateException(e);
                }
              });
      container.afterPropertiesSet();
      container.start();
      try {
        JmsTemplate template = template();
        template.convertAndSend("spring5.listener", "a");
        template.convertAndSend("spring5.listener", "b");
        Awaitility.await("the container's listener got both messages")
            .atMost(Duration.ofSeconds(20))
            .until(() -> received.size() >= 2);
        assertThat(received).containsExactlyInAnyOrder("a", "b");
      } finally {
        container.shutdown();
      }
    }
  }
}
