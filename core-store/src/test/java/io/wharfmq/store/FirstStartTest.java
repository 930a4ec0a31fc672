package io.wharfmq.store;

import static io.wharfmq.store.MessageStoreTest.msg;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.wharfmq.store.mapped.BlockReservation;
import io.wharfmq.store.mapped.MappedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh store with the sizes a user gets (1 GiB segments, 420 MB index files) starts without
 * writing those files' zeros, keeps their blocks reserved (the disk-full safety that zero-filling
 * bought), and has its first segment ready before the first append. Bytes written are read from
 * /proc/self/io (Linux); the test is skipped where that or the fallocate command is missing, or
 * where the file system refuses fallocate.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FirstStartTest {
  private static final long MIB = 1024 * 1024;

  @TempDir Path dir;

  @BeforeEach
  void needsLinuxAndFallocate() throws Exception {
    assumeThat(Files.isReadable(Path.of("/proc/self/io")))
        .as("bytes written are read from /proc/self/io (Linux)")
        .isTrue();
    Path probe = dir.resolve("probe");
    assumeThat(BlockReservation.reserve(probe, 1 << 20))
        .as("this file system or machine has no fallocate: the store zero-fills here")
        .isEqualTo(BlockReservation.Method.FALLOCATE);
    Files.delete(probe);
  }

  @Test
  void aReservedFileHasItsBlocksReadsAsZerosAndCostsNoWrites() throws Exception {
    int size = 256 * (int) MIB;
    long before = writeBytes();
    MappedFile f = MappedFile.reserve(dir.resolve("00000000000000000000"), 0, size);
    try {
      long written = writeBytes() - before;
      assertThat(written).as("bytes written to reserve %d", size).isLessThan(MIB);
      assertThat(f.zeroWritten()).isFalse();
      assertThat(allocatedBytes(f.path()))
          .as("disk blocks allocated, so a full disk cannot hit a write through the mapping")
          .isGreaterThanOrEqualTo(size);
      for (int pos : new int[] {0, 4096, size / 2, size - 8}) {
        assertThat(f.buffer().getLong(pos)).isZero();
      }
    } finally {
      f.close();
    }
  }

  @Test
  void aFreshStoreWithDefaultSizesWritesMegabytesNotGigabytesAndIsReadyForItsFirstAppend()
      throws Exception {
    StoreConfig config = new StoreConfig(dir.resolve("data"));
    assertThat(config.mappedFileSizeCommitLog()).isEqualTo(1 << 30);
    long before = writeBytes();
    try (MessageStore store = MessageStore.open(config, InstantSource.system())) {
      // Before any append: the first segment is there (nothing is allocated on first use).
      assertThat(segments(config)).containsExactly("00000000000000000000");
      for (int i = 0; i < 100; i++) {
        AppendResult r = store.append(msg("Fresh", i % 4, "hello " + i, null, "k" + i)).get();
        assertThat(r.isOk()).isTrue();
      }
      assertThat(store.awaitDispatched(Duration.ofSeconds(30))).isTrue();
      assertThat(store.queryByKey("Fresh", "k7", 10, 0, Long.MAX_VALUE)).hasSize(1);
      // Far below half a segment: the next one is not claimed yet.
      assertThat(segments(config)).containsExactly("00000000000000000000");
    }
    long written = writeBytes() - before;
    Path index;
    try (Stream<Path> s = Files.list(config.indexDir())) {
      index = s.findFirst().orElseThrow();
    }
    assertThat(Files.size(index)).isEqualTo(420_000_040L);
    assertThat(allocatedBytes(index)).isGreaterThanOrEqualTo(420_000_040L);
    assertThat(allocatedBytes(config.commitLogDir().resolve("00000000000000000000")))
        .isGreaterThanOrEqualTo(1L << 30);
    // Before: 1 GiB + 1 GiB + 420 MB of zeros. Now: the zeros just ahead of the appends (32 MiB
    // and a chunk), the index file's slots (20 MB) and entries just ahead (8 MiB and a chunk),
    // consume-queue files (6 MB each, four here) and small state files.
    assertThat(written)
        .as("bytes written by a fresh store's start, 100 appends and close")
        .isLessThan(128 * MIB);
  }

  private static List<String> segments(StoreConfig config) throws IOException {
    try (Stream<Path> s = Files.list(config.commitLogDir())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** write_bytes of this process: bytes it caused to be written to storage. */
  static long writeBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/io"), StandardCharsets.UTF_8)) {
      if (line.startsWith("write_bytes:")) {
        return Long.parseLong(line.substring("write_bytes:".length()).trim());
      }
    }
    throw new IOException("no write_bytes in /proc/self/io");
  }

  /** Disk space allocated to a file (st_blocks * 512), from stat(1). */
  static long allocatedBytes(Path file) throws Exception {
    Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor()).as("stat %s: %s", file, out).isZero();
    String[] parts = out.split(" ");
    return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
  }
}
