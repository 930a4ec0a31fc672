package io.wharfmq.jms.message;

import jakarta.jms.JMSException;
import jakarta.jms.MessageEOFException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotReadableException;
import jakarta.jms.MessageNotWriteableException;
import jakarta.jms.StreamMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A JMS StreamMessage (x-opt-jms-msg-type 4): a list of typed values, written, then {@link
 * #reset()} to read them in order with the conversions of JMS 2.0 section 3.11.3. A failed
 * conversion leaves the position where it was. A byte[] field is read by {@link #readBytes} in
 * pieces; until its end is reached no other read is allowed. Not thread-safe: one session's thread.
 */
public class WharfStreamMessage extends WharfMessage implements StreamMessage {
  private final List<Object> values = new ArrayList<>();
  private boolean reading;
  private int position;

  /** How much of the byte[] field at {@link #position} readBytes has read; -1 when none. */
  private int bytesRead = -1;

  public WharfStreamMessage() {}

  @Override
  int jmsMessageType() {
    return 4;
  }

  /** The values (byte[] values not copied): for the record mapping. */
  List<Object> values() {
    return values;
  }

  /** Appends a decoded value without checks (a received record's). */
  void addValue(Object v) {
    values.add(v);
  }

  @Override
  public void setReadOnly(boolean readOnly) {
    super.setReadOnly(readOnly);
    if (readOnly) {
      startReading();
    }
  }

  private void startReading() {
    reading = true;
    position = 0;
    bytesRead = -1;
  }

  @Override
  public void reset() {
    startReading();
    setReadOnlyBody();
  }

  @Override
  public void clearBody() throws JMSException {
    super.clearBody();
    values.clear();
    reading = false;
    position = 0;
    bytesRead = -1;
  }

  @Override
  boolean hasBody() {
    return !values.isEmpty();
  }

  @Override
  @SuppressWarnings("rawtypes")
  public boolean isBodyAssignableTo(Class c) {
    return values.isEmpty();
  }

  @Override
  public <T> T getBody(Class<T> c) throws JMSException {
    if (values.isEmpty()) {
      return null;
    }
    throw new MessageFormatException("the body of a StreamMessage cannot be read by getBody");
  }

  // ---- reading ----

  private interface Conversion<T> {
    T of(Object value) throws JMSException;
  }

  private <T> T read(Conversion<T> conversion) throws JMSException {
    if (!reading) {
      throw new MessageNotReadableException("the StreamMessage is being written: reset() first");
    }
    if (bytesRead >= 0) {
      throw new MessageFormatException("a byte[] field is being read: readBytes to its end first");
    }
    if (position >= values.size()) {
      throw new MessageEOFException("end of the StreamMessage");
    }
    T v = conversion.of(values.get(position));
    position++;
    return v;
  }

  @Override
  public boolean readBoolean() throws JMSException {
    return read(TypeConversion::toBoolean);
  }

  @Override
  public byte readByte() throws JMSException {
    return read(TypeConversion::toByte);
  }

  @Override
  public short readShort() throws JMSException {
    return read(TypeConversion::toShort);
  }

  @Override
  public char readChar() throws JMSException {
    return read(TypeConversion::toChar);
  }

  @Override
  public int readInt() throws JMSException {
    return read(TypeConversion::toInt);
  }

  @Override
  public long readLong() throws JMSException {
    return read(TypeConversion::toLong);
  }

  @Override
  public float readFloat() throws JMSException {
    return read(TypeConversion::toFloat);
  }

  @Override
  public double readDouble() throws JMSException {
    return read(TypeConversion::toDouble);
  }

  @Override
  public String readString() throws JMSException {
    return read(TypeConversion::toText);
  }

  @Override
  public Object readObject() throws JMSException {
    return read(v -> v instanceof byte[] b ? b.clone() : v);
  }

  /**
   * Reads the byte[] field at the position in pieces (JMS 2.0 StreamMessage.readBytes): each call
   * fills {@code value} with what is left of the field; the call after the field's last bytes
   * returns -1 and moves to the next field. A null field returns -1 at once; an empty one returns 0
   * then -1.
   */
  @Override
  public int readBytes(byte[] value) throws JMSException {
    if (!reading) {
      throw new MessageNotReadableException("the StreamMessage is being written: reset() first");
    }
    if (position >= values.size()) {
      throw new MessageEOFException("end of the StreamMessage");
    }
    Object field = values.get(position);
    if (field == null) {
      position++;
      return -1;
    }
    if (!(field instanceof byte[] bytes)) {
      throw TypeConversion.cannot(field, "byte[]");
    }
    int from = Math.max(bytesRead, 0);
    if (bytesRead >= 0 && from == bytes.length) {
      bytesRead = -1;
      position++;
      return -1;
    }
    int n = Math.min(value.length, bytes.length - from);
    System.arraycopy(bytes, from, value, 0, n);
    bytesRead = from + n;
    return n;
  }

  // ---- writing ----

  private void write(Object v) throws JMSException {
    checkBodyWritable();
    if (reading) {
      throw new MessageNotWriteableException("the StreamMessage is being read: clearBody() first");
    }
    values.add(v);
  }

  @Override
  public void writeBoolean(boolean value) throws JMSException {
    write(value);
  }

  @Override
  public void writeByte(byte value) throws JMSException {
    write(value);
  }

  @Override
  public void writeShort(short value) throws JMSException {
    write(value);
  }

  @Override
  public void writeChar(char value) throws JMSException {
    write(value);
  }

  @Override
  public void writeInt(int value) throws JMSException {
    write(value);
  }

  @Override
  public void writeLong(long value) throws JMSException {
    write(value);
  }

  @Override
  public void writeFloat(float value) throws JMSException {
    write(value);
  }

  @Override
  public void writeDouble(double value) throws JMSException {
    write(value);
  }

  @Override
  public void writeString(String value) throws JMSException {
    write(value);
  }

  @Override
  public void writeBytes(byte[] value) throws JMSException {
    write(value == null ? null : value.clone());
  }

  @Override
  public void writeBytes(byte[] value, int offset, int length) throws JMSException {
    Objects.checkFromIndexSize(offset, length, value.length);
    write(Arrays.copyOfRange(value, offset, offset + length));
  }

  @Override
  public void writeObject(Object value) throws JMSException {
    if (!TypeConversion.isBodyValue(value)) {
      throw new MessageFormatException(
          "a StreamMessage cannot hold a " + value.getClass().getName() + " value");
    }
    write(value instanceof byte[] b ? b.clone() : value);
  }
}
