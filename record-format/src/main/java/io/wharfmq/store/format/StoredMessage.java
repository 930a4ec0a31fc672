package io.wharfmq.store.format;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A fully decoded commit-log record. Decoding copies; hot paths read single fields with the static
 * accessors instead. Immutable apart from the body array, which callers must not change.
 */
public record StoredMessage(
    int totalSize,
    int magic,
    int bodyCrc,
    int queueId,
    int flag,
    long queueOffset,
    long physicalOffset,
    int sysFlag,
    long bornTimestamp,
    InetSocketAddress bornHost,
    long storeTimestamp,
    InetSocketAddress storeHost,
    int reconsumeTimes,
    long preparedTransactionOffset,
    byte[] body,
    String topic,
    String properties) {

  /** Properties as a map, decoded like the RocketMQ client does. */
  public Map<String, String> propertyMap() {
    return MessageProperties.decode(properties);
  }

  /**
   * Decodes the record starting at {@code pos}. The caller must have validated it ({@link
   * RecordValidator}); a malformed record throws an unchecked exception.
   */
  public static StoredMessage decode(ByteBuffer buf, int pos) {
    int sysFlag = buf.getInt(pos + MessageRecordLayout.SYS_FLAG);
    int magic = buf.getInt(pos + MessageRecordLayout.MAGIC);
    int bodyLengthAt = pos + MessageRecordLayout.bodyLengthOffset(sysFlag);
    int bodyLength = buf.getInt(bodyLengthAt);
    byte[] body = new byte[bodyLength];
    buf.get(bodyLengthAt + 4, body);
    int topicAt = bodyLengthAt + 4 + bodyLength;
    int topicLength = topicLength(buf, topicAt, magic);
    int topicBytesAt = topicAt + MessageRecordLayout.topicLengthSize(magic);
    String topic = utf8(buf, topicBytesAt, topicLength);
    int propsAt = topicBytesAt + topicLength;
    int propsLength = buf.getShort(propsAt) & 0xFFFF;
    String properties = utf8(buf, propsAt + 2, propsLength);
    return new StoredMessage(
        buf.getInt(pos + MessageRecordLayout.TOTAL_SIZE),
        magic,
        buf.getInt(pos + MessageRecordLayout.BODY_CRC),
        buf.getInt(pos + MessageRecordLayout.QUEUE_ID),
        buf.getInt(pos + MessageRecordLayout.FLAG),
        buf.getLong(pos + MessageRecordLayout.QUEUE_OFFSET),
        buf.getLong(pos + MessageRecordLayout.PHYSICAL_OFFSET),
        sysFlag,
        buf.getLong(pos + MessageRecordLayout.BORN_TIMESTAMP),
        host(buf, pos + MessageRecordLayout.BORN_HOST, MessageSysFlag.bornHostIsV6(sysFlag)),
        buf.getLong(pos + MessageRecordLayout.storeTimestampOffset(sysFlag)),
        host(
            buf,
            pos + MessageRecordLayout.storeHostOffset(sysFlag),
            MessageSysFlag.storeHostIsV6(sysFlag)),
        buf.getInt(pos + MessageRecordLayout.reconsumeTimesOffset(sysFlag)),
        buf.getLong(pos + MessageRecordLayout.preparedTransactionOffsetOffset(sysFlag)),
        body,
        topic,
        properties);
  }

  /** Store timestamp of the record at {@code pos}, without decoding the rest. */
  public static long storeTimestamp(ByteBuffer buf, int pos) {
    int sysFlag = buf.getInt(pos + MessageRecordLayout.SYS_FLAG);
    return buf.getLong(pos + MessageRecordLayout.storeTimestampOffset(sysFlag));
  }

  /** Topic of the record at {@code pos}. */
  public static String topic(ByteBuffer buf, int pos) {
    int sysFlag = buf.getInt(pos + MessageRecordLayout.SYS_FLAG);
    int magic = buf.getInt(pos + MessageRecordLayout.MAGIC);
    int bodyLengthAt = pos + MessageRecordLayout.bodyLengthOffset(sysFlag);
    int topicAt = bodyLengthAt + 4 + buf.getInt(bodyLengthAt);
    return utf8(
        buf,
        topicAt + MessageRecordLayout.topicLengthSize(magic),
        topicLength(buf, topicAt, magic));
  }

  /** Properties string of the record at {@code pos}. */
  public static String properties(ByteBuffer buf, int pos) {
    int sysFlag = buf.getInt(pos + MessageRecordLayout.SYS_FLAG);
    int magic = buf.getInt(pos + MessageRecordLayout.MAGIC);
    int bodyLengthAt = pos + MessageRecordLayout.bodyLengthOffset(sysFlag);
    int topicAt = bodyLengthAt + 4 + buf.getInt(bodyLengthAt);
    int propsAt =
        topicAt + MessageRecordLayout.topicLengthSize(magic) + topicLength(buf, topicAt, magic);
    return utf8(buf, propsAt + 2, buf.getShort(propsAt) & 0xFFFF);
  }

  static int topicLength(ByteBuffer buf, int topicAt, int magic) {
    return magic == MessageRecordLayout.MAGIC_V2
        ? buf.getShort(topicAt) & 0xFFFF
        : buf.get(topicAt) & 0xFF;
  }

  private static String utf8(ByteBuffer buf, int at, int length) {
    byte[] bytes = new byte[length];
    buf.get(at, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static InetSocketAddress host(ByteBuffer buf, int at, boolean ipv6) {
    byte[] address = new byte[ipv6 ? 16 : 4];
    buf.get(at, address);
    int port = buf.getInt(at + address.length);
    try {
      return new InetSocketAddress(InetAddress.getByAddress(address), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("address of fixed length rejected", e);
    }
  }
}
