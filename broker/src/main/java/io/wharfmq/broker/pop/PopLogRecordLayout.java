package io.wharfmq.broker.pop;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Byte layout of a pop-log record body (the body of a message in {@link PopLog#TOPIC}); the table
 * is "Pop log record" in docs/formats.md. Big-endian, like every record in the commit log.
 * Stateless.
 */
public final class PopLogRecordLayout {
  private PopLogRecordLayout() {}

  public static final byte VERSION = 1;

  /** Header fields before the group name. */
  public static final int VERSION_OFFSET = 0;

  public static final int SCAN_FROM = 1;
  public static final int QUEUE_ID = 9;
  public static final int GROUP_LENGTH = 13;
  public static final int GROUP = 15;

  /** Size of one entry: offset 8, kind 1, popTime 8, deadline 8, reconsumeTimes 4. */
  public static final int ENTRY_SIZE = 29;

  public static byte[] encode(PopLogRecord r) {
    byte[] group = r.group().getBytes(StandardCharsets.UTF_8);
    byte[] topic = r.topic().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b =
        ByteBuffer.allocate(
            GROUP + group.length + 2 + topic.length + 4 + ENTRY_SIZE * r.entries().size());
    b.put(VERSION).putLong(r.scanFrom()).putInt(r.queueId());
    b.putShort((short) group.length).put(group);
    b.putShort((short) topic.length).put(topic);
    b.putInt(r.entries().size());
    for (PopLogRecord.Entry e : r.entries()) {
      b.putLong(e.offset())
          .put(e.kind().code)
          .putLong(e.popTime())
          .putLong(e.deadline())
          .putInt(e.reconsumeTimes());
    }
    return b.array();
  }

  /** Decodes a body; IllegalArgumentException when it is not a valid version-1 record. */
  public static PopLogRecord decode(byte[] body) {
    try {
      ByteBuffer b = ByteBuffer.wrap(body);
      byte version = b.get();
      if (version != VERSION) {
        throw new IllegalArgumentException("pop log record version " + version);
      }
      long scanFrom = b.getLong();
      int queueId = b.getInt();
      String group = string(b);
      String topic = string(b);
      int n = b.getInt();
      if (n < 0 || n > b.remaining() / ENTRY_SIZE) {
        throw new IllegalArgumentException("pop log record entry count " + n);
      }
      List<PopLogRecord.Entry> entries = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        entries.add(
            new PopLogRecord.Entry(
                b.getLong(), PopLogRecord.Kind.of(b.get()), b.getLong(), b.getLong(), b.getInt()));
      }
      return new PopLogRecord(group, topic, queueId, scanFrom, entries);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated pop log record", e);
    }
  }

  private static String string(ByteBuffer b) {
    int len = Short.toUnsignedInt(b.getShort());
    byte[] s = new byte[len];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }
}
