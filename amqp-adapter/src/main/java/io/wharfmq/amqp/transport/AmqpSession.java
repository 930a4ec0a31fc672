package io.wharfmq.amqp.transport;

import io.wharfmq.service.MessagingService;
import java.util.concurrent.Executor;

/**
 * What link code may know about its connection: who the peer is, the service, and the one thread
 * that owns the connection's proton-j engine. Every link event arrives on that thread; work that
 * completes elsewhere (a service future) must come back through {@link #executor()}, after which
 * the transport writes whatever the engine produced.
 */
public interface AmqpSession {
  /** The peer's container-id from its open frame. */
  String containerId();

  /** The vhost from the open hostname ({@code vhost:NAME}), "/" by default. */
  String vhost();

  /** The authenticated user, or null for an anonymous peer. */
  String user();

  /** The peer's address, for log lines. */
  String peer();

  /** A key unique to this connection within the listener (temporary destinations use it). */
  String connectionId();

  MessagingService service();

  /** Runs the task on the connection's thread and then flushes the engine's output. */
  Executor executor();

  /** Runs when the connection ends, however it ends, on the connection's thread. */
  void onClose(Runnable action);
}
