package io.wharfmq.jms;

import static io.wharfmq.jms.WharfJMSContext.run;

import jakarta.jms.BytesMessage;
import jakarta.jms.CompletionListener;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.InvalidDestinationRuntimeException;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatRuntimeException;
import jakarta.jms.ObjectMessage;
import jakarta.jms.TextMessage;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A {@link JMSProducer}: delivery options, message properties and headers that it applies to each
 * message it sends through its context's one anonymous MessageProducer. Cheap; an application may
 * make one per send. Used by the context's thread, as its session is.
 */
final class WharfJMSProducer implements JMSProducer {
  private final WharfJMSContext context;
  private final Map<String, Object> properties = new LinkedHashMap<>();
  private int deliveryMode = DeliveryMode.PERSISTENT;
  private int priority = Message.DEFAULT_PRIORITY;
  private long timeToLive = Message.DEFAULT_TIME_TO_LIVE;
  private long deliveryDelay = Message.DEFAULT_DELIVERY_DELAY;
  private boolean disableMessageId;
  private boolean disableMessageTimestamp;
  private CompletionListener completionListener;
  private String correlationId;
  private byte[] correlationIdBytes;
  private String type;
  private Destination replyTo;

  WharfJMSProducer(WharfJMSContext context) {
    this.context = context;
  }

  // ---------------------------------------------------------------- send

  @Override
  public JMSProducer send(Destination destination, Message message) {
    if (destination == null) {
      throw new InvalidDestinationRuntimeException(
          "a JMSProducer sends to a destination, not null");
    }
    if (message == null) {
      throw new MessageFormatRuntimeException("a JMSProducer sends a message, not null");
    }
    run(
        () -> {
          for (Map.Entry<String, Object> p : properties.entrySet()) {
            message.setObjectProperty(p.getKey(), p.getValue());
          }
          if (correlationIdBytes != null) {
            message.setJMSCorrelationIDAsBytes(correlationIdBytes);
          } else if (correlationId != null) {
            message.setJMSCorrelationID(correlationId);
          }
          if (type != null) {
            message.setJMSType(type);
          }
          if (replyTo != null) {
            message.setJMSReplyTo(replyTo);
          }
        });
    context.send(destination, message, this);
    return this;
  }

  @Override
  public JMSProducer send(Destination destination, String body) {
    TextMessage m = context.createTextMessage(body);
    return send(destination, m);
  }

  @Override
  public JMSProducer send(Destination destination, Map<String, Object> body) {
    MapMessage m = context.createMapMessage();
    if (body != null) {
      run(
          () -> {
            for (Map.Entry<String, Object> e : body.entrySet()) {
              m.setObject(e.getKey(), e.getValue());
            }
          });
    }
    return send(destination, m);
  }

  @Override
  public JMSProducer send(Destination destination, byte[] body) {
    BytesMessage m = context.createBytesMessage();
    if (body != null) {
      run(() -> m.writeBytes(body));
    }
    return send(destination, m);
  }

  @Override
  public JMSProducer send(Destination destination, Serializable body) {
    ObjectMessage m = context.createObjectMessage(body);
    return send(destination, m);
  }

  // ---------------------------------------------------------------- delivery options

  @Override
  public JMSProducer setDisableMessageID(boolean value) {
    disableMessageId = value;
    return this;
  }

  @Override
  public boolean getDisableMessageID() {
    return disableMessageId;
  }

  @Override
  public JMSProducer setDisableMessageTimestamp(boolean value) {
    disableMessageTimestamp = value;
    return this;
  }

  @Override
  public boolean getDisableMessageTimestamp() {
    return disableMessageTimestamp;
  }

  @Override
  public JMSProducer setDeliveryMode(int deliveryMode) {
    if (deliveryMode != DeliveryMode.PERSISTENT && deliveryMode != DeliveryMode.NON_PERSISTENT) {
      throw new JMSRuntimeException(
          "delivery mode " + deliveryMode + " is neither PERSISTENT (2) nor NON_PERSISTENT (1)");
    }
    this.deliveryMode = deliveryMode;
    return this;
  }

  @Override
  public int getDeliveryMode() {
    return deliveryMode;
  }

  @Override
  public JMSProducer setPriority(int priority) {
    if (priority < 0 || priority > 9) {
      throw new JMSRuntimeException("priority " + priority + " is not from 0 to 9");
    }
    this.priority = priority;
    return this;
  }

  @Override
  public int getPriority() {
    return priority;
  }

  @Override
  public JMSProducer setTimeToLive(long timeToLive) {
    this.timeToLive = timeToLive;
    return this;
  }

  @Override
  public long getTimeToLive() {
    return timeToLive;
  }

  @Override
  public JMSProducer setDeliveryDelay(long deliveryDelay) {
    this.deliveryDelay = deliveryDelay;
    return this;
  }

  @Override
  public long getDeliveryDelay() {
    return deliveryDelay;
  }

  @Override
  public JMSProducer setAsync(CompletionListener completionListener) {
    this.completionListener = completionListener;
    return this;
  }

  @Override
  public CompletionListener getAsync() {
    return completionListener;
  }

  // ---------------------------------------------------------------- properties

