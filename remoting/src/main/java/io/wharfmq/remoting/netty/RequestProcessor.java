package io.wharfmq.remoting.netty;

import io.wharfmq.remoting.protocol.RemotingCommand;

/**
 * Handles requests of one or more codes. Runs on the executor it was registered with, or on the I/O
 * thread for requests it declares cheap ({@link #runsOnIoThread}). Implementations must be
 * thread-safe.
 */
@FunctionalInterface
public interface RequestProcessor {
  /**
   * Returns the response, or null when there is none now: oneway requests, or requests answered
   * later through {@link RemotingChannel#writeResponse} (long polling).
   */
  RemotingCommand process(RemotingChannel channel, RemotingCommand request) throws Exception;

  /**
   * True when this request can be processed on the connection's I/O thread right away, skipping the
   * registered executor: the processor promises it will not block for it (no disk reads that may
   * miss the page cache, no remote calls, no waiting on locks held for long). Called on the I/O
   * thread for every request, so it must be cheap. The default sends everything to the executor.
   */
  default boolean runsOnIoThread(RemotingCommand request) {
    return false;
  }
}
