package io.wharfmq.jms.message;

import static io.wharfmq.service.message.ReservedProperties.ABSOLUTE_EXPIRY_TIME;
import static io.wharfmq.service.message.ReservedProperties.BODY;
import static io.wharfmq.service.message.ReservedProperties.CONTENT_TYPE;
import static io.wharfmq.service.message.ReservedProperties.CORRELATION_ID;
import static io.wharfmq.service.message.ReservedProperties.CORRELATION_ID_TYPE;
import static io.wharfmq.service.message.ReservedProperties.CREATION_TIME;
import static io.wharfmq.service.message.ReservedProperties.DELIVER_AT;
import static io.wharfmq.service.message.ReservedProperties.DURABLE;
import static io.wharfmq.service.message.ReservedProperties.EXPIRES_AT;
import static io.wharfmq.service.message.ReservedProperties.GROUP_ID;
import static io.wharfmq.service.message.ReservedProperties.GROUP_SEQUENCE;
import static io.wharfmq.service.message.ReservedProperties.JMS_MSG_TYPE;
import static io.wharfmq.service.message.ReservedProperties.MESSAGE_ANNOTATIONS;
import static io.wharfmq.service.message.ReservedProperties.MESSAGE_ID;
import static io.wharfmq.service.message.ReservedProperties.MESSAGE_ID_TYPE;
import static io.wharfmq.service.message.ReservedProperties.PRIORITY;
import static io.wharfmq.service.message.ReservedProperties.REPLY_TO;
import static io.wharfmq.service.message.ReservedProperties.REPLY_TO_TYPE;
import static io.wharfmq.service.message.ReservedProperties.SECTIONS;
import static io.wharfmq.service.message.ReservedProperties.SUBJECT;
import static io.wharfmq.service.message.ReservedProperties.TO;
import static io.wharfmq.service.message.ReservedProperties.TTL;
import static io.wharfmq.service.message.ReservedProperties.UNIQ_KEY;
import static io.wharfmq.service.message.ReservedProperties.USER_ID;

import io.wharfmq.client.Message;
import io.wharfmq.client.MessageView;
import io.wharfmq.jms.WharfDestination;
import io.wharfmq.jms.WharfQueue;
import io.wharfmq.jms.WharfTemporaryQueue;
import io.wharfmq.jms.WharfTemporaryTopic;
import io.wharfmq.jms.WharfTopic;
import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.message.PropertyType;
import io.wharfmq.service.message.ReservedProperties;
import io.wharfmq.service.message.TypedProperties;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.Queue;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.Topic;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;

/**
 * Our JMS messages to the native client's records and back, by the table of docs/mapping.md: the
 * provider stores the same record the AMQP door stores when Qpid JMS sends the same message, so
 * that Qpid JMS on the AMQP listener, a RocketMQ consumer and this provider read the same thing.
 * Stateless; thread-safe.
 */
public final class RecordMapping {
  private RecordMapping() {}

  /** The most a record's properties text may take (a two-byte length, docs/formats.md). */
  static final int MAX_PROPERTIES_BYTES = Short.MAX_VALUE;

  private static final long MAX_UINT = 0xFFFF_FFFFL;

  static final Symbol JMS_MSG_TYPE_ANNOTATION = Symbol.valueOf("x-opt-jms-msg-type");
  static final Symbol JMS_DEST_ANNOTATION = Symbol.valueOf("x-opt-jms-dest");
  static final Symbol JMS_REPLY_TO_ANNOTATION = Symbol.valueOf("x-opt-jms-reply-to");
  static final Symbol DELIVERY_TIME_ANNOTATION = Symbol.valueOf("x-opt-delivery-time");

  /**
   * As {@link #toRecord(WharfMessage, String, long, long)}, with the time to live and delivery
   * delay read off the headers: JMSExpiration and JMSDeliveryTime less JMSTimestamp (when the
   * timestamp is set).
   */
  public static Message toRecord(WharfMessage m, String topic) throws JMSException {
    long timestamp = m.getJMSTimestamp();
    long ttl = timestamp > 0 && m.getJMSExpiration() > 0 ? m.getJMSExpiration() - timestamp : 0;
    long delay = timestamp > 0 ? m.getJMSDeliveryTime() - timestamp : 0;
    return toRecord(m, topic, Math.max(ttl, 0), Math.max(delay, 0));
  }

