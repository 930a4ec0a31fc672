package io.wharfmq.store.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The value of {@link MessageProperties#DISPATCH}: the consume queues one commit-log record is
 * dispatched to, {@code topic:queueId:OFFSET20} per target, comma-separated, where OFFSET20 is the
 * target queue offset in exactly {@value #OFFSET_DIGITS} decimal digits. A sender writes zeros; the
 * commit-log appender overwrites them in place with the offsets it assigns, so the record's size
 * never changes and consume-queue rebuild reads each target's offset back from the record. See
 * docs/storage.md, "Multi-dispatch". Target topics are store topics ([%|a-zA-Z0-9_.-]), so {@code
 * :} and {@code ,} cannot occur in them. Stateless; thread-safe.
 */
public final class DispatchTargets {
  private DispatchTargets() {}

  /**
   * Longest target list a sender should put in one record: the properties string is limited to
   * 32,767 bytes, and this leaves room for the message's other properties and for the broker's
   * rewrites (a parked copy carries the list under a longer name). A longer fan-out is split into
   * several records.
   */
  public static final int MAX_VALUE_LENGTH = 30_000;

  /** Width of each target's queue offset in the value. */
  public static final int OFFSET_DIGITS = 20;

  private static final char FIELD_SEPARATOR = ':';
  private static final char TARGET_SEPARATOR = ',';

  /**
   * One target queue of a record.
   *
   * @param topic the target queue's topic
   * @param queueId the target queue
   * @param queueOffset its offset in that queue (0 before the appender assigned it)
   * @param digitsAt index in the value where the offset's digits start
   */
  public record Target(String topic, int queueId, long queueOffset, int digitsAt) {}

  /** A (topic, queueId) pair to encode. */
  public record Queue(String topic, int queueId) {}

  /**
   * The value for {@code targets} with zero offsets, ready for the appender. A queue may appear
   * once: a record reaches each queue at most once.
   */
  public static String encode(List<Queue> targets) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("a dispatch needs at least one target");
    }
    if (new HashSet<>(targets).size() != targets.size()) {
      throw new IllegalArgumentException("a dispatch names a queue twice: " + targets);
    }
    StringBuilder sb = new StringBuilder(targets.size() * 48);
    for (Queue q : targets) {
      checkTopic(q.topic());
      if (q.queueId() < 0) {
        throw new IllegalArgumentException("negative queue id " + q.queueId());
      }
      if (sb.length() > 0) {
        sb.append(TARGET_SEPARATOR);
      }
      sb.append(q.topic()).append(FIELD_SEPARATOR).append(q.queueId()).append(FIELD_SEPARATOR);
      sb.append("0".repeat(OFFSET_DIGITS));
    }
    return sb.toString();
  }

  /**
   * The target list in a record's properties string, or null when the record goes to its own queue.
   * The dispatcher and the recovery validator both read a record's targets through this, so a
   * record recovery accepted is one the dispatcher can dispatch.
   */
  public static String valueIn(String properties) {
    if (!properties.contains(MessageProperties.DISPATCH)) {
      return null; // every plain record: one intrinsic search instead of a walk over the pairs
    }
    return MessageProperties.find(properties, MessageProperties.DISPATCH);
  }

  /** Length of the value {@link #encode} makes for one target, to plan splits. */
  public static int encodedLength(String topic, int queueId) {
    return topic.length() + 2 + Integer.toString(queueId).length() + OFFSET_DIGITS;
  }

  /**
   * Parses a value. Throws {@link IllegalArgumentException} with the reason when it is not a
   * well-formed target list.
   */
  public static List<Target> parse(String value) {
    List<Target> out = new ArrayList<>();
    int start = 0;
    int n = value.length();
    if (n == 0) {
      throw new IllegalArgumentException("empty dispatch target list");
    }
    while (start <= n) {
      int end = value.indexOf(TARGET_SEPARATOR, start);
      if (end < 0) {
        end = n;
      }
      int digitsAt = end - OFFSET_DIGITS;
      int idEnd = digitsAt - 1;
      int topicEnd = idEnd < start ? -1 : value.lastIndexOf(FIELD_SEPARATOR, idEnd - 1);
      if (digitsAt <= start
          || value.charAt(idEnd) != FIELD_SEPARATOR
          || topicEnd <= start
          || topicEnd + 1 >= idEnd) {
        throw new IllegalArgumentException(
            "dispatch target '" + value.substring(start, end) + "' is not topic:queueId:OFFSET20");
      }
      String topic = value.substring(start, topicEnd);
      checkTopic(topic);
      int queueId = (int) parseDigits(value, topicEnd + 1, idEnd, "queue id", Integer.MAX_VALUE);
      long offset = parseDigits(value, digitsAt, end, "queue offset", Long.MAX_VALUE);
      out.add(new Target(topic, queueId, offset, digitsAt));
      start = end + 1;
    }
    return out;
  }

  /**
   * Writes {@code offset} as {@value #OFFSET_DIGITS} ASCII digits into {@code dest} at {@code at}.
   */
  public static void writeOffset(byte[] dest, int at, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("negative queue offset " + offset);
    }
    long v = offset;
    for (int i = at + OFFSET_DIGITS - 1; i >= at; i--) {
      dest[i] = (byte) ('0' + (v % 10));
      v /= 10;
    }
  }

  /** As {@link #writeOffset(byte[], int, long)}, into a buffer at an absolute index. */
  public static void writeOffset(ByteBuffer dest, int at, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("negative queue offset " + offset);
    }
    long v = offset;
    for (int i = at + OFFSET_DIGITS - 1; i >= at; i--) {
      dest.put(i, (byte) ('0' + (v % 10)));
      v /= 10;
    }
  }

  private static long parseDigits(String s, int from, int to, String what, long max) {
    if (from >= to || to - from > OFFSET_DIGITS) {
      throw new IllegalArgumentException(
          "bad " + what + " '" + s.substring(from, to) + "' in dispatch targets");
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new IllegalArgumentException(
            "bad " + what + " '" + s.substring(from, to) + "' in dispatch targets");
      }
      int d = c - '0';
      if (v > (max - d) / 10) {
        throw new IllegalArgumentException(what + " out of range: " + s.substring(from, to));
      }
      v = v * 10 + d;
    }
    return v;
  }

  /**
   * A target topic must be one the store accepts as a topic (1-255 characters of [%|a-zA-Z0-9_.-],
   * not "." or ".."): it names the consume queue's directory.
   */
  private static void checkTopic(String topic) {
    int n = topic.length();
    if (n == 0 || n > 255 || topic.equals(".") || topic.equals("..")) {
      throw new IllegalArgumentException("dispatch target topic '" + topic + "' is not a topic");
    }
    for (int i = 0; i < n; i++) {
      char c = topic.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '%'
              || c == '|'
              || c == '_'
              || c == '.'
              || c == '-';
      if (!ok) {
        throw new IllegalArgumentException(
            "dispatch target topic '" + topic + "' has '" + c + "', not a topic character");
      }
    }
  }
}
