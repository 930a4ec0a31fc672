package io.wharfmq.interop.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageEOFException;
import jakarta.jms.MessageProducer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wharf's JMS provider (native protocol) and Qpid JMS (Wharf's AMQP listener) on one real Wharf
 * process, each reading what the other sent: every message type, every JMS header (reply-to a
 * queue, a topic and a temporary queue, correlation ID, type, priority, delivery mode, expiration,
 * timestamp, message ID), JMSXGroupID/Seq and typed properties of every JMS type, compared field by
 * field with what the sender saw after its send.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WharfJmsCrossProtocolInteropTest {
  private final WharfAmqpBroker broker = new WharfAmqpBroker();
  private final List<Connection> connections = new ArrayList<>();

  @BeforeAll
  void startBroker(@TempDir Path dir) throws Exception {
    broker.start(dir.resolve("wharf"));
  }

  @AfterAll
  void stopBroker() throws Exception {
    broker.stop();
  }

  @AfterEach
  void closeConnections() throws JMSException {
    for (Connection c : connections) {
      c.close();
    }
    connections.clear();
  }

  @Test
  void whatTheProviderSendsQpidJmsReadsFieldByField() throws Exception {
    assertReadAsSent(provider(), broker.jmsFactory(""));
  }

  @Test
  void whatQpidJmsSendsTheProviderReadsFieldByField() throws Exception {
    assertReadAsSent(broker.jmsFactory(""), provider());
  }

  private ConnectionFactory provider() {
    return broker.providerFactory("");
  }

  private Session session(ConnectionFactory factory) throws JMSException {
    Connection c = factory.createConnection();
    connections.add(c);
    c.start();
    return c.createSession(false, Session.AUTO_ACKNOWLEDGE);
  }

  private void assertReadAsSent(ConnectionFactory from, ConnectionFactory to) throws Exception {
    Session out = session(from);
    Session in = session(to);
    Queue q = out.createQueue(AmqpBrokerUnderTest.unique("cross"));
    MessageConsumer consumer = in.createConsumer(in.createQueue(q.getQueueName()));
    MessageProducer producer = out.createProducer(q);
    List<Destination> replyTos =
        List.of(
            out.createQueue(AmqpBrokerUnderTest.unique("reply")),
            out.createTopic(AmqpBrokerUnderTest.unique("replies")),
            out.createTemporaryQueue());
    List<Message> sent = JmsConformanceSuite.everyType(out);
    List<Map<String, Object>> expected = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      Message m = sent.get(i);
      m.setJMSReplyTo(replyTos.get(i % replyTos.size()));
      m.setJMSCorrelationID("corr-" + i);
      m.setJMSType("type-" + i);
      m.setStringProperty("JMSXGroupID", "group");
      m.setIntProperty("JMSXGroupSeq", i + 1);
      JmsConformanceSuite.setTypedProperties(m, i);
      int mode = i % 2 == 0 ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT;
      producer.send(m, mode, i, i % 3 == 0 ? 0 : 600_000);
      expected.add(fields(m));
    }

    List<Message> got = JmsConformanceSuite.receive(consumer, sent.size());

    for (int i = 0; i < got.size(); i++) {
      assertThat(fields(got.get(i))).as("message %d", i).isEqualTo(expected.get(i));
    }
  }

  /** What a reader can see of {@code m}: body, headers and properties (not the provider's own). */
  private static Map<String, Object> fields(Message m) throws JMSException {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("body", body(m));
    f.put("JMSMessageID", m.getJMSMessageID());
    f.put("JMSCorrelationID", m.getJMSCorrelationID());
    f.put("JMSType", m.getJMSType());
    f.put("JMSReplyTo", destination(m.getJMSReplyTo()));
    f.put("JMSDestination", destination(m.getJMSDestination()));
    f.put("JMSPriority", m.getJMSPriority());
    f.put("JMSDeliveryMode", m.getJMSDeliveryMode());
    f.put("JMSExpiration", m.getJMSExpiration());
    f.put("JMSTimestamp", m.getJMSTimestamp());
    Map<String, Object> properties = new TreeMap<>();
    for (String n : names(m.getPropertyNames())) {
      if (!n.startsWith("JMS_") && !n.equals("JMSXDeliveryCount")) {
        properties.put(n, m.getObjectProperty(n));
      }
    }
    f.put("properties", properties);
    return f;
  }

  private static List<String> names(Enumeration<?> e) {
    List<String> l = new ArrayList<>();
    while (e.hasMoreElements()) {
      l.add((String) e.nextElement());
    }
    return l;
  }

  private static String destination(Destination d) throws JMSException {
    if (d == null) {
      return null;
    } else if (d instanceof TemporaryQueue t) {
      return "temporary queue " + t.getQueueName();
    } else if (d instanceof TemporaryTopic t) {
      return "temporary topic " + t.getTopicName();
    } else if (d instanceof Queue q) {
      return "queue " + q.getQueueName();
    }
    return "topic " + ((Topic) d).getTopicName();
  }

  private static Object body(Message m) throws JMSException {
    if (m instanceof TextMessage t) {
      return "text " + t.getText();
    } else if (m instanceof BytesMessage b) {
      b.reset();
      byte[] bytes = new byte[(int) b.getBodyLength()];
      b.readBytes(bytes);
      return "bytes " + java.util.Arrays.toString(bytes);
    } else if (m instanceof MapMessage mm) {
      Map<String, Object> entries = new TreeMap<>();
      for (String name : names(mm.getMapNames())) {
        Object v = mm.getObject(name);
        entries.put(name, v instanceof byte[] raw ? java.util.Arrays.toString(raw) : v);
      }
      return entries;
    } else if (m instanceof StreamMessage sm) {
      sm.reset();
      List<Object> items = new ArrayList<>();
      try {
        while (true) {
          items.add(sm.readObject());
        }
      } catch (MessageEOFException end) {
        return items;
      }
    } else if (m instanceof ObjectMessage o) {
      return o.getObject();
    }
    return "plain message";
  }
}
