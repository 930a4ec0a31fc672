package io.wharfmq.remoting.netty;

import io.wharfmq.remoting.protocol.RemotingCommand;

/**
 * Checks every request before its processor runs (authentication and authorization). Runs on the
 * thread the processor would run on. Implementations are thread-safe.
 */
@FunctionalInterface
public interface RequestGuard {
  /** A refused request: the response to send, after {@code delayMillis} (slowing down guessers). */
  record Refusal(RemotingCommand response, long delayMillis) {}

  /**
   * Null to serve the request; else the refusal (the guard has logged why). For a one-way request
   * nothing is sent, and the request is dropped.
   */
  Refusal check(RemotingChannel channel, RemotingCommand request);
}
