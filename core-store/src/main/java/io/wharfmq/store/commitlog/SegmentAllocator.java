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
 * Pre-allocates the next commit-log segment in the background, so the writer does not stall for the
 * zero-fill when it rolls over. Called under the commit-log append lock only; the allocation itself
 * runs on a daemon thread named {@code wharf-segment-allocator}.
 */
final class SegmentAllocator {
  private static final Logger log = LoggerFactory.getLogger(SegmentAllocator.class);

  private final Path dir;
  private final int segmentSize;
  private long pendingBase = -1;
  private CompletableFuture<MappedFile> pending;

  SegmentAllocator(Path dir, int segmentSize) {
    this.dir = dir;
    this.segmentSize = segmentSize;
  }

  /**
   * Returns a mapped, zero-filled segment starting at {@code base}, from the background allocation
   * if one was made for it, else created now. Throws IOException when the disk is full.
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
      file = MappedFile.create(dir.resolve(FileNames.offsetName(base)), base, segmentSize);
    }
    prepare(base + segmentSize);
    return file;
  }

  private void prepare(long base) {
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
