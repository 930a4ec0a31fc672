package io.wharfmq.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.wharfmq.remoting.protocol.RemotingJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Broadcasting offsets, kept in a local JSON file per group ({@code <dir>/<group>.json}, keys
 * "topic@broker@queueId"), written atomically: temp file, fsync, rename, fsync the directory.
 * Thread-safe.
 */
final class LocalOffsetStore implements OffsetStore {
  private final Path file;
  private final Map<MessageQueue, Long> offsets = new ConcurrentHashMap<>();
  private final Map<MessageQueue, Long> stored = new ConcurrentHashMap<>();

  LocalOffsetStore(Path dir, String group) {
    this.file = dir.resolve(group + ".json");
    load();
  }

  /** The default directory: ~/.wharf/offsets/<clientId>. */
  static Path defaultDir(String clientId) {
    return Path.of(
        System.getProperty("user.home"), ".wharf", "offsets", clientId.replace(':', '_'));
  }

  private void load() {
    if (!Files.exists(file)) {
      return;
    }
    try {
      Map<String, Long> table =
          RemotingJson.mapper().readValue(file.toFile(), new TypeReference<Map<String, Long>>() {});
      for (Map.Entry<String, Long> e : table.entrySet()) {
        String[] parts = e.getKey().split("@");
        if (parts.length == 3) {
          MessageQueue mq = new MessageQueue(parts[0], parts[1], Integer.parseInt(parts[2]));
          stored.put(mq, e.getValue());
          offsets.put(mq, e.getValue());
        }
      }
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("Cannot read consumer offsets from " + file + ": " + e, e);
    }
  }

  @Override
  public long readStored(MessageQueue mq, boolean zeroIfNotFound) {
    return stored.getOrDefault(mq, -1L);
  }

  @Override
  public long read(MessageQueue mq) {
    return offsets.getOrDefault(mq, -1L);
  }

  @Override
  public void update(MessageQueue mq, long offset) {
    offsets.put(mq, offset);
  }

  @Override
  public synchronized void persist(Collection<MessageQueue> queues, boolean sync) {
    Map<String, Long> table = new TreeMap<>();
    offsets.forEach(
        (mq, o) -> table.put(mq.topic() + "@" + mq.brokerName() + "@" + mq.queueId(), o));
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, RemotingJson.encode(table));
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      } catch (IOException e) {
        // Some platforms cannot open directories; the rename is still atomic there.
      }
      offsets.forEach(stored::put);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write consumer offsets to " + file, e);
    }
  }

  @Override
  public void remove(MessageQueue mq) {
    // Kept: a broadcasting member that gets the queue back resumes where it was.
  }
}
