package io.wharfmq.store.commitlog;

import io.wharfmq.store.mapped.MappedFile;
import java.nio.ByteBuffer;

/**
 * A view of stored bytes inside a mapped file, without copying (or, for a dispatched record read
 * through a target queue, a copy on the heap). The view keeps its file alive: close it when done
 * (retention waits for it). Owned by one thread at a time; not thread-safe.
 */
public final class StoredBytes implements AutoCloseable {
  private final MappedFile file;
  private final long physicalOffset;
  private final ByteBuffer view;
  private boolean closed;

  StoredBytes(MappedFile file, long physicalOffset, ByteBuffer view) {
    this.file = file;
    this.physicalOffset = physicalOffset;
    this.view = view;
  }

  /**
   * Bytes held on the heap rather than in a mapped file (a dispatched record presented as a record
   * of a target queue); closing it frees nothing.
   */
  public static StoredBytes onHeap(long physicalOffset, byte[] bytes) {
    return new StoredBytes(null, physicalOffset, ByteBuffer.wrap(bytes));
  }

  /** Log offset of the first byte. */
  public long physicalOffset() {
    return physicalOffset;
  }

  /** The bytes: position 0, limit = size; a private view, free to move position and limit. */
  public ByteBuffer buffer() {
    return view;
  }

  public int size() {
    return view.capacity();
  }

  /** Copies the bytes out. */
  public byte[] toArray() {
    byte[] out = new byte[view.capacity()];
    view.get(0, out);
    return out;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (file != null) {
        file.release();
      }
    }
  }
}