  /**
   * The record to send for a message whose headers the provider has set (JMSMessageID,
   * JMSTimestamp, JMSDestination, JMSDeliveryMode, JMSPriority, JMSExpiration = send time + time to
   * live, JMSDeliveryTime = send time + delivery delay).
   *
   * @param timeToLive the producer's time to live, ms (AMQP header ttl); 0 for none
   * @param deliveryDelay the producer's delivery delay, ms; above 0 the record waits on the
   *     broker's timer until JMSDeliveryTime
   * @throws MessageFormatException when a property cannot be stored: a RocketMQ separator (\u0001,
   *     \u0002) in a name or value, or more than 32767 bytes of properties text
   */
  public static Message toRecord(WharfMessage m, String topic, long timeToLive, long deliveryDelay)
      throws JMSException {
    Map<String, String> p = new LinkedHashMap<>();
    StringBuilder sections = new StringBuilder();
    boolean persistent = m.getJMSDeliveryMode() == DeliveryMode.PERSISTENT;
    int priority = m.getJMSPriority();
    // Qpid JMS sends a header only when a field differs from AMQP's defaults, and a ttl only
    // when it fits a uint.
    boolean ttl = timeToLive > 0 && timeToLive < MAX_UINT;
    if (persistent || priority != jakarta.jms.Message.DEFAULT_PRIORITY || ttl) {
      sections.append('H');
      if (persistent) {
        p.put(DURABLE, "true");
      }
      if (priority != jakarta.jms.Message.DEFAULT_PRIORITY) {
        p.put(PRIORITY, Integer.toString(priority));
      }
      if (ttl) {
        p.put(TTL, Long.toString(timeToLive));
      }
    }
    sections.append('M');
    RecordBodies.Encoded body = RecordBodies.encode(m);
    int before = p.size();
    propertiesSection(m, body.contentType(), p);
    if (p.size() > before) {
      sections.append('P'); // Qpid JMS leaves out a properties section with no field set
    }
    // A HashMap, as Qpid JMS's: the annotations' encoded order is then the same as its.
    Map<Symbol, Object> annotations = new HashMap<>();
    annotations.put(JMS_MSG_TYPE_ANNOTATION, (byte) m.jmsMessageType());
    p.put(JMS_MSG_TYPE, Integer.toString(m.jmsMessageType()));
    if (m.getJMSDestination() != null) {
      annotations.put(JMS_DEST_ANNOTATION, (byte) kind(m.getJMSDestination()));
    }
    if (m.getJMSReplyTo() != null) {
      int kind = kind(m.getJMSReplyTo());
      annotations.put(JMS_REPLY_TO_ANNOTATION, (byte) kind);
      p.put(REPLY_TO_TYPE, Integer.toString(kind));
    }
    boolean delayed = deliveryDelay > 0 && m.getJMSDeliveryTime() > 0;
    if (delayed) {
      annotations.put(DELIVERY_TIME_ANNOTATION, m.getJMSDeliveryTime());
    }
    if (m.getJMSExpiration() > 0) {
      p.put(EXPIRES_AT, Long.toString(m.getJMSExpiration()));
    }
    Map<String, Object> application = m.applicationProperties();
    if (!application.isEmpty()) {
      sections.append('A');
      TypedProperties.write(application, p);
    }
    p.put(
        MESSAGE_ANNOTATIONS,
        Base64.getEncoder()
            .encodeToString(AmqpSections.encode(new MessageAnnotations(annotations))));
    p.put(BODY, body.kind());
    p.put(SECTIONS, sections.toString());
    checkLimits(p);
    Message.Builder record = Message.builder(topic).body(body.bytes());
    p.forEach(record::property);
    if (delayed) {
      record.deliverAt(Instant.ofEpochMilli(m.getJMSDeliveryTime()));
    }
    return record.build();
  }

  private static void propertiesSection(WharfMessage m, String contentType, Map<String, String> p)
      throws JMSException {
    AmqpIds.StoredId id = AmqpIds.stored(m.getJMSMessageID());
    putId(p, id, MESSAGE_ID, MESSAGE_ID_TYPE);
    if (m.userId() != null) {
      p.put(
          USER_ID, Base64.getEncoder().encodeToString(m.userId().getBytes(StandardCharsets.UTF_8)));
    }
    if (m.getJMSDestination() != null) {
      p.put(TO, name(m.getJMSDestination()));
    }
    putIfSet(p, SUBJECT, m.getJMSType());
    if (m.getJMSReplyTo() != null) {
      p.put(REPLY_TO, name(m.getJMSReplyTo()));
    }
    byte[] correlationBytes = m.correlationIdBytes();
    putId(
        p,
        correlationBytes != null
            ? AmqpIds.stored(correlationBytes)
            : AmqpIds.stored(m.getJMSCorrelationID()),
        CORRELATION_ID,
        CORRELATION_ID_TYPE);
    putIfSet(p, CONTENT_TYPE, contentType);
    if (m.getJMSExpiration() > 0) {
      p.put(ABSOLUTE_EXPIRY_TIME, Long.toString(m.getJMSExpiration()));
    }
    if (m.getJMSTimestamp() > 0) {
      p.put(CREATION_TIME, Long.toString(m.getJMSTimestamp()));
    }
    putIfSet(p, GROUP_ID, m.groupId());
    if (m.groupSeq() != null) {
      p.put(GROUP_SEQUENCE, Integer.toUnsignedString(m.groupSeq()));
    }
  }

