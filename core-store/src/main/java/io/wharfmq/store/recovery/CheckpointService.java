package io.wharfmq.store.recovery;

import io.wharfmq.store.PeriodicAgent;
import io.wharfmq.store.commitlog.CommitLog;
import io.wharfmq.store.index.IndexService;
import io.wharfmq.store.queue.ConsumeQueueTable;
import io.wharfmq.store.queue.Dispatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;

/**
 * Periodically flushes consume queues and index and records in the checkpoint how far they and the
 * commit log are on disk ({@code wharf-checkpoint}). Recovery after a crash starts from there. Runs
 * on its agent thread, or on the closing thread for the final checkpoint.
 */
public final class CheckpointService extends PeriodicAgent {
  private final Path root;
  private final InstantSource clock;
  private final CommitLog commitLog;
  private final ConsumeQueueTable queues;
  private final IndexService index;
  private final Dispatcher dispatcher;
  private Checkpoint last;

  public CheckpointService(
      Path root,
      long intervalMs,
      InstantSource clock,
      CommitLog commitLog,
      ConsumeQueueTable queues,
      IndexService index,
      Dispatcher dispatcher) {
    super("wharf-checkpoint", intervalMs);
    this.root = root;
    this.clock = clock;
    this.commitLog = commitLog;
    this.queues = queues;
    this.index = index;
    this.dispatcher = dispatcher;
  }

  @Override
  protected void doWork() throws IOException {
    // Read the dispatch position before flushing: everything below it is then surely on disk.
    long dispatched = dispatcher.dispatchedOffset();
    queues.flush();
    index.flush();
    long flushed = commitLog.flushedOffset();
    if (last != null
        && last.commitLogFlushedOffset() == flushed
        && last.dispatchedOffset() == dispatched) {
      return;
    }
    Checkpoint cp = new Checkpoint(flushed, dispatched, clock.millis());
    cp.write(root);
    last = cp;
  }
}
