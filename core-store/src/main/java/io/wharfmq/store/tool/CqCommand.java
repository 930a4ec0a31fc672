package io.wharfmq.store.tool;

import io.wharfmq.store.queue.ConsumeQueueEntry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cq}: prints the written entries of one consume queue. Single-threaded. */
@Command(
    name = "cq",
    mixinStandardHelpOptions = true,
    description = "Prints consume-queue entries of one queue.")
final class CqCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dir", required = true, description = "Data directory (storePathRootDir).")
  Path dir;

  @Option(names = "--topic", required = true)
  String topic;

  @Option(names = "--queue", required = true, description = "Queue id.")
  int queueId;

  @Option(names = "--from", defaultValue = "0", description = "First logical offset.")
  long from;

  @Option(
      names = "--limit",
      defaultValue = "" + Long.MAX_VALUE,
      description = "Print at most this many entries.")
  long limit;

  @Override
  public Integer call() throws Exception {
    StoreDirectory store = StoreDirectory.open(dir);
    Path queueDir = store.queueDir(topic, queueId);
    if (!Files.isDirectory(queueDir)) {
      throw new ToolFailure("No consume queue " + topic + "/" + queueId + " (" + queueDir + ")");
    }
    PrintWriter out = spec.commandLine().getOut();
    long printed = 0;
    long unwritten = 0;
    for (ConsumeQueueFiles.QueueFile file : ConsumeQueueFiles.open(queueDir).files()) {
      int first = (int) Math.max(0, Math.min(file.entries(), from - file.firstEntry()));
      for (int i = first; i < file.entries() && printed < limit; i++) {
        ConsumeQueueEntry e = file.entry(i);
        if (!ConsumeQueueFiles.isWritten(e)) {
          unwritten++;
          continue;
        }
        if (unwritten > 0) {
          out.println("(" + unwritten + " unwritten entries before " + e.queueOffset() + ")");
          unwritten = 0;
        }
        out.println(
            "queueOffset="
                + e.queueOffset()
                + " phyOffset="
                + e.physicalOffset()
                + " size="
                + e.size()
                + " tagsCode="
                + e.tagsCode());
        printed++;
      }
    }
    out.println(printed + " entries printed");
    out.flush();
    return StoreTool.OK;
  }
}
