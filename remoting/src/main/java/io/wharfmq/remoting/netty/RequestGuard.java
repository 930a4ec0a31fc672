package io.wharfmq.remoting.netty;

import io.wharfmq.remoting.protocol.RemotingCommand;

/**
 * Checks every request before its processor runs (authentication and authorization). Runs on the
 * thread the processor would run on. Implementations are thread-safe.
 */
@FunctionalInterface
public interface RequestGuard {
  /**
   * Null to serve the request; else the response that refuses it (the guard has logged why). For a
   * one-way request the refusal is not sent, and the request is dropped.
   */
  RemotingCommand check(RemotingChannel channel, RemotingCommand request);
}