  private static void putId(Map<String, String> p, AmqpIds.StoredId id, String name, String type) {
    if (id != null) {
      p.put(name, id.text());
      if (id.typeCode() != null) {
        p.put(type, id.typeCode());
      }
    }
  }

  private static void putIfSet(Map<String, String> p, String name, String value) {
    if (value != null) {
      p.put(name, value);
    }
  }

  private static void checkLimits(Map<String, String> p) throws MessageFormatException {
    for (Map.Entry<String, String> e : p.entrySet()) {
      if (hasSeparator(e.getKey()) || hasSeparator(e.getValue())) {
        throw new MessageFormatException(
            "property "
                + e.getKey().replace('\u0001', '?').replace('\u0002', '?')
                + " holds \\u0001 or \\u0002 in its name or value, which a record cannot store");
      }
    }
    String text = PropertiesText.encode(p);
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_PROPERTIES_BYTES) {
      throw new MessageFormatException(
          "the message's headers and properties take "
              + bytes
              + " bytes, over the "
              + MAX_PROPERTIES_BYTES
              + " a record holds");
    }
  }

  private static boolean hasSeparator(String s) {
    return s.indexOf(PropertiesText.NAME_VALUE_SEPARATOR) >= 0
        || s.indexOf(PropertiesText.PROPERTY_SEPARATOR) >= 0;
  }

  /**
   * x-opt-jms-dest / x-opt-jms-reply-to: 0 queue, 1 topic, 2 temporary queue, 3 temporary topic.
   */
  static int kind(Destination d) throws JMSException {
    if (d instanceof TemporaryQueue) {
      return 2;
    } else if (d instanceof TemporaryTopic) {
      return 3;
    } else if (d instanceof Queue) {
      return 0;
    } else if (d instanceof Topic) {
      return 1;
    }
    throw new jakarta.jms.InvalidDestinationException("not a queue or topic: " + d);
  }

  static String name(Destination d) throws JMSException {
    if (d instanceof WharfDestination w) {
      return w.name();
    } else if (d instanceof Queue q) {
      return q.getQueueName();
    } else if (d instanceof Topic t) {
      return t.getTopicName();
    }
    throw new jakarta.jms.InvalidDestinationException("not a queue or topic: " + d);
  }

  // ---- record to message ----

  /**
   * The message a consumer of {@code consumedFrom} receives, read-only (body ready to read).
   * JMSRedelivered and JMSXDeliveryCount come from the record's reconsume times; a record without
   * {@code WHARF_SECTIONS} came from a RocketMQ client and reads as a BytesMessage with its user
   * properties as String properties.
   *
   * @param trustedPackages the packages an ObjectMessage may deserialize classes of ({@code *}:
   *     all); null for the defaults
   * @throws MessageFormatException when an AMQP-encoded body does not decode
   */
  public static WharfMessage fromRecord(
      MessageView view, WharfDestination consumedFrom, List<String> trustedPackages)
      throws JMSException {
    Map<String, String> p = view.properties();
    WharfMessage m;
    if (p.containsKey(SECTIONS)) {
      m = RecordBodies.decode(view.body(), p, trustedPackages);
      amqpHeaders(m, p, consumedFrom);
    } else {
      m = new WharfBytesMessage(view.body());
      rocketMqHeaders(m, view);
    }
    m.setJMSDestination(consumedFrom);
    m.setJMSRedelivered(view.reconsumeTimes() > 0);
    m.deliveryCount(view.reconsumeTimes() + 1);
    m.setReadOnly(true);
    return m;
  }

  private static void rocketMqHeaders(WharfMessage m, MessageView view) {
    Map<String, String> p = view.properties();
    String id = p.get(UNIQ_KEY);
    id = id != null ? id : view.offsetMsgId();
    m.setJMSMessageID(id == null ? null : AmqpIds.jmsId(id, null, true));
    m.setJMSTimestamp(view.bornTimestamp());
    m.setJMSDeliveryTime(number(p, DELIVER_AT, view.bornTimestamp()));
    m.setJMSExpiration(number(p, EXPIRES_AT, 0));
    // PERSISTENT and priority 4 are the message's defaults.
    for (Map.Entry<String, String> e : p.entrySet()) {
      if (ReservedProperties.isUserProperty(e.getKey())) {
        m.putProperty(e.getKey(), e.getValue());
      }
    }
  }

  private static void amqpHeaders(
      WharfMessage m, Map<String, String> p, WharfDestination consumedFrom) throws JMSException {
    m.setJMSDeliveryMode(
        "true".equals(p.get(DURABLE)) ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT);
    long priority = number(p, PRIORITY, jakarta.jms.Message.DEFAULT_PRIORITY);
    m.setJMSPriority((int) Math.max(0, Math.min(priority, 9)));
    String id = p.get(MESSAGE_ID);
    if (id != null) {
      m.setJMSMessageID(AmqpIds.jmsId(id, p.get(MESSAGE_ID_TYPE), true));
    }
    String correlation = p.get(CORRELATION_ID);
    String correlationType = p.get(CORRELATION_ID_TYPE);
    if (correlation != null) {
      byte[] binary = binaryId(correlation, correlationType);
      if (binary != null) {
        m.setJMSCorrelationIDAsBytes(binary);
      } else {
        m.setJMSCorrelationID(AmqpIds.jmsId(correlation, correlationType, false));
      }
    }
    m.setJMSType(p.get(SUBJECT));
    long timestamp = number(p, CREATION_TIME, 0);
    m.setJMSTimestamp(timestamp);
    m.setJMSExpiration(number(p, EXPIRES_AT, 0));
    m.setJMSDeliveryTime(number(p, DELIVER_AT, timestamp));
    String replyTo = p.get(REPLY_TO);
    if (replyTo != null && !replyTo.isEmpty()) {
      int fallback = consumedFrom == null ? 0 : kind(consumedFrom);
      m.setJMSReplyTo(destination(replyTo, (int) number(p, REPLY_TO_TYPE, fallback)));
    }
    m.groupId(p.get(GROUP_ID));
    String seq = p.get(GROUP_SEQUENCE);
    if (seq != null) {
      m.groupSeq((int) number(p, GROUP_SEQUENCE, 0));
    }
    String userId = p.get(USER_ID);
    if (userId != null) {
      try {
        m.setUserId(new String(Base64.getDecoder().decode(userId), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException damaged) {
        m.setUserId(null); // not Base64: some other client changed it
      }
    }
    applicationProperties(m, p);
  }

  private static byte[] binaryId(String text, String typeCode) {
    if (typeCode == null || !typeCode.equals(String.valueOf(PropertyType.BINARY.code()))) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException damaged) {
      return null;
    }
  }

  private static void applicationProperties(WharfMessage m, Map<String, String> p) {
    Map<String, Object> values;
    try {
      values = TypedProperties.read(p);
    } catch (IllegalArgumentException damaged) {
      // A damaged WHARF_TYPES or value (another client changed it): the user properties as text.
      values = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : p.entrySet()) {
        if (ReservedProperties.isUserProperty(e.getKey())) {
          values.put(e.getKey(), e.getValue());
        }
      }
    }
    for (Map.Entry<String, Object> e : values.entrySet()) {
      m.putProperty(
          e.getKey(), jmsValue(e.getValue(), p.get(ReservedProperties.storedName(e.getKey()))));
    }
  }

  /**
   * A JMS property value of an AMQP application property: JMS types as they are, a ulong as a long
   * when it fits, the other AMQP-only types (uuid, binary, symbol, char, decimals, a ulong beyond a
   * long) as their stored text.
   */
  private static Object jmsValue(Object value, String text) {
    if (TypeConversion.isPropertyValue(value)) {
      return value;
    } else if (value instanceof BigInteger b && b.bitLength() < 64) {
      return b.longValue();
    }
    return text;
  }

  static Destination destination(String name, int kind) {
    return switch (kind) {
      case 1 -> new WharfTopic(name);
      case 2 -> new WharfTemporaryQueue(name);
      case 3 -> new WharfTemporaryTopic(name);
      default -> new WharfQueue(name);
    };
  }

  private static long number(Map<String, String> p, String name, long absent) {
    String v = p.get(name);
    if (v == null) {
      return absent;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException damaged) {
      return absent; // another client changed it: as if absent
    }
  }
}
