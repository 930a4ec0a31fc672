package io.wharfmq.jms.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.jms.JMSException;
import jakarta.jms.MessageEOFException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageNotReadableException;
import jakarta.jms.MessageNotWriteableException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** JMS 2.0 message semantics of the Wharf message types, without a broker. */
@Timeout(10)
class WharfMessageTest {

  @Test
  void propertiesConvertAsTheSpecTableSays() throws JMSException {
    WharfMessage m = new WharfMessage();
    m.setByteProperty("b", (byte) 7);
    m.setIntProperty("i", 42);
    m.setFloatProperty("f", 1.5f);
    m.setStringProperty("s", "123");
    m.setBooleanProperty("z", true);
    m.setObjectProperty("n", null);

    assertThat(m.getShortProperty("b")).isEqualTo((short) 7);
    assertThat(m.getLongProperty("b")).isEqualTo(7L);
    assertThat(m.getStringProperty("b")).isEqualTo("7");
    assertThat(m.getLongProperty("i")).isEqualTo(42L);
    assertThat(m.getDoubleProperty("f")).isEqualTo(1.5d);
    assertThat(m.getIntProperty("s")).isEqualTo(123);
    assertThat(m.getStringProperty("z")).isEqualTo("true");
    assertThat(m.getBooleanProperty("missing")).isFalse();
    assertThat(m.getStringProperty("missing")).isNull();
    assertThat(m.getObjectProperty("n")).isNull();
    assertThat(m.propertyExists("n")).isTrue();

    assertThatThrownBy(() -> m.getByteProperty("i")).isInstanceOf(MessageFormatException.class);
    assertThatThrownBy(() -> m.getIntProperty("f")).isInstanceOf(MessageFormatException.class);
    assertThatThrownBy(() -> m.getBooleanProperty("i")).isInstanceOf(MessageFormatException.class);
    assertThatThrownBy(() -> m.getFloatProperty("z")).isInstanceOf(MessageFormatException.class);
    assertThatThrownBy(() -> m.getIntProperty("missing")).isInstanceOf(NumberFormatException.class);
    assertThatThrownBy(() -> m.getIntProperty("z")).isInstanceOf(MessageFormatException.class);
    assertThatThrownBy(() -> m.setObjectProperty("c", 'c'))
        .isInstanceOf(MessageFormatException.class);
    assertThatThrownBy(() -> m.setObjectProperty("c", new byte[1]))
        .isInstanceOf(MessageFormatException.class);
  }

