package io.wharfmq.remoting.netty;

import io.wharfmq.remoting.protocol.RemotingCommand;

/**
 * Handles requests of one or more codes. Runs on the executor it was registered with.
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface RequestProcessor {
  /**
   * Returns the response, or null when there is none now: oneway requests, or requests answered
   * later through {@link RemotingChannel#writeResponse} (long polling).
   */
  RemotingCommand process(RemotingChannel channel, RemotingCommand request) throws Exception;
}
