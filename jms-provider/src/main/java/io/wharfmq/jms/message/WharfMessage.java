package io.wharfmq.jms.message;

import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotWriteableException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JMS message of Wharf without a body, and the headers and properties every message type shares
 * (JMS 2.0 chapter 3). Properties convert as section 3.5.4 says; the JMSX properties JMSXGroupID,
 * JMSXGroupSeq, JMSXUserID and JMSXDeliveryCount are fields of their own because they map to AMQP
 * fields, not to application properties (docs/mapping.md). {@link RecordMapping} turns it into a
 * record and back; {@link #copyOf} takes in another provider's message.
 *
 * <p>Not thread-safe: a JMS message belongs to one session's thread at a time.
 */
public class WharfMessage implements Message {
  /** What {@link #acknowledge()} calls: the session's acknowledgement of this message. */
  @FunctionalInterface
  public interface Acknowledger {
    void acknowledge() throws JMSException;
  }

  static final String JMSX_DELIVERY_COUNT = "JMSXDeliveryCount";
  static final String JMSX_GROUP_ID = "JMSXGroupID";
  static final String JMSX_GROUP_SEQ = "JMSXGroupSeq";
  static final String JMSX_USER_ID = "JMSXUserID";

  private static final Set<String> RESERVED_WORDS =
      Set.of("NULL", "TRUE", "FALSE", "NOT", "AND", "OR", "BETWEEN", "LIKE", "IN", "IS", "ESCAPE");

  private String messageId;
  private long timestamp;
  private String correlationId;
  private byte[] correlationIdBytes;
  private Destination replyTo;
  private Destination destination;
  private int deliveryMode = DeliveryMode.PERSISTENT;
  private boolean redelivered;
  private String type;
  private long expiration;
  private long deliveryTime;
  private int priority = Message.DEFAULT_PRIORITY;

  private int deliveryCount;
  private String groupId;
  private Integer groupSeq;
  private String userId;

  private final Map<String, Object> properties = new LinkedHashMap<>();
  private boolean readOnlyProperties;
  private boolean readOnlyBody;
  private Acknowledger acknowledger;

  public WharfMessage() {}

  /**
   * Our copy of any provider's message of the five JMS types (JMS 2.0 section 4.4.5: a provider
   * must send foreign messages): headers, properties and body. A Wharf message is returned as it
   * is. A foreign BytesMessage or StreamMessage is reset to read its body.
   */
  public static WharfMessage copyOf(Message foreign) throws JMSException {
    return ForeignMessages.copyOf(foreign);
  }

  /** The message type's code (x-opt-jms-msg-type, docs/mapping.md): 0 for a plain Message. */
  int jmsMessageType() {
    return 0;
  }

  // ---- receipt ----

  /**
   * Makes the body and properties read-only (true, as at receipt) or writable again (false). A
   * BytesMessage or StreamMessage made read-only is ready to read from its start.
   */
  public void setReadOnly(boolean readOnly) {
    readOnlyProperties = readOnly;
    readOnlyBody = readOnly;
  }

  /** The hook {@link #acknowledge()} calls; null makes acknowledge a no-op. */
  public void setAcknowledger(Acknowledger a) {
    this.acknowledger = a;
  }

  @Override
  public void acknowledge() throws JMSException {
    Acknowledger a = acknowledger;
    if (a != null) {
      a.acknowledge();
    }
  }

  /** Makes the body read-only (a BytesMessage or StreamMessage after reset()). */
  void setReadOnlyBody() {
    readOnlyBody = true;
  }

  boolean isReadOnlyBody() {
    return readOnlyBody;
  }

  void checkBodyWritable() throws MessageNotWriteableException {
    if (readOnlyBody) {
      throw new MessageNotWriteableException("the message body is read-only (a received message)");
    }
  }

  private void checkPropertiesWritable() throws MessageNotWriteableException {
    if (readOnlyProperties) {
      throw new MessageNotWriteableException(
          "the message properties are read-only (a received message): clearProperties first");
    }
  }

  // ---- headers ----

  @Override
  public String getJMSMessageID() {
    return messageId;
  }

  @Override
  public void setJMSMessageID(String id) {
    this.messageId = id;
  }

  @Override
  public long getJMSTimestamp() {
    return timestamp;
  }

  @Override
  public void setJMSTimestamp(long timestamp) {
    this.timestamp = timestamp;
  }

  @Override
  public byte[] getJMSCorrelationIDAsBytes() {
    if (correlationIdBytes != null) {
      return correlationIdBytes.clone();
    }
    return correlationId == null ? null : correlationId.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void setJMSCorrelationIDAsBytes(byte[] id) {
    this.correlationIdBytes = id == null ? null : id.clone();
    this.correlationId = id == null ? null : AmqpIds.binaryJmsId(id);
  }

  @Override
  public void setJMSCorrelationID(String id) {
    this.correlationId = id;
    this.correlationIdBytes = null;
  }

  @Override
  public String getJMSCorrelationID() {
    return correlationId;
  }

  /** The correlation id's bytes when it was set as bytes (an AMQP binary id), else null. */
  byte[] correlationIdBytes() {
    return correlationIdBytes;
  }

  @Override
  public Destination getJMSReplyTo() {
    return replyTo;
  }

  @Override
  public void setJMSReplyTo(Destination replyTo) {
    this.replyTo = replyTo;
  }

  @Override
  public Destination getJMSDestination() {
    return destination;
  }

  @Override
  public void setJMSDestination(Destination destination) {
    this.destination = destination;
  }

  @Override
  public int getJMSDeliveryMode() {
    return deliveryMode;
  }

  @Override
  public void setJMSDeliveryMode(int deliveryMode) throws JMSException {
    if (deliveryMode != DeliveryMode.PERSISTENT && deliveryMode != DeliveryMode.NON_PERSISTENT) {
      throw new JMSException("JMSDeliveryMode must be PERSISTENT or NON_PERSISTENT");
    }
    this.deliveryMode = deliveryMode;
  }

  @Override
  public boolean getJMSRedelivered() {
    return redelivered;
  }

  @Override
  public void setJMSRedelivered(boolean redelivered) {
    this.redelivered = redelivered;
  }

  @Override
  public String getJMSType() {
    return type;
  }

  @Override
  public void setJMSType(String type) {
    this.type = type;
  }

  @Override
  public long getJMSExpiration() {
    return expiration;
  }

  @Override
  public void setJMSExpiration(long expiration) {
    this.expiration = expiration;
  }

  @Override
  public long getJMSDeliveryTime() {
    return deliveryTime;
  }

  @Override
  public void setJMSDeliveryTime(long deliveryTime) {
    this.deliveryTime = deliveryTime;
  }

  @Override
  public int getJMSPriority() {
    return priority;
  }

  @Override
  public void setJMSPriority(int priority) throws JMSException {
    if (priority < 0 || priority > 9) {
      throw new JMSException("JMSPriority must be 0..9, got " + priority);
    }
    this.priority = priority;
  }

  // ---- JMSX fields, for the provider and the record mapping ----

  /** JMSXDeliveryCount; 0 until the message is received. */
  int deliveryCount() {
    return deliveryCount;
  }

  void deliveryCount(int count) {
    this.deliveryCount = count;
  }

  String groupId() {
    return groupId;
  }

  Integer groupSeq() {
    return groupSeq;
  }

  String userId() {
    return userId;
  }

  /** Sets JMSXUserID (the provider does when the connection populates it). */
  public void setUserId(String userId) {
    this.userId = userId;
  }

  void groupId(String groupId) {
    this.groupId = groupId;
  }

  void groupSeq(Integer groupSeq) {
    this.groupSeq = groupSeq;
  }

  /** The application properties in the order they were set, without the JMSX fields. */
  Map<String, Object> applicationProperties() {
    return Collections.unmodifiableMap(properties);
  }

  /** Sets an application property without checks (a received record's). */
  void putProperty(String name, Object value) {
    properties.put(name, value);
  }

  // ---- properties ----

  @Override
  public void clearProperties() {
    properties.clear();
    groupId = null;
    groupSeq = null;
    userId = null;
    deliveryCount = 0;
    readOnlyProperties = false;
  }

  @Override
  public boolean propertyExists(String name) {
    return name != null && (properties.containsKey(name) || jmsx(name) != null);
  }

  @Override
  public Enumeration<String> getPropertyNames() {
    List<String> names = new java.util.ArrayList<>(properties.keySet());
    for (String n : List.of(JMSX_DELIVERY_COUNT, JMSX_GROUP_ID, JMSX_GROUP_SEQ, JMSX_USER_ID)) {
      if (jmsx(n) != null) {
        names.add(n);
      }
    }
    return Collections.enumeration(names);
  }

  private Object jmsx(String name) {
    return switch (name) {
      case JMSX_DELIVERY_COUNT -> deliveryCount > 0 ? (Object) deliveryCount : null;
      case JMSX_GROUP_ID -> groupId;
      case JMSX_GROUP_SEQ -> groupSeq;
      case JMSX_USER_ID -> userId;
      default -> null;
    };
  }

  private Object property(String name) {
    Object v = jmsx(name);
    return v != null ? v : properties.get(name);
  }

  @Override
  public Object getObjectProperty(String name) {
    return property(name);
  }

  @Override
  public boolean getBooleanProperty(String name) throws JMSException {
    return TypeConversion.toBoolean(property(name));
  }

  @Override
  public byte getByteProperty(String name) throws JMSException {
    return TypeConversion.toByte(property(name));
  }

  @Override
  public short getShortProperty(String name) throws JMSException {
    return TypeConversion.toShort(property(name));
  }

  @Override
  public int getIntProperty(String name) throws JMSException {
    return TypeConversion.toInt(property(name));
  }

  @Override
  public long getLongProperty(String name) throws JMSException {
    return TypeConversion.toLong(property(name));
  }

  @Override
  public float getFloatProperty(String name) throws JMSException {
    return TypeConversion.toFloat(property(name));
  }

  @Override
  public double getDoubleProperty(String name) throws JMSException {
    return TypeConversion.toDouble(property(name));
  }

  @Override
  public String getStringProperty(String name) throws JMSException {
    return TypeConversion.toText(property(name));
  }

  @Override
  public void setBooleanProperty(String name, boolean value) throws JMSException {
    setObjectProperty(name, value);
  }

  @Override
  public void setByteProperty(String name, byte value) throws JMSException {
    setObjectProperty(name, value);
  }

  @Override
  public void setShortProperty(String name, short value) throws JMSException {
    setObjectProperty(name, value);
  }

  @Override
  public void setIntProperty(String name, int value) throws JMSException {
    setObjectProperty(name, value);
  }

  @Override
  public void setLongProperty(String name, long value) throws JMSException {
    setObjectProperty(name, value);
  }

  @Override
  public void setFloatProperty(String name, float value) throws JMSException {
    setObjectProperty(name, value);
  }

  @Override
  public void setDoubleProperty(String name, double value) throws JMSException {
    setObjectProperty(name, value);
  }

  @Override
  public void setStringProperty(String name, String value) throws JMSException {
    setObjectProperty(name, value);
  }

  @Override
  public void setObjectProperty(String name, Object value) throws JMSException {
    checkName(name);
    checkPropertiesWritable();
    if (!TypeConversion.isPropertyValue(value)) {
      throw new MessageFormatException(
          "property " + name + " cannot hold a " + value.getClass().getName() + " value");
    }
    switch (name) {
      case JMSX_GROUP_ID -> groupId = TypeConversion.toText(value);
      case JMSX_USER_ID -> userId = TypeConversion.toText(value);
      case JMSX_GROUP_SEQ -> groupSeq = value == null ? null : TypeConversion.toInt(value);
      case JMSX_DELIVERY_COUNT -> deliveryCount = value == null ? 0 : TypeConversion.toInt(value);
      default -> properties.put(name, value);
    }
  }

  /**
   * A property name must be a selector identifier (JMS 2.0 section 3.8.1.1): a Java identifier that
   * is not one of the selector's reserved words.
   */
  static void checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a property name must not be null or empty");
    }
    if (!Character.isJavaIdentifierStart(name.charAt(0))) {
      throw new IllegalArgumentException(
          "property name '" + name + "' does not start as a Java identifier");
    }
    for (int i = 1; i < name.length(); i++) {
      if (!Character.isJavaIdentifierPart(name.charAt(i))) {
        throw new IllegalArgumentException(
            "property name '" + name + "' is not a Java identifier (character " + i + ")");
      }
    }
    if (RESERVED_WORDS.contains(name.toUpperCase(java.util.Locale.ROOT))) {
      throw new IllegalArgumentException(
          "property name '" + name + "' is a reserved word of message selectors");
    }
  }

  // ---- body ----

  @Override
  public void clearBody() throws JMSException {
    readOnlyBody = false;
  }

  /** Whether the message has a body (JMS getBody and isBodyAssignableTo). */
  boolean hasBody() throws JMSException {
    return false;
  }

  /** The body for {@link #getBody}, when there is one. */
  Object body() throws JMSException {
    return null;
  }

  @Override
  public <T> T getBody(Class<T> c) throws JMSException {
    if (!hasBody()) {
      return null;
    }
    if (!isBodyAssignableTo(c)) {
      throw new MessageFormatException(
          "the body of a " + getClass().getSimpleName() + " cannot be a " + c.getName());
    }
    return c.cast(body());
  }

  @Override
  @SuppressWarnings("rawtypes")
  public boolean isBodyAssignableTo(Class c) throws JMSException {
    return true;
  }
}
