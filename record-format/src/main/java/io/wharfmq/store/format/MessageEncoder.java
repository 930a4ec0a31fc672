package io.wharfmq.store.format;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Encodes a {@link MessageToStore} into a complete commit-log record (layout in {@link
 * MessageRecordLayout}) on the caller's thread. The fields only the writer knows (queue offset,
 * physical offset, store timestamp) are left zero and patched by the writer with {@link
 * #patchAssignedFields}, so the appender does no more than copy bytes and set three numbers.
 * Stateless; thread-safe.
 */
public final class MessageEncoder {
  private MessageEncoder() {}

  /** Why a message cannot be encoded, or OK. */
  public enum Check {
    OK,
    MESSAGE_TOO_LARGE,
    PROPERTIES_TOO_LARGE,
    TOPIC_INVALID,
    DISPATCH_INVALID
  }

  /**
   * A target queue of a dispatched record and where its OFFSET20 digits sit in the record bytes.
   */
  public record DispatchSlot(String topic, int queueId, int digitsAt) {}

  /**
   * An encoded record ready for the writer.
   *
   * @param dispatch the record's dispatch targets ({@link MessageProperties#DISPATCH}), or null
   *     when it goes to its own queue
   */
  public record EncodedRecord(
      byte[] bytes,
      String topic,
      int queueId,
      int sysFlag,
      int storeTimestampOffset,
      DispatchSlot[] dispatch) {
    public int size() {
      return bytes.length;
    }

    /** Whether the record goes to target queues rather than its own. */
    public boolean dispatched() {
      return dispatch != null;
    }
  }

  /** Thrown when a message cannot be encoded; carries the {@link Check} result. */
  public static final class EncodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Check check;

    public EncodeException(Check check, String message) {
      super(message);
      this.check = check;
    }

    public Check check() {
      return check;
    }
  }

  /**
   * Encodes one message. Throws {@link EncodeException} when the message breaks a limit; the store
   * turns that into a status for the caller.
   */
  public static EncodedRecord encode(MessageToStore msg, int maxMessageSize) {
    byte[] topic = msg.topic().getBytes(StandardCharsets.UTF_8);
    if (topic.length == 0 || topic.length > Short.MAX_VALUE) {
      throw new EncodeException(Check.TOPIC_INVALID, "topic length must be 1..32767 bytes");
    }
    byte[] properties = msg.properties().getBytes(StandardCharsets.UTF_8);
    if (properties.length > MessageRecordLayout.MAX_PROPERTIES_LENGTH) {
      boolean dispatch =
          MessageProperties.valueIndex(msg.properties(), MessageProperties.DISPATCH) >= 0;
      throw new EncodeException(
          Check.PROPERTIES_TOO_LARGE,
          "properties are "
              + properties.length
              + " bytes, limit "
              + MessageRecordLayout.MAX_PROPERTIES_LENGTH
              + (dispatch
                  ? " (a fan-out's "
                      + MessageProperties.DISPATCH
                      + " must be split into records"
                      + " that fit)"
                  : ""));
    }
    if (msg.body().length > maxMessageSize) {
      throw new EncodeException(
          Check.MESSAGE_TOO_LARGE,
          "body is " + msg.body().length + " bytes, limit " + maxMessageSize);
    }
    byte[] bornAddress = addressBytes(msg.bornHost());
    byte[] storeAddress = addressBytes(msg.storeHost());
    int sysFlag = msg.sysFlag() & ~(MessageSysFlag.BORNHOST_V6 | MessageSysFlag.STOREHOST_V6);
    if (bornAddress.length == 16) {
      sysFlag |= MessageSysFlag.BORNHOST_V6;
    }
    if (storeAddress.length == 16) {
      sysFlag |= MessageSysFlag.STOREHOST_V6;
    }
    int magic =
        topic.length > MessageRecordLayout.MAX_V1_TOPIC_LENGTH
            ? MessageRecordLayout.MAGIC_V2
            : MessageRecordLayout.MAGIC_V1;
    int size =
        MessageRecordLayout.recordSize(
            sysFlag, msg.body().length, topic.length, properties.length, magic);
    ByteBuffer buf = ByteBuffer.allocate(size);
    buf.putInt(size);
    buf.putInt(magic);
    buf.putInt(bodyCrc(msg.body()));
    buf.putInt(msg.queueId());
    buf.putInt(msg.flag());
    buf.putLong(0L); // QUEUEOFFSET, set by the writer
    buf.putLong(0L); // PHYSICALOFFSET, set by the writer
    buf.putInt(sysFlag);
    buf.putLong(msg.bornTimestamp());
    buf.put(bornAddress).putInt(msg.bornHost().getPort());
    buf.putLong(0L); // STORETIMESTAMP, set by the writer
    buf.put(storeAddress).putInt(msg.storeHost().getPort());
    buf.putInt(msg.reconsumeTimes());
    buf.putLong(msg.preparedTransactionOffset());
    buf.putInt(msg.body().length).put(msg.body());
    if (magic == MessageRecordLayout.MAGIC_V2) {
      buf.putShort((short) topic.length);
    } else {
      buf.put((byte) topic.length);
    }
    buf.put(topic);
    int propertiesAt = buf.position() + 2;
    buf.putShort((short) properties.length).put(properties);
    return new EncodedRecord(
        buf.array(),
        msg.topic(),
        msg.queueId(),
        sysFlag,
        MessageRecordLayout.storeTimestampOffset(sysFlag),
        dispatchSlots(msg.properties(), propertiesAt));
  }

  /**
   * The dispatch slots of a record whose properties start at {@code propertiesAt}, or null when it
   * has no {@link MessageProperties#DISPATCH}. The value is ASCII, so its digits sit at the value's
   * byte position plus their index in it.
   */
  private static DispatchSlot[] dispatchSlots(String properties, int propertiesAt) {
    if (!properties.contains(MessageProperties.DISPATCH)) {
      return null; // every plain message: one intrinsic search instead of a parse
    }
    int valueAt = MessageProperties.valueIndex(properties, MessageProperties.DISPATCH);
    if (valueAt < 0) {
      return null;
    }
    int valueEnd = properties.indexOf(MessageProperties.PROPERTY_SEPARATOR, valueAt);
    String value = properties.substring(valueAt, valueEnd < 0 ? properties.length() : valueEnd);
    List<DispatchTargets.Target> targets;
    try {
      targets = DispatchTargets.parse(value);
    } catch (IllegalArgumentException e) {
      throw new EncodeException(
          Check.DISPATCH_INVALID,
          MessageProperties.DISPATCH + " is not a dispatch target list: " + e.getMessage());
    }
    int valueByteAt =
        propertiesAt + properties.substring(0, valueAt).getBytes(StandardCharsets.UTF_8).length;
    DispatchSlot[] slots = new DispatchSlot[targets.size()];
    for (int i = 0; i < slots.length; i++) {
      DispatchTargets.Target t = targets.get(i);
      slots[i] = new DispatchSlot(t.topic(), t.queueId(), valueByteAt + t.digitsAt());
    }
    return slots;
  }

  /** Writes the writer-assigned fields into a record that starts at {@code recordStart}. */
  public static void patchAssignedFields(
      ByteBuffer target,
      int recordStart,
      int storeTimestampOffset,
      long queueOffset,
      long physicalOffset,
      long storeTimestamp) {
    target.putLong(recordStart + MessageRecordLayout.QUEUE_OFFSET, queueOffset);
    target.putLong(recordStart + MessageRecordLayout.PHYSICAL_OFFSET, physicalOffset);
    target.putLong(recordStart + storeTimestampOffset, storeTimestamp);
  }

  /** CRC32 of the stored body, masked to a non-negative int as RocketMQ does. */
  public static int bodyCrc(byte[] body) {
    CRC32 crc = new CRC32();
    crc.update(body);
    return (int) (crc.getValue() & 0x7FFFFFFF);
  }

  /** CRC32 of a body region of a buffer, masked like {@link #bodyCrc(byte[])}. */
  public static int bodyCrc(ByteBuffer buffer, int offset, int length) {
    CRC32 crc = new CRC32();
    ByteBuffer view = buffer.duplicate();
    view.limit(offset + length).position(offset);
    crc.update(view);
    return (int) (crc.getValue() & 0x7FFFFFFF);
  }

  private static byte[] addressBytes(InetSocketAddress host) {
    InetAddress address = host.getAddress();
    if (address == null) {
      throw new IllegalArgumentException("unresolved host address: " + host);
    }
    return address.getAddress();
  }
}
