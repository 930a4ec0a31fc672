package io.wharfmq.jms.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.client.Message;
import io.wharfmq.client.MessageQueue;
import io.wharfmq.client.MessageView;
import io.wharfmq.jms.WharfDestination;
import io.wharfmq.jms.WharfQueue;
import io.wharfmq.jms.WharfTemporaryQueue;
import io.wharfmq.jms.WharfTemporaryTopic;
import io.wharfmq.jms.WharfTopic;
import io.wharfmq.service.message.ReservedProperties;
import io.wharfmq.service.message.SelectorProperties;
import jakarta.jms.BytesMessage;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotWriteableException;
import jakarta.jms.ObjectMessage;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Messages to records and back (docs/mapping.md), for every type, header and property type. */
@Timeout(10)
class RecordMappingTest {
  static final WharfQueue QUEUE = new WharfQueue("orders");
  static final long NOW = 1_764_000_000_000L;

  /** The record as a consumer gets it back: what the native client's MessageView holds. */
  static MessageView view(Message record, int reconsumeTimes) {
    Map<String, String> props = new LinkedHashMap<>(record.properties());
    props.putIfAbsent(ReservedProperties.UNIQ_KEY, "AC11000100002A9F0000000000000001");
    return new MessageView(
        props.get(ReservedProperties.UNIQ_KEY),
        "7F00000100002A9F0000000000001000",
        new MessageQueue(record.topic(), "broker-a", 0),
        3,
        record.tags(),
        record.keys(),
        props,
        record.body(),
        reconsumeTimes,
        NOW,
        NOW + 1);
  }

  static <T extends WharfMessage> T sent(T m) throws JMSException {
    m.setJMSMessageID("ID:wharf-1:1:1:1");
    m.setJMSTimestamp(NOW);
    m.setJMSDestination(QUEUE);
    return m;
  }

  static WharfMessage roundTrip(WharfMessage m) throws JMSException {
    return RecordMapping.fromRecord(view(RecordMapping.toRecord(m, "orders"), 0), QUEUE, null);
  }

