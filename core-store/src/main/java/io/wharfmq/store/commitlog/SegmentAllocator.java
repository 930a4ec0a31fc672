package io.wharfmq.store.commitlog;

import io.wharfmq.store.mapped.FileNames;
import io.wharfmq.store.mapped.MappedFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allocates commit-log segments. The writer asks for the next segment once the active one is half
 * full ({@link #prepare}); it is zero-filled in the background on a daemon thread named {@code
 * wharf-segment-allocator}, so the writer neither stalls at rollover nor writes into never-written
 * blocks. A segment needed at once (the first one of a fresh store, or one whose background
 * allocation failed) is only reserved ({@link MappedFile#reserve}: milliseconds, nothing written)
 * and the writer zeroes it ahead of itself ({@link io.wharfmq.store.mapped.ZeroAhead}). Deferring
 * the next segment to half-way, instead of preparing it the moment the active one opens, is what
 * keeps a fresh store from claiming two segments of disk before its first message. With
 * warmMapedFileEnable every segment is zero-filled when created and the next one is prepared as
 * soon as the active one opens (the behaviour before fallocate; benchmarks use it to measure
 * appends into written blocks only).
 *
 * <p>Called under the commit-log append lock only.
 */
final class SegmentAllocator {
  private static final Logger log = LoggerFactory.getLogger(SegmentAllocator.class);

  private final Path dir;
  private final int segmentSize;
  private final boolean warm;
  private long pendingBase = -1;
  private CompletableFuture<MappedFile> pending;

  /**
   * @param warm warmMapedFileEnable: a segment needed at once is zero-filled on the spot, not
   *     reserved
   */
  SegmentAllocator(Path dir, int segmentSize, boolean warm) {
    this.dir = dir;
    this.segmentSize = segmentSize;
    this.warm = warm;
  }

  /**
   * Returns a mapped segment starting at {@code base} with its disk blocks allocated: the
   * background allocation if one was made for it (zero-filled), else one reserved now (check {@link
   * MappedFile#zeroWritten()}). Throws IOException when the disk is full.
   */
  MappedFile take(long base) throws IOException {
    MappedFile file = null;
    if (pending != null && pendingBase == base) {
      try {
        file = pending.get();
      } catch (ExecutionException e) {
        log.debug("Background allocation of {} failed: {}", base, e.getCause().toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for segment allocation", e);
      }
    } else {
      discardPending();
    }
    pending = null;
    pendingBase = -1;
    if (file == null) {
      Path path = dir.resolve(FileNames.offsetName(base));
      file =
          warm
              ? MappedFile.create(path, base, segmentSize)
              : MappedFile.reserve(path, base, segmentSize);
    }
    return file;
  }

  /** Starts allocating the segment at {@code base} in the background, unless that is under way. */
  void prepare(long base) {
    if (pending != null && pendingBase == base) {
      return;
    }
    discardPending();
    pendingBase = base;
    pending = new CompletableFuture<>();
    CompletableFuture<MappedFile> target = pending;
    Thread t =
        new Thread(
            () -> {
              try {
                target.complete(
                    MappedFile.create(dir.resolve(FileNames.offsetName(base)), base, segmentSize));
              } catch (IOException | RuntimeException e) {
                target.completeExceptionally(e);
              }
            },
            "wharf-segment-allocator");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Waits for a background allocation and unmaps (but keeps) its file. Recovery deletes an unused
   * pre-allocated segment at the next start.
   */
  void discardPending() {
    if (pending == null) {
      return;
    }
    try {
      pending.get().close();
    } catch (ExecutionException e) {
      // nothing was created
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pending = null;
    pendingBase = -1;
  }
}
