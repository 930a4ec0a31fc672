package io.wharfmq.broker.service;

import io.wharfmq.service.message.ReservedProperties;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageRecordLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads a stored record's expiry time ({@link ReservedProperties#EXPIRES_AT}, epoch ms) straight
 * from its properties bytes: no decoding and no garbage for the usual record that has none, since
 * every pull and pop checks every record. Stateless; thread-safe.
 */
final class RecordExpiry {
  private static final byte[] KEY =
      (ReservedProperties.EXPIRES_AT + MessageProperties.NAME_VALUE_SEPARATOR)
          .getBytes(StandardCharsets.US_ASCII);

  private RecordExpiry() {}

  /**
   * Whether the record (starting at index 0 of {@code record}) expired at or before {@code now}.
   */
  static boolean isExpired(ByteBuffer record, long now) {
    long at = expiresAt(record);
    return at > 0 && at <= now;
  }

  /** The record's expiry time, or 0 when it has none (or an unreadable one). */
  static long expiresAt(ByteBuffer record) {
    int sysFlag = record.getInt(MessageRecordLayout.SYS_FLAG);
    int magic = record.getInt(MessageRecordLayout.MAGIC);
    int bodyLengthAt = MessageRecordLayout.bodyLengthOffset(sysFlag);
    int topicAt = bodyLengthAt + 4 + record.getInt(bodyLengthAt);
    int topicLength =
        magic == MessageRecordLayout.MAGIC_V2
            ? record.getShort(topicAt) & 0xFFFF
            : record.get(topicAt) & 0xFF;
    int propsAt = topicAt + MessageRecordLayout.topicLengthSize(magic) + topicLength;
    int from = propsAt + 2;
    int end = from + (record.getShort(propsAt) & 0xFFFF);
    for (int i = from; i + KEY.length <= end; i++) {
      if (matchesKeyAt(record, i) && (i == from || record.get(i - 1) == separator())) {
        return number(record, i + KEY.length, end);
      }
    }
    return 0;
  }

  private static byte separator() {
    return (byte) MessageProperties.PROPERTY_SEPARATOR;
  }

  private static boolean matchesKeyAt(ByteBuffer record, int at) {
    for (int k = 0; k < KEY.length; k++) {
      if (record.get(at + k) != KEY[k]) {
        return false;
      }
    }
    return true;
  }

  private static long number(ByteBuffer record, int from, int end) {
    long value = 0;
    int digits = 0;
    for (int i = from; i < end; i++) {
      byte b = record.get(i);
      if (b == separator()) {
        break;
      }
      if (b < '0' || b > '9' || ++digits > 18) {
        return 0;
      }
      value = value * 10 + (b - '0');
    }
    return value;
  }
}
