package io.wharfmq.store.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Presents a dispatched record ({@link MessageProperties#DISPATCH}) as a record of one of its
 * target queues: readers of a queue (pull, POP, peek, the RocketMQ client's own checks) expect
 * every record to carry the queue's topic, queue id and queue offset. The copy has the target's
 * topic, queue id and offset, the record's physical offset and store time, no target list (it can
 * be long and is of no use to a consumer), and {@link MessageProperties#DISPATCH_SOURCE} naming the
 * topic the record was stored in.
 *
 * <p>The copy is spliced from the stored bytes, never decoded and encoded again: the header, body
 * and body CRC are copied as they are, the topic is replaced, the {@code WHARF_DISPATCH} pair is
 * cut out of the properties and the source pair appended; every other property keeps its bytes and
 * order. A delivery through a queue costs one pass over the record, whatever the number of targets.
 * Stateless; thread-safe.
 */
public final class DispatchView {
  private DispatchView() {}

  private static final String DISPATCH_PREFIX =
      MessageProperties.DISPATCH + MessageProperties.NAME_VALUE_SEPARATOR;

  private static final byte[] SOURCE_NAME =
      (MessageProperties.DISPATCH_SOURCE + MessageProperties.NAME_VALUE_SEPARATOR)
          .getBytes(StandardCharsets.US_ASCII);

  private static final byte PROPERTY_SEPARATOR = (byte) MessageProperties.PROPERTY_SEPARATOR;

  /**
   * Whether the record at position 0 of {@code record}, reached through entry {@code queueOffset}
   * of queue {@code queueId}, is a dispatched record rather than one of the queue's own. A queue's
   * own record carries its queue id and offset; a dispatched record carries {@link
   * MessageRecordLayout#DISPATCHED_QUEUE_OFFSET}, which no queue entry has.
   */
  public static boolean reachedByDispatch(ByteBuffer record, int queueId, long queueOffset) {
    return record.getInt(MessageRecordLayout.QUEUE_ID) != queueId
        || record.getLong(MessageRecordLayout.QUEUE_OFFSET) != queueOffset;
  }

  /** The record at position 0 of {@code record} as entry {@code queueOffset} of the queue. */
  public static byte[] asQueueRecord(
      ByteBuffer record, String topic, int queueId, long queueOffset) {
    int magic = record.getInt(MessageRecordLayout.MAGIC);
    int sysFlag = record.getInt(MessageRecordLayout.SYS_FLAG);
    int bodyLengthAt = MessageRecordLayout.bodyLengthOffset(sysFlag);
    int topicAt = bodyLengthAt + 4 + record.getInt(bodyLengthAt);
    int sourceLength = StoredMessage.topicLength(record, topicAt, magic);
    int sourceAt = topicAt + MessageRecordLayout.topicLengthSize(magic);
    int propsAt = sourceAt + sourceLength + 2;
    int propsEnd = propsAt + (record.getShort(propsAt - 2) & 0xFFFF);
    // Source topic and properties in one bulk copy out of the (usually mapped) buffer.
    byte[] src = new byte[propsEnd - sourceAt];
    record.get(sourceAt, src);
    int p0 = propsAt - sourceAt; // where the properties start in src

    // The pieces of the properties to keep: everything but WHARF_DISPATCH pairs. Separators are
    // ASCII and never part of a multi-byte UTF-8 character, so the bytes, read as Latin-1 (a plain
    // copy), can be searched with the string intrinsics; positions stay byte positions.
    String props = new String(src, p0, src.length - p0, StandardCharsets.ISO_8859_1);
    int[] keep = new int[4];
    int kept = 0;
    int keptBytes = 0;
    int from = 0;
    int at = 0;
    int n = props.length();
    while (at < n) {
      int end = props.indexOf(MessageProperties.PROPERTY_SEPARATOR, at);
      int next = end < 0 ? n : end + 1;
      if (props.startsWith(DISPATCH_PREFIX, at)) {
        if (at > from) {
          keep = add(keep, kept++, p0 + from, p0 + at);
          keptBytes += at - from;
        }
        from = next;
      }
      at = next;
    }
    if (n > from) {
      keep = add(keep, kept++, p0 + from, src.length);
      keptBytes += n - from;
    }
    boolean separate = keptBytes > 0 && src[keep[2 * kept - 1] - 1] != PROPERTY_SEPARATOR;
    int withSource = keptBytes + (separate ? 1 : 0) + SOURCE_NAME.length + sourceLength + 1;
    // A record at the properties limit with a short target list: the source name does not fit.
    boolean addSource = withSource <= MessageRecordLayout.MAX_PROPERTIES_LENGTH;
    int propsLength = addSource ? withSource : keptBytes;

    byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
    int newMagic =
        topicBytes.length > MessageRecordLayout.MAX_V1_TOPIC_LENGTH
            ? MessageRecordLayout.MAGIC_V2
            : MessageRecordLayout.MAGIC_V1;
    int newSize =
        topicAt
            + MessageRecordLayout.topicLengthSize(newMagic)
            + topicBytes.length
            + 2
            + propsLength;
    byte[] out = new byte[newSize];
    record.get(0, out, 0, topicAt); // header and body, body CRC included
    ByteBuffer copy = ByteBuffer.wrap(out);
    copy.putInt(MessageRecordLayout.TOTAL_SIZE, newSize);
    copy.putInt(MessageRecordLayout.MAGIC, newMagic);
    copy.putInt(MessageRecordLayout.QUEUE_ID, queueId);
    copy.putLong(MessageRecordLayout.QUEUE_OFFSET, queueOffset);
    copy.position(topicAt);
    if (newMagic == MessageRecordLayout.MAGIC_V2) {
      copy.putShort((short) topicBytes.length);
    } else {
      copy.put((byte) topicBytes.length);
    }
    copy.put(topicBytes);
    copy.putShort((short) propsLength);
    int w = copy.position();
    for (int i = 0; i < kept; i++) {
      int start = keep[2 * i];
      int length = keep[2 * i + 1] - start;
      System.arraycopy(src, start, out, w, length);
      w += length;
    }
    if (addSource) {
      if (separate) {
        out[w++] = PROPERTY_SEPARATOR;
      }
      System.arraycopy(SOURCE_NAME, 0, out, w, SOURCE_NAME.length);
      w += SOURCE_NAME.length;
      System.arraycopy(src, 0, out, w, sourceLength);
      w += sourceLength;
      out[w++] = PROPERTY_SEPARATOR;
    }
    if (w != newSize) {
      throw new IllegalStateException("spliced " + w + " bytes of " + newSize);
    }
    return out;
  }

  /**
   * The topic a record read through a queue was stored in: its source if dispatched, else its own.
   */
  public static String storedTopic(StoredMessage m) {
    String source = MessageProperties.find(m.properties(), MessageProperties.DISPATCH_SOURCE);
    return source != null ? source : m.topic();
  }

  /** Stores range {@code [from, to)} as the {@code index}-th pair of {@code ranges}, growing it. */
  private static int[] add(int[] ranges, int index, int from, int to) {
    int[] r = ranges.length < 2 * index + 2 ? Arrays.copyOf(ranges, ranges.length * 2) : ranges;
    r[2 * index] = from;
    r[2 * index + 1] = to;
    return r;
  }
}
