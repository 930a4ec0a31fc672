package io.wharfmq.broker.exchange;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.wharfmq.service.BindingSpec;
import io.wharfmq.service.ExchangeSpec;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.store.mapped.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The durable topology in {@code config/topology.json} (docs/rabbitmq.md, "Topology"): vhosts other
 * than {@code /}, durable exchanges, durable queues and the bindings between durable ends, written
 * whole and atomically (temp file, fsync, rename, fsync the directory) on every change, as the
 * topic and group files are. {@code transientQueues} names the non-durable and exclusive queues
 * that existed when it was written (absent in older files): a restart deletes what they left
 * behind. Stateless apart from its path; callers serialize writes.
 */
final class TopologyFile {
  static final String FILE_NAME = "topology.json";
  static final int FORMAT = 1;

  /** What the file holds. */
  record Content(
      int format,
      List<String> vhosts,
      List<ExchangeSpec> exchanges,
      List<QueueSpec> queues,
      List<BindingSpec> bindings,
      List<Topology.Key> transientQueues) {}

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path file;

  TopologyFile(Path configDir) {
    this.file = configDir.resolve(FILE_NAME);
  }

  Path path() {
    return file;
  }

  /**
   * The file's content, or null when there is none. A file that does not parse stops the broker:
   * starting without the topology it holds would silently drop exchanges, queues and bindings.
   */
  Content read() throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    Content c;
    try {
      c = JSON.readValue(file.toFile(), Content.class);
    } catch (JacksonException e) {
      throw damaged(e.getOriginalMessage());
    }
    if (c == null || c.format() != FORMAT) {
      throw damaged(c == null ? "empty" : "unknown format " + c.format());
    }
    if (c.vhosts() == null || c.exchanges() == null || c.queues() == null || c.bindings() == null) {
      throw damaged("a section is missing");
    }
    return c;
  }

  void write(Content c) throws IOException {
    Files.createDirectories(file.getParent());
    AtomicFiles.write(file, JSON.writeValueAsBytes(c));
  }

  IOException damaged(String why) {
    return new IOException(
        "The topology file "
            + file.toAbsolutePath()
            + " is damaged ("
            + why
            + "). Restore it from a backup, or move it away to start without the exchanges,"
            + " queues and bindings it held.");
  }
}
