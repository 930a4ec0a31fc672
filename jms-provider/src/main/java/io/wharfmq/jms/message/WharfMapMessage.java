package io.wharfmq.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.MessageFormatException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JMS MapMessage (x-opt-jms-msg-type 2): named values read with the conversions of JMS 2.0
 * section 3.11.3; a name that is not there reads as null. Not thread-safe: one session's thread.
 */
public class WharfMapMessage extends WharfMessage implements MapMessage {
  private final Map<String, Object> map = new LinkedHashMap<>();

  public WharfMapMessage() {}

  @Override
  int jmsMessageType() {
    return 2;
  }

  /** The entries (byte[] values not copied): for the record mapping. */
  Map<String, Object> entries() {
    return map;
  }

  @Override
  public void clearBody() throws JMSException {
    super.clearBody();
    map.clear();
  }

  @Override
  boolean hasBody() {
    return !map.isEmpty();
  }

  @Override
  Object body() {
    Map<String, Object> copy = new LinkedHashMap<>();
    map.forEach((k, v) -> copy.put(k, v instanceof byte[] b ? b.clone() : v));
    return Collections.unmodifiableMap(copy);
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public boolean isBodyAssignableTo(Class c) {
    return map.isEmpty() || c.isAssignableFrom(Map.class);
  }

  private Object get(String name) {
    return map.get(name);
  }

  private void put(String name, Object value) throws JMSException {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a MapMessage name must not be null or empty");
    }
    checkBodyWritable();
    map.put(name, value);
  }

  @Override
  public boolean getBoolean(String name) throws JMSException {
    return TypeConversion.toBoolean(get(name));
  }

  @Override
  public byte getByte(String name) throws JMSException {
    return TypeConversion.toByte(get(name));
  }

  @Override
  public short getShort(String name) throws JMSException {
    return TypeConversion.toShort(get(name));
  }

  @Override
  public char getChar(String name) throws JMSException {
    return TypeConversion.toChar(get(name));
  }

  @Override
  public int getInt(String name) throws JMSException {
    return TypeConversion.toInt(get(name));
  }

  @Override
  public long getLong(String name) throws JMSException {
    return TypeConversion.toLong(get(name));
  }

  @Override
  public float getFloat(String name) throws JMSException {
    return TypeConversion.toFloat(get(name));
  }

  @Override
  public double getDouble(String name) throws JMSException {
    return TypeConversion.toDouble(get(name));
  }

  @Override
  public String getString(String name) throws JMSException {
    return TypeConversion.toText(get(name));
  }

  @Override
  public byte[] getBytes(String name) throws JMSException {
    return TypeConversion.toBytes(get(name));
  }

  @Override
  public Object getObject(String name) {
    Object v = get(name);
    return v instanceof byte[] b ? b.clone() : v;
  }

  @Override
  public Enumeration<String> getMapNames() {
    return Collections.enumeration(map.keySet());
  }

  @Override
  public void setBoolean(String name, boolean value) throws JMSException {
    put(name, value);
  }

  @Override
  public void setByte(String name, byte value) throws JMSException {
    put(name, value);
  }

  @Override
  public void setShort(String name, short value) throws JMSException {
    put(name, value);
  }

  @Override
  public void setChar(String name, char value) throws JMSException {
    put(name, value);
  }

  @Override
  public void setInt(String name, int value) throws JMSException {
    put(name, value);
  }

  @Override
  public void setLong(String name, long value) throws JMSException {
    put(name, value);
  }

  @Override
  public void setFloat(String name, float value) throws JMSException {
    put(name, value);
  }

  @Override
  public void setDouble(String name, double value) throws JMSException {
    put(name, value);
  }

  @Override
  public void setString(String name, String value) throws JMSException {
    put(name, value);
  }

  @Override
  public void setBytes(String name, byte[] value) throws JMSException {
    put(name, value == null ? null : value.clone());
  }

  @Override
  public void setBytes(String name, byte[] value, int offset, int length) throws JMSException {
    java.util.Objects.checkFromIndexSize(offset, length, value.length);
    put(name, java.util.Arrays.copyOfRange(value, offset, offset + length));
  }

  @Override
  public void setObject(String name, Object value) throws JMSException {
    if (!TypeConversion.isBodyValue(value)) {
      throw new MessageFormatException(
          "a MapMessage cannot hold a " + value.getClass().getName() + " value");
    }
    put(name, value instanceof byte[] b ? b.clone() : value);
  }

  @Override
  public boolean itemExists(String name) {
    return map.containsKey(name);
  }
}