  @Test
  void everyHeaderAndJmsxPropertyComesBack() throws JMSException {
    WharfTextMessage m = sent(new WharfTextMessage("hello é"));
    m.setJMSCorrelationID("corr-1");
    m.setJMSReplyTo(new WharfTemporaryQueue("tmp-1"));
    m.setJMSDeliveryMode(DeliveryMode.NON_PERSISTENT);
    m.setJMSType("order.created");
    m.setJMSPriority(7);
    m.setJMSExpiration(NOW + 60_000);
    m.setJMSDeliveryTime(NOW + 5_000);
    m.setStringProperty("JMSXGroupID", "group-a");
    m.setIntProperty("JMSXGroupSeq", 12);
    m.setUserId("alice");

    Message record = RecordMapping.toRecord(m, "orders", 60_000, 5_000);
    Map<String, String> p = record.properties();
    assertThat(p)
        .containsEntry(ReservedProperties.BODY, "S")
        .containsEntry(ReservedProperties.JMS_MSG_TYPE, "5")
        .containsEntry(ReservedProperties.SECTIONS, "HMP")
        .containsEntry(ReservedProperties.PRIORITY, "7")
        .containsEntry(ReservedProperties.TTL, "60000")
        .containsEntry(ReservedProperties.EXPIRES_AT, Long.toString(NOW + 60_000))
        .containsEntry(ReservedProperties.ABSOLUTE_EXPIRY_TIME, Long.toString(NOW + 60_000))
        .containsEntry(ReservedProperties.DELIVER_AT, Long.toString(NOW + 5_000))
        .containsEntry(ReservedProperties.MESSAGE_ID, "ID:wharf-1:1:1:1")
        .containsEntry(ReservedProperties.CORRELATION_ID, "corr-1")
        .containsEntry(ReservedProperties.SUBJECT, "order.created")
        .containsEntry(ReservedProperties.REPLY_TO, "tmp-1")
        .containsEntry(ReservedProperties.REPLY_TO_TYPE, "2")
        .containsEntry(ReservedProperties.TO, "orders")
        .containsEntry(ReservedProperties.CREATION_TIME, Long.toString(NOW))
        .containsEntry(ReservedProperties.GROUP_ID, "group-a")
        .containsEntry(ReservedProperties.GROUP_SEQUENCE, "12")
        .containsEntry(ReservedProperties.USER_ID, "YWxpY2U=")
        .doesNotContainKey(ReservedProperties.DURABLE)
        .doesNotContainKey(ReservedProperties.TYPES);
    assertThat(new String(record.body(), StandardCharsets.UTF_8)).isEqualTo("hello é");
    assertThat(annotations(p))
        .containsEntry(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 5)
        .containsEntry(Symbol.valueOf("x-opt-jms-dest"), (byte) 0)
        .containsEntry(Symbol.valueOf("x-opt-jms-reply-to"), (byte) 2)
        .containsEntry(Symbol.valueOf("x-opt-delivery-time"), NOW + 5_000);

    WharfMessage back = RecordMapping.fromRecord(view(record, 2), QUEUE, null);
    assertThat(back).isInstanceOf(TextMessage.class);
    assertThat(((TextMessage) back).getText()).isEqualTo("hello é");
    assertThat(back.getJMSMessageID()).isEqualTo("ID:wharf-1:1:1:1");
    assertThat(back.getJMSCorrelationID()).isEqualTo("corr-1");
    assertThat(back.getJMSReplyTo()).isEqualTo(new WharfTemporaryQueue("tmp-1"));
    assertThat(back.getJMSDestination()).isEqualTo(QUEUE);
    assertThat(back.getJMSDeliveryMode()).isEqualTo(DeliveryMode.NON_PERSISTENT);
    assertThat(back.getJMSType()).isEqualTo("order.created");
    assertThat(back.getJMSPriority()).isEqualTo(7);
    assertThat(back.getJMSTimestamp()).isEqualTo(NOW);
    assertThat(back.getJMSExpiration()).isEqualTo(NOW + 60_000);
    assertThat(back.getJMSDeliveryTime()).isEqualTo(NOW + 5_000);
    assertThat(back.getJMSRedelivered()).isTrue();
    assertThat(back.getIntProperty("JMSXDeliveryCount")).isEqualTo(3);
    assertThat(back.getStringProperty("JMSXGroupID")).isEqualTo("group-a");
    assertThat(back.getIntProperty("JMSXGroupSeq")).isEqualTo(12);
    assertThat(back.getStringProperty("JMSXUserID")).isEqualTo("alice");
    assertThatThrownBy(() -> ((TextMessage) back).setText("x"))
        .isInstanceOf(MessageNotWriteableException.class);
  }

