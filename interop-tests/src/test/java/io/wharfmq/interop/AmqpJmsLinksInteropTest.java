package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.broker.Broker;
import jakarta.jms.Connection;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qpid JMS 2.x against a real Wharf broker and its AMQP listener (in this JVM, free ports): the
 * links of io.wharfmq.amqp.link end to end with the broker's LocalMessagingService.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AmqpJmsLinksInteropTest {
  private static final long WAIT = 10_000;
  @TempDir Path dir;
  private WharfCluster cluster;
  private AmqpListener amqp;
  private final List<Connection> connections = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = new WharfCluster(dir);
    Broker b = cluster.startBroker("b1");
    amqp = cluster.startAmqp(b);
  }

  @AfterEach
  void stop() throws Exception {
    for (Connection c : connections) {
      try {
        c.close();
      } catch (Exception e) {
        // already gone
      }
    }
    cluster.close();
  }

  private Connection connect(String options) throws Exception {
    String uri = "amqp://127.0.0.1:" + amqp.port();
    Connection c =
        new JmsConnectionFactory(options.isEmpty() ? uri : uri + "?" + options).createConnection();
    connections.add(c);
    c.start();
    return c;
  }

  private static List<String> receiveAll(MessageConsumer c, int n) throws Exception {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Message m = c.receive(WAIT);
      assertThat(m).as("message %d of %d", i + 1, n).isNotNull();
      out.add(((TextMessage) m).getText());
    }
    return out;
  }

  @Test
  void queueKeepsOneProducersOrderAndCompetingConsumersShareIt() throws Exception {
    Connection c = connect("");
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Queue q = s.createQueue("orders.eu/é"); // not a legal RocketMQ topic: escaped
    MessageProducer p = s.createProducer(q);
    for (int i = 0; i < 20; i++) {
      p.send(s.createTextMessage("m" + i));
    }
    MessageConsumer consumer = s.createConsumer(q);
    List<String> got = receiveAll(consumer, 20);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add("m" + i);
    }
    assertThat(got).containsExactlyElementsOf(expected);
    assertThat(consumer.receiveNoWait()).isNull();
  }

  @Test
  void aQueueCreatedByItsFirstSendKeepsThatMessage() throws Exception {
    Connection c = connect("");
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    s.createProducer(s.createQueue("first-use")).send(s.createTextMessage("kept"));
    MessageConsumer consumer = s.createConsumer(s.createQueue("first-use"));
    assertThat(receiveAll(consumer, 1)).containsExactly("kept");
  }

  @Test
  void topicSubscribersGetWhatIsSentAfterTheySubscribed() throws Exception {
    Connection c = connect("");
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Topic t = s.createTopic("news");
    MessageProducer p = s.createProducer(t);
    p.send(s.createTextMessage("before"));
    MessageConsumer a = s.createConsumer(t);
    MessageConsumer b = s.createConsumer(t);
    p.send(s.createTextMessage("after"));
    assertThat(receiveAll(a, 1)).containsExactly("after");
    assertThat(receiveAll(b, 1)).containsExactly("after");
    assertThat(a.receiveNoWait()).isNull();
  }

  @Test
  void durableSubscriptionKeepsMessagesWhileAwayAndUnsubscribeEndsIt() throws Exception {
    Connection c = connect("jms.clientID=durable-client");
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Topic t = s.createTopic("prices");
    MessageConsumer sub = s.createDurableSubscriber(t, "sub1");
    MessageProducer p = s.createProducer(t);
    p.send(s.createTextMessage("one"));
    assertThat(receiveAll(sub, 1)).containsExactly("one");
    sub.close(); // detach closed=false: the subscription stays
    p.send(s.createTextMessage("while-away"));
    MessageConsumer again = s.createDurableSubscriber(t, "sub1");
    assertThat(receiveAll(again, 1)).containsExactly("while-away");
    again.close();
    s.unsubscribe("sub1");
    assertThatThrownBy(() -> s.unsubscribe("sub1")).isInstanceOf(InvalidDestinationException.class);
  }

  @Test
  void sharedSubscriptionConsumersCompete() throws Exception {
    Connection c1 = connect("");
    Connection c2 = connect("");
    Session s1 = c1.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Session s2 = c2.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Topic t = s1.createTopic("work");
    MessageConsumer a = s1.createSharedDurableConsumer(t, "shared1");
    MessageConsumer b = s2.createSharedDurableConsumer(t, "shared1");
    MessageProducer p = s1.createProducer(t);
    for (int i = 0; i < 10; i++) {
      p.send(s1.createTextMessage("w" + i));
    }
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    long deadline = System.currentTimeMillis() + WAIT;
    while (got.size() < 10 && System.currentTimeMillis() < deadline) {
      Message m = a.receive(100);
      if (m != null) {
        got.add(((TextMessage) m).getText());
      }
      m = b.receive(100);
      if (m != null) {
        got.add(((TextMessage) m).getText());
      }
    }
    assertThat(got).hasSize(10).doesNotHaveDuplicates();
  }

  @Test
  void selectorsFilterOnTheBroker() throws Exception {
    Connection c = connect("");
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Topic t = s.createTopic("colors");
    MessageConsumer red = s.createConsumer(t, "color = 'red'");
    MessageProducer p = s.createProducer(t);
    for (String color : List.of("blue", "red", "green", "red")) {
      TextMessage m = s.createTextMessage(color);
      m.setStringProperty("color", color);
      p.send(m);
    }
    assertThat(receiveAll(red, 2)).containsExactly("red", "red");
    assertThat(red.receive(500)).isNull();
  }

  @Test
  void temporaryQueueServesRequestReply() throws Exception {
    Connection c = connect("");
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    TemporaryQueue reply = s.createTemporaryQueue();
    s.createProducer(reply).send(s.createTextMessage("answer"));
    MessageConsumer consumer = s.createConsumer(reply);
    assertThat(receiveAll(consumer, 1)).containsExactly("answer");
    consumer.close();
    reply.delete();
  }

  @Test
  void browserSeesMessagesWithoutTakingThem() throws Exception {
    Connection c = connect("");
    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    Queue q = s.createQueue("browsed");
    MessageProducer p = s.createProducer(q);
    p.send(s.createTextMessage("a"));
    p.send(s.createTextMessage("b"));
    QueueBrowser browser = s.createBrowser(q);
    List<String> seen = new ArrayList<>();
    for (var e = browser.getEnumeration(); e.hasMoreElements(); ) {
      seen.add(((TextMessage) e.nextElement()).getText());
    }
    assertThat(seen).containsExactly("a", "b");
    assertThat(receiveAll(s.createConsumer(q), 2)).containsExactly("a", "b");
  }

  @Test
  void transactedSessionsCommitAndRollBackWithRedeliveryCounts() throws Exception {
    Connection c = connect("");
    Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
    Queue q = tx.createQueue("txq");
    MessageProducer p = tx.createProducer(q);
    p.send(tx.createTextMessage("t1"));
    Session plain = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    MessageConsumer watcher = plain.createConsumer(q);
    assertThat(watcher.receive(500)).as("not visible before commit").isNull();
    watcher.close();
    tx.commit();

    MessageConsumer consumer = tx.createConsumer(q);
    Message m = consumer.receive(WAIT);
    assertThat(((TextMessage) m).getText()).isEqualTo("t1");
    assertThat(m.getJMSRedelivered()).isFalse();
    tx.rollback();
    Message again = consumer.receive(WAIT);
    assertThat(((TextMessage) again).getText()).isEqualTo("t1");
    assertThat(again.getJMSRedelivered()).isTrue();
    assertThat(again.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
    tx.commit();
    consumer.close();
    MessageConsumer after = plain.createConsumer(q);
    assertThat(after.receive(500)).as("acked at commit").isNull();
  }
}
