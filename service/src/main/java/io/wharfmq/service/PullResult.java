package io.wharfmq.service;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a pull read. The record buffers may be views into the store's mapped files: the caller
 * releases them with {@link #close()} once it has written them out (or copied them), and exactly
 * once.
 *
 * @param found whether any message matched
 * @param records the stored records, each exactly as in the commit log
 * @param nextOffset where the next pull of this queue starts
 * @param offsetMoved the requested offset was out of range and was corrected
 */
public record PullResult(
    Status status,
    String detail,
    boolean found,
    List<ByteBuffer> records,
    long nextOffset,
    long minOffset,
    long maxOffset,
    boolean offsetMoved,
    Runnable release)
    implements AutoCloseable {
  @Override
  public void close() {
    if (release != null) {
      release.run();
    }
  }
}
