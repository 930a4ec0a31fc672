package io.wharfmq.store.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes stored records laid back to back, as the bodies of pull, pop, query-message and
 * check-transaction commands carry them (docs/protocol.md). Each record is checked by {@link
 * RecordValidator} before it is decoded; decoding stops at the first malformed record, as the
 * RocketMQ client does, and says why. Stateless; thread-safe.
 */
public final class RecordSequence {
  private RecordSequence() {}

  /**
   * What a body held.
   *
   * @param records the well-formed records before the first malformed one, in body order
   * @param malformed why decoding stopped early, or null when the whole body decoded
   */
  public record Decoded(List<StoredMessage> records, String malformed) {}

  /** Decodes {@code body}; a null or empty body holds no records. */
  public static Decoded decode(byte[] body) {
    List<StoredMessage> out = new ArrayList<>();
    if (body == null) {
      return new Decoded(out, null);
    }
    ByteBuffer buf = ByteBuffer.wrap(body);
    int pos = 0;
    while (pos < body.length) {
      if (body.length - pos < MessageRecordLayout.MIN_RECORD_SIZE) {
        return new Decoded(out, "body ends with " + (body.length - pos) + " stray bytes");
      }
      // Records of a body come from anywhere in the log: each one's own offset is the expected one.
      long physical = buf.getLong(pos + MessageRecordLayout.PHYSICAL_OFFSET);
      RecordValidator.Result check = RecordValidator.check(buf, pos, body.length, physical, false);
      if (check.kind() != RecordValidator.Kind.RECORD) {
        String reason = check.reason() != null ? check.reason() : check.kind().toString();
        return new Decoded(out, "record at byte " + pos + ": " + reason);
      }
      out.add(StoredMessage.decode(buf, pos));
      pos += check.size();
    }
    return new Decoded(out, null);
  }
}
