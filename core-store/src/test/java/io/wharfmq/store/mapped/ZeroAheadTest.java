package io.wharfmq.store.mapped;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zeros written ahead of an appender never land on its data: an appender writing through the
 * mapping as the commit-log writer does (ensure before writing past the mark) races the zeroing
 * thread over a 64 MiB reserved segment, sometimes ahead of it, sometimes behind, and every byte it
 * wrote is still there afterwards.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZeroAheadTest {
  @TempDir Path dir;

  @Test
  void zerosNeverOverwriteWhatTheAppenderWrote() throws Exception {
    int size = 64 << 20;
    MappedFile segment = MappedFile.reserve(dir.resolve("00000000000000000000"), 0, size);
    try {
      AtomicLong published = new AtomicLong();
      ZeroAhead zeros = new ZeroAhead(segment, 0, published::get, 32 << 20, "test-zero-ahead");
      zeros.start();
      ByteBuffer buf = segment.buffer();
      int record = 997; // odd size: records straddle chunk and page boundaries
      int limit = 0;
      int pos = 0;
      int ensured = 0;
      for (; pos + record <= size - record; pos += record) {
        if (pos + record > limit) {
          limit = zeros.ensure(pos + record);
          ensured++;
        }
        for (int i = 0; i < record; i += 8) {
          buf.put(pos + i, (byte) (1 + (pos + i) % 251));
        }
        published.set(pos + record);
        if (pos % (8 << 20) < record) {
          Thread.onSpinWait(); // a pause now and then lets the thread get ahead again
        }
      }
      zeros.stop();
      assertThat(ensured).isPositive();
      assertThat(zeros.zeroedTo()).isGreaterThanOrEqualTo(pos);
      for (int p = 0; p < pos; p += record) {
        for (int i = 0; i < record; i += 8) {
          byte expected = (byte) (1 + (p + i) % 251);
          if (buf.get(p + i) != expected) {
            throw new AssertionError("byte " + (p + i) + " was overwritten: " + buf.get(p + i));
          }
        }
      }
      for (int p = pos; p < size; p += 4096) {
        assertThat(buf.get(p)).isZero();
      }
    } finally {
      segment.close();
    }
  }
}
