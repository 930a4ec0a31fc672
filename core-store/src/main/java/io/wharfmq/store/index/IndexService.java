package io.wharfmq.store.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message index: finds commit-log offsets of messages by topic and key, in a directory of
 * {@link IndexFile}s named by creation time. Derived from the commit log, so it can always be
 * rebuilt from it; answers are candidates that the caller checks against the commit log.
 *
 * <p>Threads: {@link #put} runs only on the dispatcher thread. {@link #query}, {@link #flush},
 * {@link #maxPhysicalOffset} and {@link #deleteFilesBelow} are safe from any thread, concurrently
 * with {@code put}. {@link #load} runs before the dispatcher starts and {@link #close} after it
 * stopped. The file list is an immutable list in a volatile field, replaced under a lock when a
 * file is added or deleted, so readers never lock; every read of a file's mapping happens under
 * {@link io.wharfmq.store.mapped.MappedFile#retain()}, so deletion never unmaps a file under a
 * reader.
 */
public final class IndexService {
  private static final Logger log = LoggerFactory.getLogger(IndexService.class);

  private final Path indexDir;
  private final int slotCount;
  private final int entryCount;

  private final Object filesLock = new Object();
  private volatile List<IndexFile> files = List.of();

  /** Guarded by filesLock. */
  private boolean loaded;

  /** Guarded by filesLock. */
  private boolean closed;

  /**
   * @param slotCount hash slots per file (maxHashSlotNum)
   * @param entryCount entries per file (maxIndexNum); entry 0 is never used, so a file holds {@code
   *     entryCount - 1} entries and this must be at least 2
   */
  public IndexService(Path indexDir, int slotCount, int entryCount) {
    if (slotCount < 1) {
      throw new IllegalArgumentException("maxHashSlotNum must be >= 1, is " + slotCount);
    }
    if (entryCount < 2) {
      throw new IllegalArgumentException(
          "maxIndexNum must be >= 2 (entry 0 is never used), is " + entryCount);
    }
    if (IndexFileLayout.fileSize(slotCount, entryCount) < 0) {
      throw new IllegalArgumentException(
          "maxHashSlotNum*4 + maxIndexNum*20 must stay below 2 GiB (one mapped file), is "
              + (slotCount * 4L + entryCount * 20L));
    }
    this.indexDir = indexDir;
    this.slotCount = slotCount;
    this.entryCount = entryCount;
  }

  /** Maps the existing files in creation order, creating the directory if it is missing. */
  public void load() throws IOException {
    synchronized (filesLock) {
      if (loaded || closed) {
        throw new IllegalStateException("index service already loaded: " + indexDir);
      }
      Files.createDirectories(indexDir);
      List<IndexFile> opened = new ArrayList<>();
      try {
        for (Path p : IndexFileNames.list(indexDir)) {
          opened.add(IndexFile.open(p, slotCount, entryCount));
        }
      } catch (IOException | RuntimeException e) {
        opened.forEach(IndexFile::close);
        throw e;
      }
      if (!opened.isEmpty()) {
        opened.get(opened.size() - 1).zeroAheadOfNextEntry();
      }
      files = List.copyOf(opened);
      loaded = true;
      log.info("Loaded {} index files from {}", opened.size(), indexDir);
    }
  }

  /**
   * Indexes one key of a message. An empty or null key indexes nothing. Does not de-duplicate: the
   * dispatcher resumes after {@link #maxPhysicalOffset()}, and queries drop repeated offsets.
   * Dispatcher thread only.
   *
   * @throws IOException if a new file cannot be allocated (disk full)
   */
  public void put(String topic, String key, long physicalOffset, long storeTimestamp)
      throws IOException {
    if (key == null || key.isEmpty()) {
      return;
    }
    int keyHash = IndexFileLayout.keyHash(IndexFileLayout.indexKey(topic, key));
    IndexFile current = writableFile(storeTimestamp);
    if (!current.put(keyHash, physicalOffset, storeTimestamp)) {
      throw new IllegalStateException("fresh index file is full: " + current);
    }
  }

  private IndexFile writableFile(long storeTimestamp) throws IOException {
    List<IndexFile> snapshot = files;
    if (!snapshot.isEmpty() && !snapshot.get(snapshot.size() - 1).isFull()) {
      return snapshot.get(snapshot.size() - 1);
    }
    synchronized (filesLock) {
      if (!loaded || closed) {
        throw new IllegalStateException(
            "index service is " + (closed ? "closed" : "not loaded") + ": " + indexDir);
      }
      List<IndexFile> current = files;
      Path newest = current.isEmpty() ? null : current.get(current.size() - 1).path();
      Path path = IndexFileNames.newFile(indexDir, newest, storeTimestamp);
      IndexFile created = IndexFile.create(path, slotCount, entryCount);
      List<IndexFile> next = new ArrayList<>(current);
      next.add(created);
      files = List.copyOf(next);
      log.info("Created index file {}", path);
      return created;
    }
  }

  /**
   * Offsets of messages with this topic and key stored within [beginTimestamp, endTimestamp] (ms,
   * inclusive), newest first, without repeats, at most {@code maxNum}. These are candidates: hash
   * collisions, whole-second time resolution and entries left by a crash mean the caller must check
   * each against the commit log. Any thread.
   */
  public List<Long> query(
      String topic, String key, int maxNum, long beginTimestamp, long endTimestamp) {
    if (maxNum <= 0 || key == null || beginTimestamp > endTimestamp) {
      return List.of();
    }
    int keyHash = IndexFileLayout.keyHash(IndexFileLayout.indexKey(topic, key));
    Set<Long> found = new LinkedHashSet<>();
    List<IndexFile> snapshot = files;
    for (int i = snapshot.size() - 1; i >= 0 && found.size() < maxNum; i--) {
      IndexFile f = snapshot.get(i);
      if (!f.overlaps(beginTimestamp, endTimestamp)) {
        continue;
      }
      if (!f.retain()) {
        // Deleted since the snapshot: it held only offsets below the retention point.
        continue;
      }
      try {
        f.lookup(keyHash, beginTimestamp, endTimestamp, maxNum, found);
      } finally {
        f.release();
      }
    }
    return List.copyOf(found);
  }

  /** Forces every file changed since the last flush to disk. Any thread. */
  public void flush() {
    for (IndexFile f : files) {
      if (f.retain()) {
        try {
          f.flush();
        } finally {
          f.release();
        }
      }
    }
  }

  /**
   * The largest indexed commit-log offset: the end offset of the newest file that has entries, or
   * -1 if nothing is indexed. Any thread.
   */
  public long maxPhysicalOffset() {
    List<IndexFile> snapshot = files;
    for (int i = snapshot.size() - 1; i >= 0; i--) {
      IndexFile f = snapshot.get(i);
      if (!f.isEmpty()) {
        return f.endPhyOffset();
      }
    }
    return -1;
  }

  /**
   * Deletes whole files whose end offset is below {@code minPhysicalOffset} (the commit log no
   * longer holds any of their messages), never the newest file, which the dispatcher writes.
   * Readers still inside a deleted file finish first; its disk space is freed after them.
   *
   * @return how many files were deleted
   */
  public int deleteFilesBelow(long minPhysicalOffset) {
    synchronized (filesLock) {
      List<IndexFile> current = files;
      List<IndexFile> keep = new ArrayList<>(current.size());
      List<IndexFile> expired = new ArrayList<>();
      for (int i = 0; i < current.size(); i++) {
        IndexFile f = current.get(i);
        if (i < current.size() - 1 && f.endPhyOffset() < minPhysicalOffset) {
          expired.add(f);
        } else {
          keep.add(f);
        }
      }
      if (expired.isEmpty()) {
        return 0;
      }
      // Published before destroy, so no new query picks up a file that is going away.
      files = List.copyOf(keep);
      for (IndexFile f : expired) {
        log.info("Deleting index file {} (below commit-log offset {})", f, minPhysicalOffset);
        f.destroy();
      }
      return expired.size();
    }
  }

  /** Flushes and unmaps every file. Call after the dispatcher stopped; idempotent. */
  public void close() {
    synchronized (filesLock) {
      if (closed) {
        return;
      }
      closed = true;
      flush();
      List<IndexFile> current = files;
      files = List.of();
      current.forEach(IndexFile::close);
    }
  }
}
