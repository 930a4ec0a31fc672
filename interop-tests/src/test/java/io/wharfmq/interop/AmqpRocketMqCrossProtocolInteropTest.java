package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.broker.Broker;
import io.wharfmq.service.message.ReservedProperties;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.apache.qpid.jms.message.JmsMessage;
import org.apache.qpid.jms.provider.amqp.message.AmqpJmsMessageFacade;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/mapping.md's table end to end over real wires: Qpid JMS 2.x sends through Wharf's AMQP
 * listener and the official RocketMQ push consumer reads (body, typed application properties as
 * text, JMS headers as {@code WHARF_} properties, the {@code x-opt-rocketmq-tags/keys} annotations
 * as the RocketMQ tag and keys); the official RocketMQ producer sends and Qpid JMS reads (a
 * BytesMessage, user properties as string properties, tag and keys as message annotations,
 * message-id from {@code UNIQ_KEY}, creation-time from the born timestamp). One in-JVM name server
 * and broker with its AMQP listener on free 127.0.0.1 ports.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AmqpRocketMqCrossProtocolInteropTest {
  private static final String TAGS_ANNOTATION = "x-opt-rocketmq-tags";
  private static final String KEYS_ANNOTATION = "x-opt-rocketmq-keys";

  @TempDir Path dir;
  private WharfCluster cluster;
  private AmqpListener amqp;
  private final OfficialClients clients = new OfficialClients();
  private final List<Connection> connections = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
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
    clients.close();
  }

  private Session session() throws Exception {
    Connection c = new JmsConnectionFactory("amqp://127.0.0.1:" + amqp.port()).createConnection();
    connections.add(c);
    c.start();
    return c.createSession(false, Session.AUTO_ACKNOWLEDGE);
  }

  private static AmqpJmsMessageFacade amqpOf(Message m) {
    return (AmqpJmsMessageFacade) ((JmsMessage) m).getFacade();
  }

  @Test
  void qpidJmsMessagesReachTheRocketMqConsumerAsTheTableSays() throws Exception {
    Session s = session();
    Queue q = s.createQueue("xp-jms-to-rmq");
    MessageProducer p = s.createProducer(q);

    TextMessage text = s.createTextMessage("text body é");
    text.setJMSType("OrderCreated");
    text.setJMSCorrelationID("corr-1");
    text.setStringProperty("JMSXGroupID", "group-1");
    text.setIntProperty("count", 10);
    text.setLongProperty("big", 1L << 40);
    text.setBooleanProperty("vip", true);
    text.setDoubleProperty("price", 2.5d);
    text.setFloatProperty("ratio", 0.25f);
    text.setShortProperty("small", (short) -3);
    text.setByteProperty("tiny", (byte) 7);
    text.setStringProperty("color", "red");
    amqpOf(text).setTracingAnnotation(TAGS_ANNOTATION, "TagA");
    amqpOf(text).setTracingAnnotation(KEYS_ANNOTATION, "k1 k2");
    p.send(text, DeliveryMode.PERSISTENT, 7, 600_000);

    BytesMessage bytes = s.createBytesMessage();
    byte[] payload = {0, 1, 2, (byte) 0xff, (byte) 0x80};
    bytes.writeBytes(payload);
    p.send(bytes, DeliveryMode.NON_PERSISTENT, 4, 0);

    Map<String, MessageExt> got = new ConcurrentHashMap<>();
    MessageListenerConcurrently listener =
        (msgs, ctx) -> {
          msgs.forEach(m -> got.put(m.getUserProperty(ReservedProperties.JMS_MSG_TYPE), m));
          return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        };
    clients.start(
        clients.pushConsumer(
            cluster.namesrvAddr(),
            "cg-xp-rmq",
            "xp-jms-to-rmq",
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            listener));
    Awaitility.await("both JMS messages at the RocketMQ consumer")
        .atMost(Duration.ofSeconds(60))
        .until(() -> got.size() >= 2);

    MessageExt t = got.get("5");
    assertThat(t).as("the TextMessage (x-opt-jms-msg-type 5)").isNotNull();
    assertThat(new String(t.getBody(), StandardCharsets.UTF_8)).isEqualTo("text body é");
    assertThat(t.getTopic()).isEqualTo("xp-jms-to-rmq");
    assertThat(t.getTags()).isEqualTo("TagA");
    assertThat(t.getKeys()).isEqualTo("k1 k2");
    // typed application properties, as their text
    assertThat(t.getUserProperty("count")).isEqualTo("10");
    assertThat(t.getUserProperty("big")).isEqualTo("1099511627776");
    assertThat(t.getUserProperty("vip")).isEqualTo("true");
    assertThat(t.getUserProperty("price")).isEqualTo("2.5");
    assertThat(t.getUserProperty("ratio")).isEqualTo("0.25");
    assertThat(t.getUserProperty("small")).isEqualTo("-3");
    assertThat(t.getUserProperty("tiny")).isEqualTo("7");
    assertThat(t.getUserProperty("color")).isEqualTo("red");
    assertThat(t.getUserProperty(ReservedProperties.TYPES))
        .contains("I5:count", "L3:big", "Z3:vip", "D5:price", "F5:ratio", "H5:small")
        .contains("B4:tiny", "S5:color");
    // JMS headers as reserved properties
    assertThat(t.getUserProperty(ReservedProperties.MESSAGE_ID)).isEqualTo(text.getJMSMessageID());
    assertThat(t.getUserProperty(ReservedProperties.SUBJECT)).isEqualTo("OrderCreated");
    assertThat(t.getUserProperty(ReservedProperties.CORRELATION_ID)).isEqualTo("corr-1");
    assertThat(t.getUserProperty(ReservedProperties.GROUP_ID)).isEqualTo("group-1");
    assertThat(t.getUserProperty(ReservedProperties.PRIORITY)).isEqualTo("7");
    assertThat(t.getUserProperty(ReservedProperties.DURABLE)).isEqualTo("true");
    assertThat(t.getUserProperty(ReservedProperties.TO)).isEqualTo("xp-jms-to-rmq");
    assertThat(t.getUserProperty(ReservedProperties.CREATION_TIME))
        .isEqualTo(Long.toString(text.getJMSTimestamp()));
    assertThat(t.getBornTimestamp()).isEqualTo(text.getJMSTimestamp());
    assertThat(t.getUserProperty(ReservedProperties.ABSOLUTE_EXPIRY_TIME))
        .isEqualTo(Long.toString(text.getJMSExpiration()));
    assertThat(t.getUserProperty(ReservedProperties.EXPIRES_AT))
        .isEqualTo(Long.toString(text.getJMSExpiration()));
    assertThat(t.getUserProperty(ReservedProperties.BODY))
        .isEqualTo(ReservedProperties.BODY_STRING);
    assertThat(t.getUserProperty(ReservedProperties.SECTIONS)).contains("H", "M", "P", "A");
    assertThat(t.getReconsumeTimes()).isZero();

    MessageExt b = got.get("3");
    assertThat(b).as("the BytesMessage (x-opt-jms-msg-type 3)").isNotNull();
    assertThat(b.getBody()).isEqualTo(payload);
    assertThat(b.getTags()).isNull();
    assertThat(b.getKeys()).isNull();
    assertThat(b.getUserProperty(ReservedProperties.BODY)).isEqualTo(ReservedProperties.BODY_DATA);
    // Qpid JMS sends no header for a non-persistent message of the default priority
    assertThat(b.getUserProperty(ReservedProperties.DURABLE)).isNull();
    assertThat(b.getUserProperty(ReservedProperties.PRIORITY)).isNull();
    assertThat(b.getUserProperty(ReservedProperties.SECTIONS)).doesNotContain("H").contains("P");
    assertThat(b.getUserProperty(ReservedProperties.MESSAGE_ID)).isEqualTo(bytes.getJMSMessageID());
    assertThat(b.getUserProperty(ReservedProperties.EXPIRES_AT)).isNull();
  }

  @Test
  void rocketMqMessagesReachTheQpidJmsConsumerAsTheTableSays() throws Exception {
    Session s = session();
    // the queue (its topic and consumer group, which starts at the tail) exists once attached
    MessageConsumer consumer = s.createConsumer(s.createQueue("xp-rmq-to-jms"));

    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    org.apache.rocketmq.common.message.Message sent =
        new org.apache.rocketmq.common.message.Message(
            "xp-rmq-to-jms", "TagB", "KEY-1 KEY-2", new byte[] {9, 8, 7, 0, (byte) 0xfe});
    sent.putUserProperty("region", "eu");
    sent.putUserProperty("amount", "12");
    long before = System.currentTimeMillis();
    SendResult r = producer.send(sent);
    long after = System.currentTimeMillis();
    assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
    org.apache.rocketmq.common.message.Message plain =
        new org.apache.rocketmq.common.message.Message(
            "xp-rmq-to-jms", "plain text".getBytes(StandardCharsets.UTF_8));
    assertThat(producer.send(plain).getSendStatus()).isEqualTo(SendStatus.SEND_OK);

    Message m = consumer.receive(30_000);
    assertThat(m).as("the tagged RocketMQ message").isInstanceOf(BytesMessage.class);
    BytesMessage bm = (BytesMessage) m;
    byte[] body = new byte[(int) bm.getBodyLength()];
    bm.readBytes(body);
    assertThat(body).isEqualTo(new byte[] {9, 8, 7, 0, (byte) 0xfe});
    // user properties: string application properties, in stored order; nothing else
    assertThat(m.getObjectProperty("region")).isEqualTo("eu");
    assertThat(m.getObjectProperty("amount")).isEqualTo("12");
    List<String> names = new ArrayList<>();
    for (Enumeration<?> e = m.getPropertyNames(); e.hasMoreElements(); ) {
      String n = (String) e.nextElement();
      if (!n.startsWith("JMS")) {
        names.add(n);
      }
    }
    assertThat(names).containsExactlyInAnyOrder("region", "amount");
    // tag and keys: message annotations, not JMSType
    assertThat(amqpOf(m).getTracingAnnotation(TAGS_ANNOTATION)).isEqualTo("TagB");
    assertThat(amqpOf(m).getTracingAnnotation(KEYS_ANNOTATION)).isEqualTo("KEY-1 KEY-2");
    assertThat(m.getJMSType()).isNull();
    // headers: message-id = UNIQ_KEY (a string without "ID:"), creation-time = born timestamp
    assertThat(m.getJMSMessageID()).isEqualTo("ID:AMQP_NO_PREFIX:" + r.getMsgId());
    assertThat(m.getJMSTimestamp()).isBetween(before, after);
    assertThat(m.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
    assertThat(m.getJMSPriority()).isEqualTo(4);
    assertThat(m.getJMSRedelivered()).isFalse();
    assertThat(m.getIntProperty("JMSXDeliveryCount")).isEqualTo(1);
    assertThat(m.getJMSExpiration()).isZero();
    assertThat(m.getJMSCorrelationID()).isNull();

    Message p = consumer.receive(30_000);
    assertThat(p).as("the untagged RocketMQ message").isInstanceOf(BytesMessage.class);
    byte[] plainBody = new byte[(int) ((BytesMessage) p).getBodyLength()];
    ((BytesMessage) p).readBytes(plainBody);
    assertThat(new String(plainBody, StandardCharsets.UTF_8)).isEqualTo("plain text");
    assertThat(amqpOf(p).getTracingAnnotation(TAGS_ANNOTATION)).isNull();
    assertThat(amqpOf(p).getTracingAnnotation(KEYS_ANNOTATION)).isNull();
    assertThat(consumer.receiveNoWait()).isNull();
  }
}
