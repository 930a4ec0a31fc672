package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.broker.Broker;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.GroupSettings;
import jakarta.jms.Connection;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may use which AMQP destination, with Qpid JMS against a real Wharf broker and its AMQP
 * listener in this JVM (docs/amqp.md, "Temporary destinations"): temporary destinations are known
 * by their name, whatever the client says the address is; only their connection consumes; a deleted
 * one is not made again by a send. Also: a name used first as a topic still becomes a proper queue,
 * and shared non-durable subscriptions survive churn across connections.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AmqpDestinationRulesInteropTest {
  private static final long WAIT = 10_000;
  @TempDir Path dir;
  private WharfCluster cluster;
  private Broker broker;
  private AmqpListener amqp;
  private final List<Connection> connections = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = new WharfCluster(dir);
    broker = cluster.startBroker("b1");
    amqp = cluster.startAmqp(broker);
  }

  @AfterEach
  void stop() throws Exception {
    for (Connection c : connections) {
      try {
        c.close();
      } catch (JMSException e) {
        // already gone
      }
    }
    cluster.close();
  }

  private Connection connect() throws Exception {
    Connection c = new JmsConnectionFactory("amqp://127.0.0.1:" + amqp.port()).createConnection();
    connections.add(c);
    c.start();
    return c;
  }

  private static String text(Message m) throws JMSException {
    assertThat(m).isNotNull();
    return ((TextMessage) m).getText();
  }

  @Test
  void anotherConnectionCannotConsumeFromATemporaryQueueByItsPlainName() throws Exception {
    Connection owner = connect();
    Session os = owner.createSession(false, Session.AUTO_ACKNOWLEDGE);
    TemporaryQueue reply = os.createTemporaryQueue();
    Session thief = connect().createSession(false, Session.AUTO_ACKNOWLEDGE);

    // A plain queue address (capability "queue"), not the temporary-queue capability.
    assertThatThrownBy(() -> thief.createConsumer(thief.createQueue(reply.getQueueName())))
        .isInstanceOf(JMSSecurityException.class)
        .hasMessageContaining("only the connection that created");

    // Anyone may still send to it (request/reply), and the owner gets everything.
    thief
        .createProducer(thief.createQueue(reply.getQueueName()))
        .send(thief.createTextMessage("r"));
    assertThat(text(os.createConsumer(reply).receive(WAIT))).isEqualTo("r");
  }

  @Test
  void anotherConnectionCannotSubscribeToATemporaryTopic() throws Exception {
    Connection owner = connect();
    Session os = owner.createSession(false, Session.AUTO_ACKNOWLEDGE);
    TemporaryTopic events = os.createTemporaryTopic();
    Session other = connect().createSession(false, Session.AUTO_ACKNOWLEDGE);

    assertThatThrownBy(() -> other.createConsumer(other.createTopic(events.getTopicName())))
        .isInstanceOf(JMSSecurityException.class);
    MessageConsumer mine = os.createConsumer(events);
    other
        .createProducer(other.createTopic(events.getTopicName()))
        .send(other.createTextMessage("e"));
    assertThat(text(mine.receive(WAIT))).isEqualTo("e");
  }

  @Test
  void aSendToADeletedTemporaryQueueIsRefusedAndCreatesNothing() throws Exception {
    Session os = connect().createSession(false, Session.AUTO_ACKNOWLEDGE);
    TemporaryQueue reply = os.createTemporaryQueue();
    String name = reply.getQueueName();
    reply.delete();

    Session s = connect().createSession(false, Session.AUTO_ACKNOWLEDGE);
    // The anonymous relay with a plain queue as `to` (x-opt-jms-dest 0, not "temporary").
    MessageProducer relay = s.createProducer(null);
    assertThatThrownBy(() -> relay.send(s.createQueue(name), s.createTextMessage("late reply")))
        .isInstanceOf(InvalidDestinationException.class);
    assertThatThrownBy(() -> s.createProducer(s.createQueue(name)))
        .isInstanceOf(InvalidDestinationException.class);
    String topic = DestinationNames.topic("/", name);
    assertThat(broker.messagingService().group(DestinationNames.queueGroup(topic)))
        .as("no durable queue group pins the name")
        .isNull();
    assertThat(broker.messagingService().topic(topic)).isNull();
  }

  @Test
  void aNameUsedAsATopicFirstStillBecomesAProperQueue() throws Exception {
    Session s = connect().createSession(false, Session.AUTO_ACKNOWLEDGE);
    s.createProducer(s.createTopic("both")).send(s.createTextMessage("to the topic"));
    s.createProducer(s.createQueue("both")).send(s.createTextMessage("to the queue"));

    GroupSettings g = broker.messagingService().group(DestinationNames.queueGroup("both"));
    assertThat(g).as("the queue's group, made by its first send").isNotNull();
    assertThat(g.maxDeliveries()).isEqualTo(17);
    MessageConsumer c = s.createConsumer(s.createQueue("both"));
    assertThat(text(c.receive(WAIT))).isEqualTo("to the queue");
    assertThat(c.receive(500)).as("the topic's message was never the queue's").isNull();
  }

  /**
   * Needs long receives: when the joining link comes first, the leaving link's waiting POP may take
   * the round's message and give it back as it ends, and the joined link gets it at its next POP
   * (up to ConsumerLink.POLL_MILLIS later).
   */
  @Test
  @Timeout(value = 400, unit = TimeUnit.SECONDS)
  void sharedNonDurableSubscriptionSurvivesItsLastLinkLeavingWhileAnotherJoins() throws Exception {
    Connection leaving = connect();
    Connection joining = connect();
    Session ls = leaving.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Session js = joining.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Topic t = ls.createTopic("churn");
    MessageProducer p = js.createProducer(t);
    for (int round = 0; round < 15; round++) {
      String name = "s" + round;
      MessageConsumer old = ls.createSharedConsumer(t, name);
      CountDownLatch go = new CountDownLatch(1);
      CompletableFuture<MessageConsumer> joined =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  go.await();
                  return js.createSharedConsumer(t, name);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      go.countDown();
      old.close();
      MessageConsumer now = joined.get(WAIT, TimeUnit.MILLISECONDS);
      p.send(js.createTextMessage("m" + round));
      Message m = now.receive(3 * WAIT);
      assertThat(m).as("round %d", round).isNotNull();
      assertThat(text(m)).isEqualTo("m" + round);
      now.close();
    }
  }
}
