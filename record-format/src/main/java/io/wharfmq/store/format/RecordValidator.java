package io.wharfmq.store.format;

import java.nio.ByteBuffer;

/**
 * Decides what lies at a position of a commit-log segment: a valid record, the end-of-segment blank
 * marker, the end of written data (a zero size), or an invalid record. Recovery and the store tool
 * use it; "invalid" is the only answer that ends a log. Stateless; thread-safe.
 */
public final class RecordValidator {
  private RecordValidator() {}

  /** What was found at a position. */
  public enum Kind {
    RECORD,
    BLANK,
    END_OF_DATA,
    INVALID
  }

  /**
   * Outcome of one check.
   *
   * @param kind what was found
   * @param size bytes to skip to the next entry (record or blank size); 0 otherwise
   * @param reason for INVALID, why
   */
  public record Result(Kind kind, int size, String reason) {
    static Result invalid(String reason) {
      return new Result(Kind.INVALID, 0, reason);
    }
  }

  private static final Result END = new Result(Kind.END_OF_DATA, 0, null);

  /**
   * Checks the entry at {@code pos}, where {@code limit} is the end of the segment buffer and
   * {@code expectedPhysicalOffset} the log offset of {@code pos}.
   *
   * @param full whether to verify the body CRC and a fan-out's target list too (costly; recovery
   *     and the offline check do, reads by offset don't): what the CRC does not cover, a torn
   *     properties tail, must not reach the dispatcher
   */
  public static Result check(
      ByteBuffer buf, int pos, int limit, long expectedPhysicalOffset, boolean full) {
    int remaining = limit - pos;
    if (remaining < 4) {
      return END;
    }
    int size = buf.getInt(pos + MessageRecordLayout.TOTAL_SIZE);
    if (size == 0) {
      return END;
    }
    if (remaining < 8) {
      return Result.invalid("truncated header at end of segment");
    }
    int magic = buf.getInt(pos + MessageRecordLayout.MAGIC);
    if (magic == MessageRecordLayout.BLANK_MAGIC) {
      if (size != remaining) {
        return Result.invalid(
            "blank marker says " + size + " bytes remain but " + remaining + " do");
      }
      return new Result(Kind.BLANK, size, null);
    }
    if (magic != MessageRecordLayout.MAGIC_V1 && magic != MessageRecordLayout.MAGIC_V2) {
      return Result.invalid(String.format("bad magic 0x%08X", magic));
    }
    if (size < MessageRecordLayout.MIN_RECORD_SIZE || size > remaining) {
      return Result.invalid("size " + size + " out of range (" + remaining + " bytes remain)");
    }
    int sysFlag = buf.getInt(pos + MessageRecordLayout.SYS_FLAG);
    int bodyLengthAt = MessageRecordLayout.bodyLengthOffset(sysFlag);
    if (bodyLengthAt + 4 > size) {
      return Result.invalid("header longer than record size " + size);
    }
    long physical = buf.getLong(pos + MessageRecordLayout.PHYSICAL_OFFSET);
    if (physical != expectedPhysicalOffset) {
      return Result.invalid(
          "record says physical offset " + physical + " but sits at " + expectedPhysicalOffset);
    }
    int bodyLength = buf.getInt(pos + bodyLengthAt);
    int topicLengthSize = MessageRecordLayout.topicLengthSize(magic);
    // Compared before adding: a corrupt length near Integer.MAX_VALUE would overflow the sum.
    if (bodyLength < 0 || bodyLength > size - bodyLengthAt - 4 - topicLengthSize) {
      return Result.invalid("body length " + bodyLength + " does not fit record size " + size);
    }
    int topicAt = bodyLengthAt + 4 + bodyLength;
    int topicLength = StoredMessage.topicLength(buf, pos + topicAt, magic);
    int propsAt = topicAt + topicLengthSize + topicLength;
    if (topicLength == 0 || propsAt + 2 > size) {
      return Result.invalid("topic length " + topicLength + " does not fit record size " + size);
    }
    int propsLength = buf.getShort(pos + propsAt) & 0xFFFF;
    if (propsAt + 2 + propsLength != size) {
      return Result.invalid(
          "field lengths add up to " + (propsAt + 2 + propsLength) + ", not " + size);
    }
    int bornPort =
        buf.getInt(
            pos
                + MessageRecordLayout.BORN_HOST
                + MessageRecordLayout.hostSize(MessageSysFlag.bornHostIsV6(sysFlag))
                - 4);
    int storePort =
        buf.getInt(
            pos
                + MessageRecordLayout.storeHostOffset(sysFlag)
                + MessageRecordLayout.hostSize(MessageSysFlag.storeHostIsV6(sysFlag))
                - 4);
    if ((bornPort & ~0xFFFF) != 0 || (storePort & ~0xFFFF) != 0) {
      return Result.invalid("host port out of range (" + bornPort + ", " + storePort + ")");
    }
    if (full) {
      int stored = buf.getInt(pos + MessageRecordLayout.BODY_CRC);
      int actual = MessageEncoder.bodyCrc(buf, pos + bodyLengthAt + 4, bodyLength);
      if (stored != actual) {
        return Result.invalid(String.format("body CRC 0x%08X, stored 0x%08X", actual, stored));
      }
      String dispatchProblem = dispatchProblem(buf, pos, sysFlag);
      if (dispatchProblem != null) {
        return Result.invalid(dispatchProblem);
      }
    }
    return new Result(Kind.RECORD, size, null);
  }

  /**
   * Why the target list of a fan-out is unusable, or null. The CRC covers only the body, so a
   * properties tail lost in a crash (zeros past the last written page) shows only here: as a list
   * that does not parse, or as the dispatched-record QUEUEOFFSET without a list (the tail took its
   * name). Parsed as the dispatcher parses it, so the dispatcher never fails on a record accepted
   * here.
   */
  private static String dispatchProblem(ByteBuffer buf, int pos, int sysFlag) {
    String targets = DispatchTargets.valueIn(StoredMessage.properties(buf, pos));
    if (targets != null) {
      try {
        DispatchTargets.parse(targets);
      } catch (IllegalArgumentException e) {
        return MessageProperties.DISPATCH + " is no target list (" + e.getMessage() + ")";
      }
      return null;
    }
    if (MessageSysFlag.isDispatchedToConsumeQueue(sysFlag)
        && buf.getLong(pos + MessageRecordLayout.QUEUE_OFFSET)
            == MessageRecordLayout.DISPATCHED_QUEUE_OFFSET) {
      return "QUEUEOFFSET marks a fan-out but " + MessageProperties.DISPATCH + " is missing";
    }
    return null;
  }
}
