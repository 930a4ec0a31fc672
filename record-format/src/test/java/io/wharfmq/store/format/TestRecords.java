package io.wharfmq.store.format;

import java.nio.ByteBuffer;

/** Records as the store writes them, for tests: encoded, then given what the writer assigns. */
final class TestRecords {
  private TestRecords() {}

  static byte[] stored(MessageToStore m, long queueOffset, long physicalOffset, long storeTime) {
    byte[] bytes = MessageEncoder.encode(m, 4096).bytes();
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    MessageEncoder.patchAssignedFields(
        buf,
        0,
        MessageRecordLayout.storeTimestampOffset(buf.getInt(MessageRecordLayout.SYS_FLAG)),
        queueOffset,
        physicalOffset,
        storeTime);
    return bytes;
  }
}