  @Test
  void defaultsMakeNoHeaderSectionAndAFirstDeliveryIsNotRedelivered() throws JMSException {
    WharfMessage m = sent(new WharfMessage());
    Message record = RecordMapping.toRecord(m, "orders");
    assertThat(record.properties())
        .containsEntry(ReservedProperties.DURABLE, "true")
        .containsEntry(ReservedProperties.SECTIONS, "HMP")
        .containsEntry(ReservedProperties.BODY, "N")
        .containsEntry(ReservedProperties.JMS_MSG_TYPE, "0")
        .doesNotContainKeys(
            ReservedProperties.PRIORITY, ReservedProperties.TTL, ReservedProperties.DELIVER_AT);
    assertThat(record.body()).isEmpty();
    m.setJMSDeliveryMode(DeliveryMode.NON_PERSISTENT);
    assertThat(RecordMapping.toRecord(m, "orders").properties())
        .containsEntry(ReservedProperties.SECTIONS, "MP");
    WharfMessage bare = new WharfMessage(); // no id, timestamp or destination: no properties
    bare.setJMSDeliveryMode(DeliveryMode.NON_PERSISTENT);
    assertThat(RecordMapping.toRecord(bare, "orders").properties())
        .containsEntry(ReservedProperties.SECTIONS, "M");

    WharfMessage back = RecordMapping.fromRecord(view(record, 0), QUEUE, null);
    assertThat(back.getClass()).isEqualTo(WharfMessage.class);
    assertThat(back.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
    assertThat(back.getJMSPriority()).isEqualTo(4);
    assertThat(back.getJMSRedelivered()).isFalse();
    assertThat(back.getIntProperty("JMSXDeliveryCount")).isEqualTo(1);
    assertThat(back.getJMSExpiration()).isZero();
    assertThat(back.getJMSDeliveryTime()).isEqualTo(NOW);
  }

  @Test
  void everyPropertyTypeKeepsItsType() throws JMSException {
    WharfMessage m = sent(new WharfMessage());
    m.setStringProperty("s", "text");
    m.setBooleanProperty("z", true);
    m.setByteProperty("b", (byte) -3);
    m.setShortProperty("h", (short) 300);
    m.setIntProperty("i", 10);
    m.setLongProperty("l", Long.MIN_VALUE);
    m.setFloatProperty("f", Float.NaN);
    m.setDoubleProperty("d", 0.1);
    m.setObjectProperty("n", null);
    m.setStringProperty("TAGS", "an application property named like a reserved one");

    Message record = RecordMapping.toRecord(m, "orders");
    assertThat(record.properties())
        .containsEntry("i", "10")
        .containsEntry("z", "true")
        .containsEntry("WHARF_APP_TAGS", "an application property named like a reserved one")
        .doesNotContainKey("TAGS")
        .containsEntry(ReservedProperties.SECTIONS, "HMPA")
        .containsEntry(ReservedProperties.TYPES, "S1:sZ1:zB1:bH1:hI1:iL1:lF1:fD1:dN1:nS4:TAGS");

    WharfMessage back = roundTrip(m);
    assertThat(back.getObjectProperty("s")).isEqualTo("text");
    assertThat(back.getObjectProperty("z")).isEqualTo(true);
    assertThat(back.getObjectProperty("b")).isEqualTo((byte) -3);
    assertThat(back.getObjectProperty("h")).isEqualTo((short) 300);
    assertThat(back.getObjectProperty("i")).isEqualTo(10);
    assertThat(back.getObjectProperty("l")).isEqualTo(Long.MIN_VALUE);
    assertThat(back.getObjectProperty("f")).isEqualTo(Float.NaN);
    assertThat(back.getObjectProperty("d")).isEqualTo(0.1);
    assertThat(back.propertyExists("n")).isTrue();
    assertThat(back.getObjectProperty("n")).isNull();
    assertThat(back.getStringProperty("TAGS"))
        .isEqualTo("an application property named like a reserved one");
    assertThat(Collections.list(back.getPropertyNames()))
        .containsExactly("s", "z", "b", "h", "i", "l", "f", "d", "n", "TAGS", "JMSXDeliveryCount");
  }

  @Test
  void bytesMessage() throws JMSException {
    WharfBytesMessage m = sent(new WharfBytesMessage());
    m.writeInt(0xCAFE);
    m.writeUTF("x");
    Message record = RecordMapping.toRecord(m, "orders");
    assertThat(record.properties())
        .containsEntry(ReservedProperties.BODY, "D")
        .containsEntry(ReservedProperties.JMS_MSG_TYPE, "3")
        .containsEntry(ReservedProperties.CONTENT_TYPE, "application/octet-stream");
    assertThat(record.body()).hasSize(7);
    BytesMessage back = (BytesMessage) RecordMapping.fromRecord(view(record, 0), QUEUE, null);
    assertThat(back.getBodyLength()).isEqualTo(7);
    assertThat(back.readInt()).isEqualTo(0xCAFE);
    assertThat(back.readUTF()).isEqualTo("x");
  }

  @Test
  void mapMessageIsAnAmqpValueMap() throws JMSException {
    WharfMapMessage m = sent(new WharfMapMessage());
    m.setBoolean("z", true);
    m.setByte("b", (byte) 1);
    m.setShort("h", (short) 2);
    m.setChar("c", 'c');
    m.setInt("i", 3);
    m.setLong("l", 4L);
    m.setFloat("f", 5.5f);
    m.setDouble("d", 6.5);
    m.setString("s", "seven");
    m.setBytes("x", new byte[] {8});
    m.setObject("n", null);
    Message record = RecordMapping.toRecord(m, "orders");
    assertThat(record.properties())
        .containsEntry(ReservedProperties.BODY, "E")
        .containsEntry(ReservedProperties.JMS_MSG_TYPE, "2");
    assertThat(record.body()).startsWith(0x00, 0x53, 0x77); // amqp-value

    MapMessage back = (MapMessage) RecordMapping.fromRecord(view(record, 0), QUEUE, null);
    assertThat(names(back.getMapNames()))
        .containsExactly("z", "b", "h", "c", "i", "l", "f", "d", "s", "x", "n");
    assertThat(back.getObject("z")).isEqualTo(true);
    assertThat(back.getObject("b")).isEqualTo((byte) 1);
    assertThat(back.getObject("h")).isEqualTo((short) 2);
    assertThat(back.getObject("c")).isEqualTo('c');
    assertThat(back.getObject("i")).isEqualTo(3);
    assertThat(back.getObject("l")).isEqualTo(4L);
    assertThat(back.getObject("f")).isEqualTo(5.5f);
    assertThat(back.getObject("d")).isEqualTo(6.5);
    assertThat(back.getObject("s")).isEqualTo("seven");
    assertThat(back.getBytes("x")).containsExactly(8);
    assertThat(back.itemExists("n")).isTrue();
  }

  @Test
  void streamMessageIsAnAmqpSequence() throws JMSException {
    WharfStreamMessage m = sent(new WharfStreamMessage());
    List<Object> values =
        List.of(true, (byte) 1, (short) 2, 'c', 3, 4L, 5.5f, 6.5, "seven", new byte[] {8});
    for (Object v : values) {
      m.writeObject(v);
    }
    m.writeObject(null);
    Message record = RecordMapping.toRecord(m, "orders");
    assertThat(record.properties())
        .containsEntry(ReservedProperties.BODY, "E")
        .containsEntry(ReservedProperties.JMS_MSG_TYPE, "4");
    assertThat(record.body()).startsWith(0x00, 0x53, 0x76); // amqp-sequence

    StreamMessage back = (StreamMessage) RecordMapping.fromRecord(view(record, 0), QUEUE, null);
    List<Object> read = new ArrayList<>();
    for (int i = 0; i < values.size() + 1; i++) {
      read.add(back.readObject());
    }
    assertThat(read.subList(0, 9)).isEqualTo(values.subList(0, 9));
    assertThat((byte[]) read.get(9)).containsExactly(8);
    assertThat(read.get(10)).isNull();
  }

  @Test
  void objectMessageIsSerializedInOneDataSection() throws JMSException {
    WharfObjectMessage m = sent(new WharfObjectMessage());
    m.setObject(new ArrayList<>(List.of(1, 2)));
    Message record = RecordMapping.toRecord(m, "orders");
    assertThat(record.properties())
        .containsEntry(ReservedProperties.BODY, "D")
        .containsEntry(ReservedProperties.JMS_MSG_TYPE, "1")
        .containsEntry(ReservedProperties.CONTENT_TYPE, "application/x-java-serialized-object");
    ObjectMessage back =
        (ObjectMessage) RecordMapping.fromRecord(view(record, 0), QUEUE, List.of("java.util"));
    assertThat(back.getObject()).isEqualTo(List.of(1, 2));
    ObjectMessage untrusted =
        (ObjectMessage) RecordMapping.fromRecord(view(record, 0), QUEUE, List.of("com.example"));
    assertThatThrownBy(untrusted::getObject).hasMessageContaining("java.util.ArrayList");
  }

  @Test
  void nullTextAndEmptyBodies() throws JMSException {
    Message nullText = RecordMapping.toRecord(sent(new WharfTextMessage()), "orders");
    assertThat(nullText.properties()).containsEntry(ReservedProperties.BODY, "E");
    assertThat(nullText.body()).containsExactly(0x00, 0x53, 0x77, 0x40); // amqp-value null
    WharfMessage back = RecordMapping.fromRecord(view(nullText, 0), QUEUE, null);
    assertThat(back).isInstanceOf(TextMessage.class);
    assertThat(((TextMessage) back).getText()).isNull();
    assertThat(roundTrip(sent(new WharfMapMessage()))).isInstanceOf(MapMessage.class);
    assertThat(roundTrip(sent(new WharfStreamMessage()))).isInstanceOf(StreamMessage.class);
    assertThat(((ObjectMessage) roundTrip(sent(new WharfObjectMessage()))).getObject()).isNull();
  }

  @Test
  void typedIdsAndCorrelationBytesComeBackAsQpidJmsShowsThem() throws JMSException {
    String uuid = "ID:AMQP_UUID:0f8fad5b-d9cb-469f-a165-70867728950e";
    for (String id : List.of("ID:AMQP_ULONG:42", uuid, "ID:AMQP_BINARY:0A0B", "ID:plain")) {
      WharfMessage m = sent(new WharfMessage());
      m.setJMSMessageID(id);
      m.setJMSCorrelationID(id);
      assertThat(roundTrip(m).getJMSMessageID()).isEqualTo(id);
      assertThat(roundTrip(m).getJMSCorrelationID()).isEqualTo(id);
    }
    WharfMessage m = sent(new WharfMessage());
    m.setJMSMessageID("ID:AMQP_NO_PREFIX:abc");
    m.setJMSCorrelationIDAsBytes(new byte[] {1, (byte) 0xFF});
    Message record = RecordMapping.toRecord(m, "orders");
    assertThat(record.properties())
        .containsEntry(ReservedProperties.MESSAGE_ID, "abc")
        .doesNotContainKey(ReservedProperties.MESSAGE_ID_TYPE)
        .containsEntry(ReservedProperties.CORRELATION_ID, "Af8=")
        .containsEntry(ReservedProperties.CORRELATION_ID_TYPE, "X");
    WharfMessage back = RecordMapping.fromRecord(view(record, 0), QUEUE, null);
    assertThat(back.getJMSMessageID()).isEqualTo("ID:AMQP_NO_PREFIX:abc");
    assertThat(back.getJMSCorrelationID()).isEqualTo("ID:AMQP_BINARY:01FF");
    assertThat(back.getJMSCorrelationIDAsBytes()).containsExactly(1, 0xFF);
    // the same as the broker's selectors see
    SelectorProperties selector = new SelectorProperties(record.properties());
    assertThat(selector.get("JMSMessageID")).isEqualTo(back.getJMSMessageID());
    assertThat(selector.get("JMSCorrelationID")).isEqualTo(back.getJMSCorrelationID());
  }

  @Test
  void replyToKinds() throws JMSException {
    List<WharfDestination> kinds =
        List.of(
            new WharfQueue("q"),
            new WharfTopic("t"),
            new WharfTemporaryQueue("tq"),
            new WharfTemporaryTopic("tt"));
    for (WharfDestination d : kinds) {
      WharfMessage m = sent(new WharfMessage());
      m.setJMSReplyTo(d);
      assertThat(roundTrip(m).getJMSReplyTo()).isEqualTo(d);
    }
  }

  @Test
  void aRocketMqProducersRecordIsABytesMessage() throws JMSException {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("UNIQ_KEY", "AC110001000018B4AAC2");
    props.put("TAGS", "tag-a");
    props.put("KEYS", "k1 k2");
    props.put("WAIT", "true");
    props.put("color", "red");
    props.put("count", "10");
    MessageView view =
        new MessageView(
            "AC110001000018B4AAC2",
            "7F00000100002A9F0000000000001000",
            new MessageQueue("orders", "broker-a", 1),
            5,
            "tag-a",
            List.of("k1", "k2"),
            props,
            new byte[] {1, 2, 3},
            1,
            NOW,
            NOW + 2);
    WharfMessage m = RecordMapping.fromRecord(view, QUEUE, null);
    assertThat(m).isInstanceOf(BytesMessage.class);
    assertThat(((BytesMessage) m).getBodyLength()).isEqualTo(3);
    assertThat(m.getJMSMessageID()).isEqualTo("ID:AMQP_NO_PREFIX:AC110001000018B4AAC2");
    assertThat(m.getJMSTimestamp()).isEqualTo(NOW);
    assertThat(m.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
    assertThat(m.getJMSPriority()).isEqualTo(4);
    assertThat(m.getJMSRedelivered()).isTrue();
    assertThat(m.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
    assertThat(m.getObjectProperty("count")).isEqualTo("10");
    assertThat(m.getIntProperty("count")).isEqualTo(10);
    assertThat(Collections.list(m.getPropertyNames()))
        .containsExactly("color", "count", "JMSXDeliveryCount");
    assertThat(m.getJMSMessageID()).isEqualTo(new SelectorProperties(props).get("JMSMessageID"));
  }

  @Test
  void propertiesARecordCannotHoldAreRefused() throws JMSException {
    WharfMessage separator = sent(new WharfMessage());
    separator.setStringProperty("p", "a\u0001b");
    assertThatThrownBy(() -> RecordMapping.toRecord(separator, "orders"))
        .isInstanceOf(MessageFormatException.class)
        .hasMessageContaining("\\u0001");
    WharfMessage big = sent(new WharfMessage());
    big.setStringProperty("p", "x".repeat(33_000));
    assertThatThrownBy(() -> RecordMapping.toRecord(big, "orders"))
        .isInstanceOf(MessageFormatException.class)
        .hasMessageContaining("32767");
  }

  @Test
  void aForeignMessageIsCopied() throws JMSException {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("k", 5);
    props.put("JMSXGroupID", "g");
    TextMessage foreign =
        (TextMessage)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {TextMessage.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "getText" -> "foreign";
                      case "getJMSMessageID" -> "ID:other";
                      case "getJMSDestination" -> QUEUE;
                      case "getJMSDeliveryMode" -> DeliveryMode.PERSISTENT;
                      case "getJMSPriority" -> 6;
                      case "getPropertyNames" -> Collections.enumeration(props.keySet());
                      case "getObjectProperty" -> props.get((String) args[0]);
                      default ->
                          method.getReturnType() == long.class
                              ? (Object) 0L
                              : method.getReturnType() == boolean.class ? (Object) false : null;
                    });
    WharfMessage ours = WharfMessage.copyOf(foreign);
    assertThat(ours).isInstanceOf(WharfTextMessage.class);
    assertThat(((TextMessage) ours).getText()).isEqualTo("foreign");
    assertThat(ours.getJMSPriority()).isEqualTo(6);
    assertThat(ours.getIntProperty("k")).isEqualTo(5);
    assertThat(ours.groupId()).isEqualTo("g");
    assertThat(WharfMessage.copyOf(ours)).isSameAs(ours);
  }

  static List<Object> names(java.util.Enumeration<?> e) {
    List<Object> names = new ArrayList<>();
    while (e.hasMoreElements()) {
      names.add(e.nextElement());
    }
    return names;
  }

  static Map<Symbol, Object> annotations(Map<String, String> p) {
    DecoderImpl decoder = new DecoderImpl();
    EncoderImpl encoder = new EncoderImpl(decoder);
    AMQPDefinedTypes.registerAllTypes(decoder, encoder);
    decoder.setByteBuffer(
        ByteBuffer.wrap(Base64.getDecoder().decode(p.get(ReservedProperties.MESSAGE_ANNOTATIONS))));
    return ((MessageAnnotations) decoder.readObject()).getValue();
  }
}
