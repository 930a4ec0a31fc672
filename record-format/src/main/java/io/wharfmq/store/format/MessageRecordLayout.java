package io.wharfmq.store.format;

/**
 * Byte offsets and constants of one commit-log record: the RocketMQ stored-message layout (v1 and
 * v2 magic), see docs/formats.md, tables "Commit-log record" and "End-of-segment blank marker".
 * Every other class reads these offsets from here; nothing else hard-codes a position inside a
 * record.
 *
 * <p>Fields up to BORNHOST sit at fixed positions. From BORNHOST on, positions depend on whether
 * the born and store hosts are IPv4 (4-byte address) or IPv6 (16-byte address), as flagged in
 * SYSFLAG, and on the magic (the topic length is one byte in v1 and two in v2).
 *
 * <p>Stateless; thread-safe.
 */
public final class MessageRecordLayout {
  private MessageRecordLayout() {}

  /** v1 record magic: one-byte topic length. */
  public static final int MAGIC_V1 = 0xDAA320A7;

  /** v2 record magic: two-byte topic length, used only when the topic is longer than 127 bytes. */
  public static final int MAGIC_V2 = 0xDAA320AB;

  /** Magic of the end-of-segment filler: {int remaining bytes, int BLANK_MAGIC}. */
  public static final int BLANK_MAGIC = 0xCBD43194;

  /** Size of the end-of-segment marker; a record is placed only if it leaves room for one. */
  public static final int BLANK_MARKER_SIZE = 8;

  public static final int TOTAL_SIZE = 0;
  public static final int MAGIC = 4;
  public static final int BODY_CRC = 8;
  public static final int QUEUE_ID = 12;
  public static final int FLAG = 16;
  public static final int QUEUE_OFFSET = 20;

  /**
   * QUEUEOFFSET of a record dispatched to target queues ({@link MessageProperties#DISPATCH}): it
   * takes no offset in its own queue, and no queue uses a negative offset, so a reader of a queue
   * can never take it for one of the queue's own records.
   */
  public static final long DISPATCHED_QUEUE_OFFSET = -1L;

  public static final int PHYSICAL_OFFSET = 28;
  public static final int SYS_FLAG = 36;
  public static final int BORN_TIMESTAMP = 40;
  public static final int BORN_HOST = 48;

  /** Size of a host field: address bytes plus an int port. */
  public static int hostSize(boolean ipv6) {
    return (ipv6 ? 16 : 4) + 4;
  }

  public static int storeTimestampOffset(int sysFlag) {
    return BORN_HOST + hostSize(MessageSysFlag.bornHostIsV6(sysFlag));
  }

  public static int storeHostOffset(int sysFlag) {
    return storeTimestampOffset(sysFlag) + 8;
  }

  public static int reconsumeTimesOffset(int sysFlag) {
    return storeHostOffset(sysFlag) + hostSize(MessageSysFlag.storeHostIsV6(sysFlag));
  }

  public static int preparedTransactionOffsetOffset(int sysFlag) {
    return reconsumeTimesOffset(sysFlag) + 4;
  }

  /** Position of the int body length; the body follows it. */
  public static int bodyLengthOffset(int sysFlag) {
    return preparedTransactionOffsetOffset(sysFlag) + 8;
  }

  /** Width of the topic-length field for a magic. */
  public static int topicLengthSize(int magic) {
    return magic == MAGIC_V2 ? 2 : 1;
  }

  /** Total record size for the given variable parts. */
  public static int recordSize(
      int sysFlag, int bodyLength, int topicLength, int propertiesLength, int magic) {
    return bodyLengthOffset(sysFlag)
        + 4
        + bodyLength
        + topicLengthSize(magic)
        + topicLength
        + 2
        + propertiesLength;
  }

  /** Smallest well-formed record: IPv4 hosts, empty body, one-byte topic, no properties. */
  public static final int MIN_RECORD_SIZE = recordSize(0, 0, 1, 0, MAGIC_V1);

  /** Longest topic a v1 record can carry. */
  public static final int MAX_V1_TOPIC_LENGTH = Byte.MAX_VALUE;

  /** Longest properties string (a signed short length). */
  public static final int MAX_PROPERTIES_LENGTH = Short.MAX_VALUE;
}
