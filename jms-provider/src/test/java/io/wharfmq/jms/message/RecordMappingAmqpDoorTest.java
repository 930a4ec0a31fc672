package io.wharfmq.jms.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.amqp.message.AmqpMessageCodec;
import io.wharfmq.amqp.message.InboundMessage;
import io.wharfmq.client.Message;
import io.wharfmq.client.MessageQueue;
import io.wharfmq.client.MessageView;
import io.wharfmq.jms.WharfQueue;
import io.wharfmq.jms.WharfTopic;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.Receipt;
import io.wharfmq.service.ReceivedMessage;
import io.wharfmq.service.message.ReservedProperties;
import jakarta.jms.BytesMessage;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.ObjectMessage;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.messaging.AmqpSequence;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.amqp.messaging.Section;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two doors agree: what this provider stores, the AMQP door hands Qpid JMS in the sections Qpid
 * JMS sends for that message type; what Qpid JMS sends through the AMQP door, this provider reads
 * as the same JMS message; and for the same JMS message both store the same record.
 */
@Timeout(10)
class RecordMappingAmqpDoorTest {
  static final WharfQueue QUEUE = new WharfQueue("orders");
  static final long NOW = 1_764_000_000_000L;

  // ---- our record through the door's out path (record -> AMQP bytes -> what Qpid JMS reads) ----

  @Test
  void ourRecordsGoOutInTheSectionsQpidJmsSends() throws JMSException {
    WharfTextMessage text = sent(new WharfTextMessage("hi"));
    text.setJMSReplyTo(new WharfTopic("replies"));
    text.setJMSCorrelationID("c-1");
    text.setJMSType("t");
    text.setJMSPriority(6);
    text.setJMSExpiration(NOW + 1000);
    text.setIntProperty("count", 10);
    text.setStringProperty("JMSXGroupID", "g");
    org.apache.qpid.proton.message.Message out =
        out(RecordMapping.toRecord(text, "orders", 1000, 0));
    assertThat(out.getMessageAnnotations().getValue())
        .containsEntry(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 5)
        .containsEntry(Symbol.valueOf("x-opt-jms-dest"), (byte) 0)
        .containsEntry(Symbol.valueOf("x-opt-jms-reply-to"), (byte) 1);
    assertThat(((AmqpValue) out.getBody()).getValue()).isEqualTo("hi");
    assertThat(out.getHeader().getDurable()).isTrue();
    assertThat(out.getHeader().getPriority().intValue()).isEqualTo(6);
    assertThat(out.getHeader().getTtl()).isEqualTo(UnsignedInteger.valueOf(1000));
    Properties p = out.getProperties();
    assertThat(p.getMessageId()).isEqualTo("ID:wharf-1:1:1:1");
    assertThat(p.getTo()).isEqualTo("orders");
    assertThat(p.getReplyTo()).isEqualTo("replies");
    assertThat(p.getCorrelationId()).isEqualTo("c-1");
    assertThat(p.getSubject()).isEqualTo("t");
    assertThat(p.getGroupId()).isEqualTo("g");
    assertThat(p.getCreationTime()).isEqualTo(new Date(NOW));
    assertThat(p.getAbsoluteExpiryTime()).isEqualTo(new Date(NOW + 1000));
    assertThat(out.getApplicationProperties().getValue()).containsEntry("count", 10);

    WharfBytesMessage bytes = sent(new WharfBytesMessage());
    bytes.writeByte((byte) 7);
    out = out(RecordMapping.toRecord(bytes, "orders"));
    assertThat(out.getMessageAnnotations().getValue())
        .containsEntry(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 3);
    assertThat(((Data) out.getBody()).getValue()).isEqualTo(new Binary(new byte[] {7}));
    assertThat((Object) out.getProperties().getContentType())
        .isEqualTo(Symbol.valueOf("application/octet-stream"));

    WharfMapMessage map = sent(new WharfMapMessage());
    map.setInt("i", 1);
    map.setBytes("b", new byte[] {2});
    out = out(RecordMapping.toRecord(map, "orders"));
    assertThat(out.getMessageAnnotations().getValue())
        .containsEntry(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 2);
    Map<?, ?> value = (Map<?, ?>) ((AmqpValue) out.getBody()).getValue();
    assertThat(value.get("i")).isEqualTo(1);
    assertThat(value.get("b")).isEqualTo(new Binary(new byte[] {2}));

    WharfStreamMessage stream = sent(new WharfStreamMessage());
    stream.writeString("s");
    stream.writeLong(2L);
    out = out(RecordMapping.toRecord(stream, "orders"));
    assertThat(out.getMessageAnnotations().getValue())
        .containsEntry(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 4);
    assertThat((Object) ((AmqpSequence) out.getBody()).getValue()).isEqualTo(List.of("s", 2L));

    WharfObjectMessage object = sent(new WharfObjectMessage());
    object.setObject("serialized");
    out = out(RecordMapping.toRecord(object, "orders"));
    assertThat(out.getMessageAnnotations().getValue())
        .containsEntry(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 1);
    assertThat((Object) out.getProperties().getContentType())
        .isEqualTo(Symbol.valueOf("application/x-java-serialized-object"));
    assertThat(((Data) out.getBody()).getValue().getArray())
        .isEqualTo(WharfObjectMessage.serialize("serialized"));

    WharfMessage plain = sent(new WharfMessage());
    plain.setJMSDeliveryMode(DeliveryMode.NON_PERSISTENT);
    plain.setJMSDeliveryTime(NOW + 500);
    out = out(RecordMapping.toRecord(plain, "orders"));
    assertThat(out.getMessageAnnotations().getValue())
        .containsEntry(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 0)
        .containsEntry(Symbol.valueOf("x-opt-delivery-time"), NOW + 500);
    assertThat(out.getBody()).isNull();
    assertThat(out.getHeader().getDurable()).isNull(); // no header sent: AMQP's default, false
  }