  private JMSProducer put(String name, Object value) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a property needs a name");
    }
    properties.put(name, value);
    return this;
  }

  @Override
  public JMSProducer setProperty(String name, boolean value) {
    return put(name, value);
  }

  @Override
  public JMSProducer setProperty(String name, byte value) {
    return put(name, value);
  }

  @Override
  public JMSProducer setProperty(String name, short value) {
    return put(name, value);
  }

  @Override
  public JMSProducer setProperty(String name, int value) {
    return put(name, value);
  }

  @Override
  public JMSProducer setProperty(String name, long value) {
    return put(name, value);
  }

  @Override
  public JMSProducer setProperty(String name, float value) {
    return put(name, value);
  }

  @Override
  public JMSProducer setProperty(String name, double value) {
    return put(name, value);
  }

  @Override
  public JMSProducer setProperty(String name, String value) {
    return put(name, value);
  }

  @Override
  public JMSProducer setProperty(String name, Object value) {
    if (value != null
        && !(value instanceof Boolean
            || value instanceof Byte
            || value instanceof Short
            || value instanceof Integer
            || value instanceof Long
            || value instanceof Float
            || value instanceof Double
            || value instanceof String)) {
      throw new MessageFormatRuntimeException(
          "property '" + name + "' cannot hold a " + value.getClass().getName());
    }
    return put(name, value);
  }

  @Override
  public JMSProducer clearProperties() {
    properties.clear();
    return this;
  }

  @Override
  public boolean propertyExists(String name) {
    return properties.containsKey(name);
  }

  @Override
  public Set<String> getPropertyNames() {
    return Collections.unmodifiableSet(new java.util.LinkedHashSet<>(properties.keySet()));
  }

  @Override
  public Object getObjectProperty(String name) {
    return properties.get(name);
  }

  // The typed getters convert as Message's do (JMS 2.0 section 3.5.4): a String parses, a narrower
  // integer widens, anything else is a MessageFormatRuntimeException.

  @Override
  public boolean getBooleanProperty(String name) {
    Object v = properties.get(name);
    if (v == null || v instanceof String) {
      return Boolean.parseBoolean((String) v);
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw cannotConvert(name, v, "boolean");
  }

  @Override
  public byte getByteProperty(String name) {
    Object v = properties.get(name);
    if (v == null || v instanceof String) {
      return Byte.parseByte((String) v);
    }
    if (v instanceof Byte b) {
      return b;
    }
    throw cannotConvert(name, v, "byte");
  }

  @Override
  public short getShortProperty(String name) {
    Object v = properties.get(name);
    if (v == null || v instanceof String) {
      return Short.parseShort((String) v);
    }
    if (v instanceof Byte || v instanceof Short) {
      return ((Number) v).shortValue();
    }
    throw cannotConvert(name, v, "short");
  }

  @Override
  public int getIntProperty(String name) {
    Object v = properties.get(name);
    if (v == null || v instanceof String) {
      return Integer.parseInt((String) v);
    }
    if (v instanceof Byte || v instanceof Short || v instanceof Integer) {
      return ((Number) v).intValue();
    }
    throw cannotConvert(name, v, "int");
  }

  @Override
  public long getLongProperty(String name) {
    Object v = properties.get(name);
    if (v == null || v instanceof String) {
      return Long.parseLong((String) v);
    }
    if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    throw cannotConvert(name, v, "long");
  }

  @Override
  public float getFloatProperty(String name) {
    Object v = properties.get(name);
    if (v == null) {
      throw new NullPointerException("no property '" + name + "' to read as a float");
    }
    if (v instanceof String s) {
      return Float.parseFloat(s);
    }
    if (v instanceof Float f) {
      return f;
    }
    throw cannotConvert(name, v, "float");
  }

  @Override
  public double getDoubleProperty(String name) {
    Object v = properties.get(name);
    if (v == null) {
      throw new NullPointerException("no property '" + name + "' to read as a double");
    }
    if (v instanceof String s) {
      return Double.parseDouble(s);
    }
    if (v instanceof Float || v instanceof Double) {
      return ((Number) v).doubleValue();
    }
    throw cannotConvert(name, v, "double");
  }

  @Override
  public String getStringProperty(String name) {
    Object v = properties.get(name);
    return v == null ? null : v.toString();
  }

  private static MessageFormatRuntimeException cannotConvert(String name, Object v, String to) {
    return new MessageFormatRuntimeException(
        "property '" + name + "' is a " + v.getClass().getSimpleName() + ", not readable as " + to);
  }

  // ---------------------------------------------------------------- headers

  @Override
  public JMSProducer setJMSCorrelationIDAsBytes(byte[] correlationID) {
    this.correlationIdBytes = correlationID == null ? null : correlationID.clone();
    this.correlationId = null;
    return this;
  }

  @Override
  public byte[] getJMSCorrelationIDAsBytes() {
    if (correlationIdBytes != null) {
      return correlationIdBytes.clone();
    }
    return correlationId == null ? null : correlationId.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public JMSProducer setJMSCorrelationID(String correlationID) {
    this.correlationId = correlationID;
    this.correlationIdBytes = null;
    return this;
  }

  @Override
  public String getJMSCorrelationID() {
    if (correlationIdBytes != null) {
      return new String(correlationIdBytes, StandardCharsets.UTF_8);
    }
    return correlationId;
  }

  @Override
  public JMSProducer setJMSType(String type) {
    this.type = type;
    return this;
  }

  @Override
  public String getJMSType() {
    return type;
  }

  @Override
  public JMSProducer setJMSReplyTo(Destination replyTo) {
    this.replyTo = replyTo;
    return this;
  }

  @Override
  public Destination getJMSReplyTo() {
    return replyTo;
  }
}
