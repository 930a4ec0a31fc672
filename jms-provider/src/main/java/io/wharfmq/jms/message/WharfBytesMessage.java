package io.wharfmq.jms.message;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.MessageEOFException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotReadableException;
import jakarta.jms.MessageNotWriteableException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Objects;

/**
 * A JMS BytesMessage (x-opt-jms-msg-type 3): written, then {@link #reset()} to read from the start
 * (JMS 2.0 section 3.11.2). Values are written as DataOutputStream writes them, as every JMS
 * provider does. Not thread-safe: one session's thread.
 */
public class WharfBytesMessage extends WharfMessage implements BytesMessage {
  private ByteArrayOutputStream written = new ByteArrayOutputStream();
  private DataOutputStream out = new DataOutputStream(written);
  private byte[] content;
  private DataInputStream in;

  public WharfBytesMessage() {}

  /** A message holding {@code body} (not copied), ready to read. */
  WharfBytesMessage(byte[] body) {
    startReading(body);
  }

  @Override
  int jmsMessageType() {
    return 3;
  }

  /** The body's bytes, in either mode, without changing it. */
  byte[] bodyBytes() {
    return in != null ? content : written.toByteArray();
  }

  private void startReading(byte[] body) {
    content = body;
    in = new DataInputStream(new ByteArrayInputStream(body));
    written = null;
    out = null;
  }

  @Override
  public void setReadOnly(boolean readOnly) {
    super.setReadOnly(readOnly);
    if (readOnly) {
      startReading(bodyBytes());
    }
  }

  @Override
  public void reset() {
    startReading(bodyBytes());
    super.setReadOnlyBody();
  }

  @Override
  public void clearBody() throws JMSException {
    super.clearBody();
    written = new ByteArrayOutputStream();
    out = new DataOutputStream(written);
    content = null;
    in = null;
  }

  @Override
  public long getBodyLength() throws JMSException {
    reading();
    return content.length;
  }

  @Override
  boolean hasBody() {
    return bodyBytes().length > 0;
  }

  @Override
  Object body() {
    return bodyBytes();
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public boolean isBodyAssignableTo(Class c) {
    return !hasBody() || c.isAssignableFrom(byte[].class);
  }

  // ---- reading ----

  private DataInputStream reading() throws MessageNotReadableException {
    if (in == null) {
      throw new MessageNotReadableException("the BytesMessage is being written: reset() first");
    }
    return in;
  }

  private interface Read<T> {
    T from(DataInputStream in) throws IOException;
  }

  private <T> T read(Read<T> r) throws JMSException {
    DataInputStream d = reading();
    try {
      return r.from(d);
    } catch (EOFException e) {
      throw new MessageEOFException("end of the BytesMessage body");
    } catch (IOException e) {
      MessageFormatException f = new MessageFormatException("cannot read: " + e.getMessage());
      f.initCause(e);
      throw f;
    }
  }

  @Override
  public boolean readBoolean() throws JMSException {
    return read(DataInputStream::readBoolean);
  }

  @Override
  public byte readByte() throws JMSException {
    return read(DataInputStream::readByte);
  }

  @Override
  public int readUnsignedByte() throws JMSException {
    return read(DataInputStream::readUnsignedByte);
  }

  @Override
  public short readShort() throws JMSException {
    return read(DataInputStream::readShort);
  }

  @Override
  public int readUnsignedShort() throws JMSException {
    return read(DataInputStream::readUnsignedShort);
  }

  @Override
  public char readChar() throws JMSException {
    return read(DataInputStream::readChar);
  }

  @Override
  public int readInt() throws JMSException {
    return read(DataInputStream::readInt);
  }

  @Override
  public long readLong() throws JMSException {
    return read(DataInputStream::readLong);
  }

  @Override
  public float readFloat() throws JMSException {
    return read(DataInputStream::readFloat);
  }

  @Override
  public double readDouble() throws JMSException {
    return read(DataInputStream::readDouble);
  }

  @Override
  public String readUTF() throws JMSException {
    return read(d -> d.readUTF());
  }

  @Override
  public int readBytes(byte[] value) throws JMSException {
    return readBytes(value, value.length);
  }

  @Override
  public int readBytes(byte[] value, int length) throws JMSException {
    if (length < 0 || length > value.length) {
      throw new IndexOutOfBoundsException("length " + length + " outside 0.." + value.length);
    }
    DataInputStream d = reading();
    try {
      return d.available() == 0 ? -1 : d.read(value, 0, length);
    } catch (IOException e) {
      throw new MessageFormatException("cannot read: " + e.getMessage());
    }
  }

  // ---- writing ----

  private interface Write {
    void to(DataOutputStream out) throws IOException;
  }

  private void write(Write w) throws JMSException {
    checkBodyWritable();
    if (out == null) {
      throw new MessageNotWriteableException("the BytesMessage is being read: clearBody() first");
    }
    try {
      w.to(out);
    } catch (IOException e) {
      MessageFormatException f = new MessageFormatException("cannot write: " + e.getMessage());
      f.initCause(e);
      throw f;
    }
  }

  @Override
  public void writeBoolean(boolean value) throws JMSException {
    write(o -> o.writeBoolean(value));
  }

  @Override
  public void writeByte(byte value) throws JMSException {
    write(o -> o.writeByte(value));
  }

  @Override
  public void writeShort(short value) throws JMSException {
    write(o -> o.writeShort(value));
  }

  @Override
  public void writeChar(char value) throws JMSException {
    write(o -> o.writeChar(value));
  }

  @Override
  public void writeInt(int value) throws JMSException {
    write(o -> o.writeInt(value));
  }

  @Override
  public void writeLong(long value) throws JMSException {
    write(o -> o.writeLong(value));
  }

  @Override
  public void writeFloat(float value) throws JMSException {
    write(o -> o.writeFloat(value));
  }

  @Override
  public void writeDouble(double value) throws JMSException {
    write(o -> o.writeDouble(value));
  }

  @Override
  public void writeUTF(String value) throws JMSException {
    Objects.requireNonNull(value, "writeUTF of null");
    write(o -> o.writeUTF(value));
  }

  @Override
  public void writeBytes(byte[] value) throws JMSException {
    write(o -> o.write(value));
  }

  @Override
  public void writeBytes(byte[] value, int offset, int length) throws JMSException {
    Objects.checkFromIndexSize(offset, length, value.length);
    write(o -> o.write(value, offset, length));
  }

  @Override
  public void writeObject(Object value) throws JMSException {
    Objects.requireNonNull(value, "writeObject of null");
    if (value instanceof Boolean v) {
      writeBoolean(v);
    } else if (value instanceof Byte v) {
      writeByte(v);
    } else if (value instanceof Short v) {
      writeShort(v);
    } else if (value instanceof Character v) {
      writeChar(v);
    } else if (value instanceof Integer v) {
      writeInt(v);
    } else if (value instanceof Long v) {
      writeLong(v);
    } else if (value instanceof Float v) {
      writeFloat(v);
    } else if (value instanceof Double v) {
      writeDouble(v);
    } else if (value instanceof String v) {
      writeUTF(v);
    } else if (value instanceof byte[] v) {
      writeBytes(v);
    } else {
      throw new MessageFormatException(
          "a BytesMessage cannot hold a " + value.getClass().getName() + " value");
    }
  }
}