  // ---- Qpid JMS's message through the door's in path, read by us ----

  @Test
  void qpidJmsMessagesThroughTheDoorReadTheSameHere() throws JMSException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("i", 1);
    body.put("c", 'c');
    body.put("b", new Binary(new byte[] {3}));
    org.apache.qpid.proton.message.Message q = qpid(2, new AmqpValue(body), null);
    q.getHeader().setPriority(org.apache.qpid.proton.amqp.UnsignedByte.valueOf((byte) 8));
    q.getProperties().setCorrelationId(new org.apache.qpid.proton.amqp.UnsignedLong(77));
    q.getProperties().setReplyTo("tmp-replies");
    q.getMessageAnnotations().getValue().put(Symbol.valueOf("x-opt-jms-reply-to"), (byte) 3);
    q.getProperties().setGroupId("g");
    q.getProperties().setGroupSequence(UnsignedInteger.valueOf(5));
    q.getProperties()
        .setUserId(new Binary("bob".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    Map<String, Object> app = new LinkedHashMap<>();
    app.put("s", "x");
    app.put("l", 5L);
    app.put("z", false);
    app.put("d", 1.25);
    q.setApplicationProperties(new ApplicationProperties(app));

    WharfMessage m = in(q, 1);
    assertThat(m).isInstanceOf(MapMessage.class);
    MapMessage map = (MapMessage) m;
    assertThat(map.getInt("i")).isEqualTo(1);
    assertThat(map.getChar("c")).isEqualTo('c');
    assertThat(map.getBytes("b")).containsExactly(3);
    assertThat(m.getJMSMessageID()).isEqualTo("ID:wharf-1:1:1:1");
    assertThat(m.getJMSCorrelationID()).isEqualTo("ID:AMQP_ULONG:77");
    assertThat(m.getJMSPriority()).isEqualTo(8);
    assertThat(m.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
    assertThat(m.getJMSTimestamp()).isEqualTo(NOW);
    assertThat(m.getJMSExpiration()).isEqualTo(NOW + 60_000);
    assertThat(m.getJMSReplyTo()).isEqualTo(new io.wharfmq.jms.WharfTemporaryTopic("tmp-replies"));
    assertThat(m.getJMSRedelivered()).isTrue();
    assertThat(m.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
    assertThat(m.getStringProperty("JMSXGroupID")).isEqualTo("g");
    assertThat(m.getIntProperty("JMSXGroupSeq")).isEqualTo(5);
    assertThat(m.getStringProperty("JMSXUserID")).isEqualTo("bob");
    assertThat(m.getObjectProperty("s")).isEqualTo("x");
    assertThat(m.getObjectProperty("l")).isEqualTo(5L);
    assertThat(m.getObjectProperty("z")).isEqualTo(false);
    assertThat(m.getObjectProperty("d")).isEqualTo(1.25);

    assertThat(((TextMessage) in(qpid(5, new AmqpValue("hello"), null), 0)).getText())
        .isEqualTo("hello");
    BytesMessage bytes =
        (BytesMessage)
            in(qpid(3, new Data(new Binary(new byte[] {1, 2})), "application/octet-stream"), 0);
    assertThat(bytes.getBodyLength()).isEqualTo(2);
    List<Object> list = new ArrayList<>(List.of("a", 1, new Binary(new byte[] {9})));
    StreamMessage stream = (StreamMessage) in(qpid(4, new AmqpSequence(list), null), 0);
    assertThat(stream.readString()).isEqualTo("a");
    assertThat(stream.readInt()).isEqualTo(1);
    assertThat((byte[]) stream.readObject()).containsExactly(9);
    ObjectMessage object =
        (ObjectMessage)
            in(
                qpid(
                    1,
                    new Data(
                        new Binary(WharfObjectMessage.serialize(new HashMap<>(Map.of("k", 1))))),
                    WharfObjectMessage.CONTENT_TYPE),
                0);
    assertThat(object.getObject()).isEqualTo(Map.of("k", 1));
    assertThat(in(qpid(0, null, null), 0).getClass()).isEqualTo(WharfMessage.class);
    assertThat(((TextMessage) in(qpid(5, new AmqpValue(null), null), 0)).getText()).isNull();
  }

  @Test
  void otherAmqpClientsMessagesReadAsQpidJmsWouldClassifyThem() throws JMSException {
    org.apache.qpid.proton.message.Message list =
        bare(new AmqpValue(new ArrayList<>(List.of(1, "a"))));
    list.getMessageAnnotations().getValue().put(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 4);
    StreamMessage stream = (StreamMessage) in(list, 0);
    assertThat(stream.readInt()).isEqualTo(1);
    assertThat(stream.readString()).isEqualTo("a");

    BytesMessage binary = (BytesMessage) in(bare(new AmqpValue(new Binary(new byte[] {4, 5}))), 0);
    assertThat(binary.getBodyLength()).isEqualTo(2);

    org.apache.qpid.proton.message.Message json = bare(new Data(new Binary("{}".getBytes())));
    json.getProperties().setContentType(Symbol.valueOf("application/json"));
    assertThat(((TextMessage) in(json, 0)).getText()).isEqualTo("{}");

    ObjectMessage typed = (ObjectMessage) in(bare(new AmqpValue(42L)), 0);
    assertThat(typed.getObject()).isEqualTo(42L);
  }

  /** A message as rhea or Python sends it: no JMS annotations, no header. */
  static org.apache.qpid.proton.message.Message bare(Section body) {
    org.apache.qpid.proton.message.Message m =
        org.apache.qpid.proton.message.Message.Factory.create();
    m.setMessageAnnotations(new MessageAnnotations(new HashMap<>()));
    m.setProperties(new Properties());
    m.getProperties().setMessageId("plain-id");
    m.setBody(body);
    return m;
  }

  // ---- the same JMS message makes the same record by either door ----

  @Test
  void bothDoorsStoreTheSameRecord() throws JMSException {
    Map<String, Object> mapBody = new LinkedHashMap<>();
    mapBody.put("k", "v");
    WharfMapMessage map = sent(new WharfMapMessage());
    map.setString("k", "v");
    map.setStringProperty("color", "red");
    org.apache.qpid.proton.message.Message qpidMap = qpid(2, new AmqpValue(mapBody), null);
    qpidMap.setApplicationProperties(
        new ApplicationProperties(new LinkedHashMap<>(Map.of("color", "red"))));
    assertSameRecord(map, qpidMap);

    WharfTextMessage text = sent(new WharfTextMessage("t"));
    assertSameRecord(text, qpid(5, new AmqpValue("t"), null));

    WharfStreamMessage stream = sent(new WharfStreamMessage());
    stream.writeInt(1);
    assertSameRecord(stream, qpid(4, new AmqpSequence(new ArrayList<>(List.of(1))), null));

    WharfBytesMessage bytes = sent(new WharfBytesMessage());
    bytes.writeByte((byte) 1);
    assertSameRecord(
        bytes, qpid(3, new Data(new Binary(new byte[] {1})), "application/octet-stream"));

    WharfTextMessage delayed = sent(new WharfTextMessage("later"));
    delayed.setJMSReplyTo(new io.wharfmq.jms.WharfTemporaryTopic("tt"));
    delayed.setJMSDeliveryTime(NOW + 9_000);
    delayed.setJMSCorrelationID("ID:AMQP_UUID:0f8fad5b-d9cb-469f-a165-70867728950e");
    org.apache.qpid.proton.message.Message qpidDelayed = qpid(5, new AmqpValue("later"), null);
    qpidDelayed
        .getMessageAnnotations()
        .getValue()
        .put(Symbol.valueOf("x-opt-delivery-time"), NOW + 9_000);
    qpidDelayed
        .getMessageAnnotations()
        .getValue()
        .put(Symbol.valueOf("x-opt-jms-reply-to"), (byte) 3);
    qpidDelayed.getProperties().setReplyTo("tt");
    qpidDelayed
        .getProperties()
        .setCorrelationId(java.util.UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e"));
    assertSameRecord(delayed, qpidDelayed);
  }

  private static void assertSameRecord(
      WharfMessage ours, org.apache.qpid.proton.message.Message qpid) throws JMSException {
    ours.setJMSExpiration(NOW + 60_000);
    long delay = ours.getJMSDeliveryTime() > 0 ? ours.getJMSDeliveryTime() - NOW : 0;
    Message record = RecordMapping.toRecord(ours, "orders", 60_000, delay);
    OutgoingMessage door = door(qpid);
    Map<String, String> doorProps = PropertiesText.decode(door.properties());
    Map<String, String> ourProps = new HashMap<>(record.properties());
    // the door counts the ttl's expiry from arrival; both set the absolute expiry, so equal here
    assertThat(ourProps).isEqualTo(doorProps);
    assertThat(record.body()).isEqualTo(door.body());
  }

  // ---- helpers ----

  static <T extends WharfMessage> T sent(T m) throws JMSException {
    m.setJMSMessageID("ID:wharf-1:1:1:1");
    m.setJMSTimestamp(NOW);
    m.setJMSDestination(QUEUE);
    return m;
  }

  /** A message shaped as Qpid JMS 2.x sends it to queue "orders", persistent, ttl 60 s. */
  static org.apache.qpid.proton.message.Message qpid(int type, Section body, String contentType) {
    org.apache.qpid.proton.message.Message m =
        org.apache.qpid.proton.message.Message.Factory.create();
    Header h = new Header();
    h.setDurable(true);
    h.setTtl(UnsignedInteger.valueOf(60_000));
    m.setHeader(h);
    Map<Symbol, Object> annotations = new HashMap<>(); // as Qpid JMS's
    annotations.put(Symbol.valueOf("x-opt-jms-msg-type"), (byte) type);
    annotations.put(Symbol.valueOf("x-opt-jms-dest"), (byte) 0);
    m.setMessageAnnotations(new MessageAnnotations(annotations));
    Properties p = new Properties();
    p.setMessageId("ID:wharf-1:1:1:1");
    p.setTo("orders");
    p.setCreationTime(new Date(NOW));
    p.setAbsoluteExpiryTime(new Date(NOW + 60_000));
    if (contentType != null) {
      p.setContentType(Symbol.valueOf(contentType));
    }
    m.setProperties(p);
    m.setBody(body);
    return m;
  }

  static OutgoingMessage door(org.apache.qpid.proton.message.Message m) {
    byte[] buf = new byte[64 * 1024];
    int n = m.encode(buf, 0, buf.length);
    InboundMessage in = AmqpMessageCodec.decode(buf, 0, n, NOW + 3);
    return in.message();
  }

  /** Through the AMQP door into a record, then read by this provider. */
  static WharfMessage in(org.apache.qpid.proton.message.Message m, int reconsumeTimes)
      throws JMSException {
    OutgoingMessage stored = door(m);
    MessageView view =
        new MessageView(
            "AC11000100002A9F0000000000000001",
            "7F00000100002A9F0000000000001000",
            new MessageQueue("orders", "broker-a", 0),
            0,
            null,
            List.of(),
            PropertiesText.decode(stored.properties()),
            stored.body(),
            reconsumeTimes,
            stored.bornTimestamp(),
            NOW + 4);
    return RecordMapping.fromRecord(view, QUEUE, List.of("java.util"));
  }

  /** Our record as stored, then encoded by the AMQP door for a consumer, decoded by proton-j. */
  static org.apache.qpid.proton.message.Message out(Message record) {
    Map<String, String> props = new LinkedHashMap<>(record.properties());
    props.put(ReservedProperties.UNIQ_KEY, "AC11000100002A9F0000000000000001");
    byte[] bytes = AmqpMessageCodec.encode(new Stored(record.body(), PropertiesText.encode(props)));
    org.apache.qpid.proton.message.Message m =
        org.apache.qpid.proton.message.Message.Factory.create();
    m.decode(bytes, 0, bytes.length);
    return m;
  }

  /** A stored record as the store hands it to the door. */
  record Stored(byte[] body, String propertiesText) implements ReceivedMessage {
    @Override
    public String topic() {
      return "orders";
    }

    @Override
    public int queueId() {
      return 0;
    }

    @Override
    public long queueOffset() {
      return 0;
    }

    @Override
    public long commitLogOffset() {
      return 4096;
    }

    @Override
    public String offsetMessageId() {
      return "7F00000100002A9F0000000000001000";
    }

    @Override
    public int flag() {
      return 0;
    }

    @Override
    public Map<String, String> properties() {
      return PropertiesText.decode(propertiesText);
    }

    @Override
    public long bornTimestamp() {
      return NOW;
    }

    @Override
    public long storeTimestamp() {
      return NOW + 1;
    }

    @Override
    public int reconsumeTimes() {
      return 0;
    }

    @Override
    public int sysFlag() {
      return 0;
    }

    @Override
    public byte[] record() {
      throw new UnsupportedOperationException("not a stored record");
    }

    @Override
    public Receipt receipt() {
      return null;
    }
  }
}
