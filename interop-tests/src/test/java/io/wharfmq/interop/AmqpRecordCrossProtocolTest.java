package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.amqp.message.AmqpMessageCodec;
import io.wharfmq.amqp.message.InboundMessage;
import io.wharfmq.broker.Broker;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.PopCommand;
import io.wharfmq.service.PopResult;
import io.wharfmq.service.ReceivedMessage;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Subscription;
import io.wharfmq.service.message.ReservedProperties;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedByte;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.message.Message;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mapping table (docs/mapping.md) across doors, on a real broker: AMQP messages decoded by
 * {@link AmqpMessageCodec} and stored through the broker's {@link MessagingService} (the path the
 * AMQP links take) are read by the official RocketMQ client, with a SQL92 selector over JMS headers
 * and typed properties; a RocketMQ producer's message is popped through the service and encoded for
 * AMQP; an AMQP message comes back out of the store with its bare message unchanged. The AMQP
 * transport is not involved (its tests are the links' and the transport's).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AmqpRecordCrossProtocolTest {
  @TempDir Path dir;
  WharfCluster cluster;
  Broker broker;
  MessagingService service;
  final OfficialClients clients = new OfficialClients();

  @BeforeEach
  void start() throws Exception {
    cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    broker = cluster.startBroker("broker-a");
    service = broker.messagingService();
  }

  @AfterEach
  void stop() {
    clients.close();
  }

  /** A TextMessage as Qpid JMS sends it, with a RocketMQ tag and keys. */
  static Message qpidJmsText(String body, int priority, int count) {
    Message m = Message.Factory.create();
    m.setDurable(true);
    m.setPriority((short) priority);
    Map<Symbol, Object> ma = new LinkedHashMap<>();
    ma.put(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 5);
    ma.put(Symbol.valueOf("x-opt-jms-dest"), (byte) 0);
    ma.put(AmqpMessageCodec.TAGS_ANNOTATION, "TagA");
    ma.put(AmqpMessageCodec.KEYS_ANNOTATION, "order-" + count);
    m.setMessageAnnotations(new MessageAnnotations(ma));
    Properties p = new Properties();
    p.setMessageId("ID:qpid-" + body);
    p.setTo("Cross");
    p.setSubject("OrderCreated");
    p.setCorrelationId("corr-" + body);
    p.setCreationTime(new Date(System.currentTimeMillis()));
    m.setProperties(p);
    Map<String, Object> app = new LinkedHashMap<>();
    app.put("count", count);
    app.put("color", "red");
    app.put("vip", true);
    app.put("price", 2.5d);
    m.setApplicationProperties(new ApplicationProperties(app));
    m.setBody(new AmqpValue(body));
    return m;
  }

  static byte[] encode(Message m) {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    int n = m.encode(buf.array(), 0, buf.capacity());
    byte[] out = new byte[n];
    System.arraycopy(buf.array(), 0, out, 0, n);
    return out;
  }

  SendResult sendAmqp(String topic, byte[] amqp) {
    InboundMessage in = AmqpMessageCodec.decode(amqp, 0, amqp.length, System.currentTimeMillis());
    SendResult r =
        service
            .send(
                new SendCommand(
                    topic,
                    -1,
                    List.of(in.message()),
                    false,
                    0,
                    new InetSocketAddress("127.0.0.1", 5672),
                    true,
                    -1))
            .join();
    assertThat(r.isOk()).as("send: %s", r.detail()).isTrue();
    return r;
  }

  List<ReceivedMessage> popAll(String topic, String group, int count) {
    assertThat(service.ensureGroup(new GroupSettings(group, 5, false, true, true)).isOk()).isTrue();
    assertThat(service.subscribe(new Subscription(group, topic, FilterType.TAG, "*", false)).isOk())
        .isTrue();
    List<ReceivedMessage> got = new ArrayList<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              PopResult r =
                  service
                      .pop(
                          new PopCommand(
                              group, topic, -1, 32, 60_000, 200, FilterType.TAG, "*", true))
                      .join();
              got.addAll(r.messages());
              for (ReceivedMessage m : r.messages()) {
                service.ack(m.receipt()).join();
              }
              return got.size() >= count;
            });
    return got;
  }

  @Test
  void anAmqpMessageReachesTheRocketMqClientAsTheTableSays() throws Exception {
    sendAmqp("Cross", encode(qpidJmsText("wanted", 7, 10)));
    sendAmqp("Cross", encode(qpidJmsText("low-priority", 2, 10)));
    sendAmqp("Cross", encode(qpidJmsText("small-count", 7, 3)));

    Map<String, MessageExt> got = new ConcurrentHashMap<>();
    DefaultMQPushConsumer c = new DefaultMQPushConsumer("cg-cross-sql");
    c.setNamesrvAddr(cluster.namesrvAddr());
    c.setInstanceName(OfficialClients.unique("cross"));
    c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    // JMS headers and an int property, evaluated on the broker
    c.subscribe(
        "Cross",
        MessageSelector.bySql(
            "JMSPriority > 5 AND count > 5 AND JMSType = 'OrderCreated'"
                + " AND JMSDeliveryMode = 'PERSISTENT' AND vip AND price < 3"));
    c.registerMessageListener(
        (MessageListenerConcurrently)
            (msgs, ctx) -> {
              msgs.forEach(m -> got.put(new String(m.getBody(), StandardCharsets.UTF_8), m));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    clients.start(c);
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> got.containsKey("wanted"));
    Awaitility.await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
    assertThat(got).containsOnlyKeys("wanted");

    MessageExt m = got.get("wanted");
    assertThat(m.getTags()).isEqualTo("TagA");
    assertThat(m.getKeys()).isEqualTo("order-10");
    assertThat(m.getUserProperty("count")).isEqualTo("10");
    assertThat(m.getUserProperty("color")).isEqualTo("red");
    assertThat(m.getUserProperty("vip")).isEqualTo("true");
    assertThat(m.getUserProperty(ReservedProperties.SUBJECT)).isEqualTo("OrderCreated");
    assertThat(m.getUserProperty(ReservedProperties.MESSAGE_ID)).isEqualTo("ID:qpid-wanted");
    assertThat(m.getUserProperty(ReservedProperties.PRIORITY)).isEqualTo("7");
    assertThat(m.getUserProperty(ReservedProperties.JMS_MSG_TYPE)).isEqualTo("5");
  }

  @Test
  void aRocketMqMessageReachesAmqpAsTheTableSays() throws Exception {
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    org.apache.rocketmq.common.message.Message sent =
        new org.apache.rocketmq.common.message.Message(
            "FromRocketMq", "TagB", "KEY-1", "payload".getBytes(StandardCharsets.UTF_8));
    sent.putUserProperty("region", "eu");
    sent.putUserProperty("amount", "12");
    String msgId = producer.send(sent).getMsgId();

    ReceivedMessage stored = popAll("FromRocketMq", "amqp-reader", 1).get(0);
    byte[] amqp = AmqpMessageCodec.encode(stored);

    Message m = Message.Factory.create();
    m.decode(amqp, 0, amqp.length);
    assertThat(m.getBody()).isInstanceOf(Data.class);
    assertThat(((Data) m.getBody()).getValue())
        .isEqualTo(new Binary("payload".getBytes(StandardCharsets.UTF_8)));
    assertThat(m.getApplicationProperties().getValue())
        .containsOnly(Map.entry("region", "eu"), Map.entry("amount", "12"));
    assertThat(m.getMessageAnnotations().getValue())
        .containsEntry(AmqpMessageCodec.TAGS_ANNOTATION, "TagB")
        .containsEntry(AmqpMessageCodec.KEYS_ANNOTATION, "KEY-1");
    assertThat(m.getMessageId()).isEqualTo(msgId);
    assertThat(m.getCreationTime()).isEqualTo(stored.bornTimestamp());
    assertThat(m.isDurable()).isTrue();
    assertThat(m.isFirstAcquirer()).isTrue();
  }

  @Test
  void anAmqpMessageComesOutOfTheStoreAsItWentIn() {
    Message sent = qpidJmsText("round-trip", 4, 1);
    sent.setApplicationProperties(
        new ApplicationProperties(
            new LinkedHashMap<>(
                Map.of("b", (byte) 1, "n", 5L, "u", UnsignedByte.valueOf((byte) 9)))));
    byte[] amqp = encode(sent);
    sendAmqp("RoundTrip", amqp);

    byte[] back = AmqpMessageCodec.encode(popAll("RoundTrip", "amqp-rt", 1).get(0));

    Message m = Message.Factory.create();
    m.decode(back, 0, back.length);
    assertThat(bare(m)).isEqualTo(bare(sent));
    assertThat(m.getMessageAnnotations().getValue())
        .isEqualTo(sent.getMessageAnnotations().getValue());
    assertThat(m.getPriority()).isEqualTo((short) 4);
  }

  @Test
  void anAmqpDeliveryTimeWaitsOnTheTimerWheel() {
    assertThat(service.ensureTopic("Later").isOk()).isTrue();
    long deliverAt = System.currentTimeMillis() + 2_000;
    Message m = qpidJmsText("later", 4, 1);
    m.getMessageAnnotations().getValue().put(Symbol.valueOf("x-opt-delivery-time"), deliverAt);
    Message now = qpidJmsText("now", 4, 1);
    sendAmqp("Later", encode(m));
    sendAmqp("Later", encode(now));

    List<ReceivedMessage> got = popAll("Later", "amqp-later", 2);
    long arrived = System.currentTimeMillis();

    assertThat(new String(got.get(0).body(), StandardCharsets.UTF_8)).isEqualTo("now");
    assertThat(new String(got.get(1).body(), StandardCharsets.UTF_8)).isEqualTo("later");
    assertThat(arrived).isGreaterThanOrEqualTo(deliverAt);
    // the annotation comes back as the producer sent it
    byte[] back = AmqpMessageCodec.encode(got.get(1));
    Message out = Message.Factory.create();
    out.decode(back, 0, back.length);
    assertThat(out.getMessageAnnotations().getValue())
        .containsEntry(Symbol.valueOf("x-opt-delivery-time"), deliverAt);
  }

  /** The bare message (properties, application properties, body) encoded alone. */
  static byte[] bare(Message m) {
    Message b = Message.Factory.create();
    b.setProperties(m.getProperties());
    b.setApplicationProperties(m.getApplicationProperties());
    b.setBody(m.getBody());
    return encode(b);
  }
}