  @Test
  void propertyNamesMustBeSelectorIdentifiers() throws JMSException {
    WharfMessage m = new WharfMessage();
    m.setIntProperty("_ok$1", 1);
    for (String bad : List.of("", "1abc", "a-b", "NULL", "true", "Between", "escape", "IS")) {
      assertThatThrownBy(() -> m.setIntProperty(bad, 1))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> m.setIntProperty(null, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void jmsxPropertiesAndPropertyNames() throws JMSException {
    WharfMessage m = new WharfMessage();
    m.setStringProperty("JMSXGroupID", "g");
    m.setIntProperty("JMSXGroupSeq", 3);
    m.setStringProperty("app", "x");
    assertThat(m.groupId()).isEqualTo("g");
    assertThat(m.getLongProperty("JMSXGroupSeq")).isEqualTo(3L);
    assertThat(m.applicationProperties()).containsOnlyKeys("app");
    assertThat(Collections.list(m.getPropertyNames()))
        .containsExactly("app", "JMSXGroupID", "JMSXGroupSeq");
    m.deliveryCount(2);
    assertThat(m.getIntProperty("JMSXDeliveryCount")).isEqualTo(2);
    m.clearProperties();
    assertThat(Collections.list(m.getPropertyNames())).isEmpty();
  }

  @Test
  void receivedMessagesAreReadOnlyUntilCleared() throws JMSException {
    WharfTextMessage m = new WharfTextMessage("hi");
    m.setStringProperty("p", "v");
    m.setReadOnly(true);
    assertThatThrownBy(() -> m.setText("x")).isInstanceOf(MessageNotWriteableException.class);
    assertThatThrownBy(() -> m.setStringProperty("p", "w"))
        .isInstanceOf(MessageNotWriteableException.class);
    m.setJMSType("headers stay writable");
    m.clearProperties();
    m.setStringProperty("p", "w");
    m.clearBody();
    assertThat(m.getText()).isNull();
    m.setText("again");
    assertThat(m.getBody(String.class)).isEqualTo("again");
  }

  @Test
  void acknowledgeCallsTheHook() throws JMSException {
    WharfMessage m = new WharfMessage();
    m.acknowledge(); // no hook: nothing
    AtomicInteger calls = new AtomicInteger();
    m.setAcknowledger(calls::incrementAndGet);
    m.acknowledge();
    assertThat(calls).hasValue(1);
  }

  @Test
  void bytesMessageWritesThenReadsAfterReset() throws JMSException {
    WharfBytesMessage m = new WharfBytesMessage();
    assertThatThrownBy(m::readInt).isInstanceOf(MessageNotReadableException.class);
    assertThatThrownBy(m::getBodyLength).isInstanceOf(MessageNotReadableException.class);
    m.writeInt(7);
    m.writeUTF("é");
    m.writeObject(2.5d);
    m.writeBytes(new byte[] {1, 2, 3}, 1, 2);
    m.reset();
    assertThatThrownBy(() -> m.writeInt(1)).isInstanceOf(MessageNotWriteableException.class);
    assertThat(m.getBodyLength()).isEqualTo(4 + 4 + 8 + 2);
    assertThat(m.readInt()).isEqualTo(7);
    assertThat(m.readUTF()).isEqualTo("é");
    assertThat(m.readDouble()).isEqualTo(2.5d);
    byte[] buf = new byte[5];
    assertThat(m.readBytes(buf)).isEqualTo(2);
    assertThat(buf[0]).isEqualTo((byte) 2);
    assertThat(m.readBytes(buf)).isEqualTo(-1);
    assertThatThrownBy(m::readByte).isInstanceOf(MessageEOFException.class);
    assertThatThrownBy(() -> m.writeObject(new Object()))
        .isInstanceOf(MessageFormatException.class);
    assertThat(m.getBody(byte[].class)).hasSize(18);
    assertThatThrownBy(() -> m.getBody(String.class)).isInstanceOf(MessageFormatException.class);
    m.clearBody();
    m.writeByte((byte) 1);
    m.reset();
    assertThat(m.readByte()).isEqualTo((byte) 1);
  }

  @Test
  void streamMessageConvertsAndKeepsThePositionOnFailure() throws JMSException {
    WharfStreamMessage m = new WharfStreamMessage();
    m.writeString("12");
    m.writeChar('c');
    m.writeObject(null);
    m.writeInt(5);
    assertThatThrownBy(m::readInt).isInstanceOf(MessageNotReadableException.class);
    m.reset();
    assertThatThrownBy(() -> m.writeInt(1)).isInstanceOf(MessageNotWriteableException.class);
    assertThat(m.readLong()).isEqualTo(12L);
    assertThatThrownBy(m::readInt).isInstanceOf(MessageFormatException.class);
    assertThat(m.readString()).isEqualTo("c"); // position unchanged by the failed read
    assertThatThrownBy(m::readInt).isInstanceOf(NumberFormatException.class);
    assertThat(m.readString()).isNull();
    assertThatThrownBy(m::readShort).isInstanceOf(MessageFormatException.class);
    assertThat(m.readLong()).isEqualTo(5L);
    assertThatThrownBy(m::readObject).isInstanceOf(MessageEOFException.class);
  }

  @Test
  void streamMessageReadsByteArrayFieldsInPieces() throws JMSException {
    WharfStreamMessage m = new WharfStreamMessage();
    m.writeBytes(new byte[] {1, 2, 3});
    m.writeBytes(new byte[0]);
    m.writeObject(null);
    m.writeInt(9);
    m.reset();
    byte[] two = new byte[2];
    assertThat(m.readBytes(two)).isEqualTo(2);
    assertThatThrownBy(m::readInt)
        .isInstanceOf(MessageFormatException.class)
        .hasMessageContaining("byte[]");
    assertThat(m.readBytes(two)).isEqualTo(1);
    assertThat(two[0]).isEqualTo((byte) 3);
    assertThat(m.readBytes(two)).isEqualTo(-1);
    assertThat(m.readBytes(two)).isEqualTo(0); // the empty field
    assertThat(m.readBytes(two)).isEqualTo(-1);
    assertThat(m.readBytes(two)).isEqualTo(-1); // the null field
    assertThatThrownBy(() -> m.readBytes(two)).isInstanceOf(MessageFormatException.class);
    assertThat(m.readInt()).isEqualTo(9);
    assertThatThrownBy(() -> m.getBody(Object.class)).isInstanceOf(MessageFormatException.class);
    assertThat(m.isBodyAssignableTo(Object.class)).isFalse();
  }

  @Test
  void mapMessageConvertsAndCopiesBytes() throws JMSException {
    WharfMapMessage m = new WharfMapMessage();
    byte[] bytes = {1, 2};
    m.setBytes("b", bytes);
    bytes[0] = 9;
    m.setChar("c", 'x');
    m.setShort("s", (short) 3);
    m.setString("t", "2.5");
    assertThat(m.getBytes("b")).containsExactly(1, 2);
    assertThat(m.getString("c")).isEqualTo("x");
    assertThat(m.getInt("s")).isEqualTo(3);
    assertThat(m.getDouble("t")).isEqualTo(2.5d);
    assertThat(m.getString("missing")).isNull();
    assertThat(m.getBytes("missing")).isNull();
    assertThatThrownBy(() -> m.getChar("t")).isInstanceOf(MessageFormatException.class);
    assertThatThrownBy(() -> m.getString("b")).isInstanceOf(MessageFormatException.class);
    assertThatThrownBy(() -> m.getByte("s")).isInstanceOf(MessageFormatException.class);
    assertThatThrownBy(() -> m.setObject("o", List.of()))
        .isInstanceOf(MessageFormatException.class);
    assertThatThrownBy(() -> m.setInt("", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(Collections.list(m.getMapNames())).containsExactly("b", "c", "s", "t");
    assertThat(List.copyOf(((Map<?, ?>) m.getBody(Map.class)).keySet()))
        .isEqualTo(List.of("b", "c", "s", "t"));
    assertThat(m.isBodyAssignableTo(String.class)).isFalse();
    m.setReadOnly(true);
    assertThatThrownBy(() -> m.setInt("i", 1)).isInstanceOf(MessageNotWriteableException.class);
  }

  @Test
  void plainMessageHasNoBody() throws JMSException {
    WharfMessage m = new WharfMessage();
    assertThat(m.getBody(String.class)).isNull();
    assertThat(m.isBodyAssignableTo(Integer.class)).isTrue();
  }

  @Test
  void objectMessageCopiesOnSetAndTrustsOnlyListedPackages() throws JMSException {
    ArrayList<String> list = new ArrayList<>(List.of("a"));
    WharfObjectMessage m = new WharfObjectMessage();
    m.setObject(list);
    list.add("b");
    assertThat(m.getObject()).isEqualTo(List.of("a"));
    assertThat((Object) m.getBody(List.class)).isEqualTo(List.of("a"));
    assertThat(m.isBodyAssignableTo(Map.class)).isFalse();

    HashMap<String, int[]> arrays = new HashMap<>();
    arrays.put("k", new int[] {1});
    m.setObject(arrays);
    assertThat(((Map<?, ?>) m.getObject()).get("k")).isEqualTo(new int[] {1});

    Payload p = new Payload("x");
    m.setObject(p);
    assertThatThrownBy(m::getObject)
        .isInstanceOf(JMSException.class)
        .hasMessageContaining(Payload.class.getName())
        .hasMessageContaining("trustedPackages");
    m.setObject(new Payload[] {p});
    assertThatThrownBy(m::getObject).hasMessageContaining(Payload.class.getName());

    m.setTrustedPackages(List.of("io.wharfmq.jms"));
    m.setObject(p);
    assertThat(m.getObject()).isEqualTo(p);
    m.setTrustedPackages(List.of("*"));
    assertThat(m.getObject()).isEqualTo(p);
    m.setTrustedPackages(List.of("io.wharfmq.jm")); // a prefix of a name is not a package
    assertThatThrownBy(m::getObject).isInstanceOf(JMSException.class);
  }

  record Payload(String value) implements Serializable {}
}
