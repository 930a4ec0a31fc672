package io.wharfmq.store.queue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * All consume queues of a store, under {@code consumequeue/<topic>/<queueId>/}. Lookups are
 * thread-safe; queues are created by the dispatcher thread.
 */
public final class ConsumeQueueTable {
  private final Path root;
  private final int entriesPerFile;
  private final Map<String, Map<Integer, ConsumeQueue>> queues = new ConcurrentHashMap<>();

  public ConsumeQueueTable(Path root, int entriesPerFile) {
    this.root = root;
    this.entriesPerFile = entriesPerFile;
  }

  /** Whether the directory exists at all (a missing one means: rebuild from the log). */
  public boolean existsOnDisk() {
    return Files.isDirectory(root);
  }

  /** Loads every queue found on disk. */
  public void load() throws IOException {
    Files.createDirectories(root);
    try (Stream<Path> topics = Files.list(root)) {
      for (Path topicDir : (Iterable<Path>) topics::iterator) {
        if (!Files.isDirectory(topicDir)) {
          continue;
        }
        try (Stream<Path> ids = Files.list(topicDir)) {
          for (Path idDir : (Iterable<Path>) ids::iterator) {
            String name = idDir.getFileName().toString();
            if (!Files.isDirectory(idDir) || !name.matches("\\d{1,9}")) {
              continue;
            }
            ConsumeQueue q =
                new ConsumeQueue(
                    topicDir.getFileName().toString(),
                    Integer.parseInt(name),
                    idDir,
                    entriesPerFile);
            q.load();
            queues.computeIfAbsent(q.topic(), t -> new ConcurrentHashMap<>()).put(q.queueId(), q);
          }
        }
      }
    }
  }

  /** The queue, or null if it has never had an entry. */
  public ConsumeQueue find(String topic, int queueId) {
    Map<Integer, ConsumeQueue> byId = queues.get(topic);
    return byId == null ? null : byId.get(queueId);
  }

  /** The queue, created (without files yet) if needed. */
  public ConsumeQueue findOrCreate(String topic, int queueId) {
    return queues
        .computeIfAbsent(topic, t -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            queueId,
            id ->
                new ConsumeQueue(
                    topic, id, root.resolve(topic).resolve(Integer.toString(id)), entriesPerFile));
  }

  /** Every queue, in no particular order. */
  public List<ConsumeQueue> all() {
    List<ConsumeQueue> all = new ArrayList<>();
    for (Map<Integer, ConsumeQueue> byId : queues.values()) {
      all.addAll(byId.values());
    }
    return all;
  }

  /** Queue ids of a topic that exist. */
  public List<Integer> queueIds(String topic) {
    Map<Integer, ConsumeQueue> byId = queues.get(topic);
    return byId == null ? List.of() : new ArrayList<>(byId.keySet());
  }

  public void truncateFromPhysical(long physicalEnd) {
    for (ConsumeQueue q : all()) {
      q.truncateFromPhysical(physicalEnd);
    }
  }

  public void flush() {
    for (ConsumeQueue q : all()) {
      q.flush();
    }
  }

  public int deleteBelowPhysical(long minPhysicalOffset) {
    int deleted = 0;
    for (ConsumeQueue q : all()) {
      deleted += q.deleteBelowPhysical(minPhysicalOffset);
    }
    return deleted;
  }

  /**
   * Deletes the files of every queue {@code which} selects (see {@link ConsumeQueue#destroyFiles});
   * returns how many queues had files. Dispatcher thread only ({@link Dispatcher#submit}).
   */
  public int destroyQueues(Predicate<ConsumeQueue> which) {
    int destroyed = 0;
    for (ConsumeQueue q : all()) {
      if (which.test(q) && q.destroyFiles() > 0) {
        destroyed++;
      }
    }
    for (String topic : queues.keySet()) {
      try {
        Files.deleteIfExists(root.resolve(topic));
      } catch (IOException e) {
        // Still holds queues: keep it.
      }
    }
    return destroyed;
  }

  /** Destroys the queues whose entries all point below {@code minPhysicalOffset}. As above. */
  public int destroyExpired(long minPhysicalOffset) {
    return destroyQueues(q -> q.expiredBelow(minPhysicalOffset));
  }

  /** Topics that have at least one consume queue. */
  public Set<String> topics() {
    return Set.copyOf(queues.keySet());
  }

  public void close() {
    for (ConsumeQueue q : all()) {
      q.close();
    }
  }
}
