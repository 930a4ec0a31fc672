package io.wharfmq.store.tool;

import io.wharfmq.store.mapped.FileNames;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import io.wharfmq.store.queue.ConsumeQueueLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of one consume queue, mapped read-only, with entries addressed by logical offset.
 * Single-threaded.
 */
final class ConsumeQueueFiles {
  /**
   * One file.
   *
   * @param byteOffset the file name: byte offset of its first entry in the whole queue
   */
  record QueueFile(Path path, long byteOffset, ByteBuffer buffer) {
    long firstEntry() {
      return byteOffset / ConsumeQueueLayout.ENTRY_SIZE;
    }

    int entries() {
      return buffer.limit() / ConsumeQueueLayout.ENTRY_SIZE;
    }

    /** Entry {@code index} of this file (not of the queue). */
    ConsumeQueueEntry entry(int index) {
      int pos = index * ConsumeQueueLayout.ENTRY_SIZE;
      return new ConsumeQueueEntry(
          firstEntry() + index,
          buffer.getLong(pos + ConsumeQueueLayout.PHYSICAL_OFFSET),
          buffer.getInt(pos + ConsumeQueueLayout.SIZE),
          buffer.getLong(pos + ConsumeQueueLayout.TAGS_CODE));
    }
  }

  private final List<QueueFile> files;

  private ConsumeQueueFiles(List<QueueFile> files) {
    this.files = files;
  }

  static ConsumeQueueFiles open(Path queueDir) throws IOException {
    List<QueueFile> files = new ArrayList<>();
    for (Path p : StoreDirectory.offsetFiles(queueDir)) {
      files.add(new QueueFile(p, FileNames.offsetOf(p), StoreDirectory.mapReadOnly(p)));
    }
    return new ConsumeQueueFiles(files);
  }

  /** Files in offset order. */
  List<QueueFile> files() {
    return files;
  }

  /** Whether an entry was written: the dispatcher never writes a zero size. */
  static boolean isWritten(ConsumeQueueEntry e) {
    return e.size() != 0;
  }
}
