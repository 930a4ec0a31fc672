package io.wharfmq.amqp.transport;

import io.wharfmq.security.Action;
import io.wharfmq.security.Resource;
import io.wharfmq.security.Verdict;
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

  /**
   * May this connection's user (its guest's, when anonymous) do {@code action} to {@code resource}?
   * Always yes while access control is off. A refusal is logged (rate-limited) with the peer, the
   * user and the reason, which also goes into the AMQP error for the peer. Callable from any thread
   * once the connection is open (the /management node asks on the service's threads).
   */
  default Verdict authorize(Resource resource, Action action) {
    return Verdict.allow("access control off");
  }

  /** The peer's address, for log lines. */
  String peer();

  /** A key unique to this connection within the listener (temporary destinations use it). */
  String connectionId();

  MessagingService service();

  /** Runs the task on the connection's thread and then flushes the engine's output. */
  Executor executor();

  /** Runs when the connection ends, however it ends, on the connection's thread. */
  void onClose(Runnable action);

  /**
   * Whether the connection takes more output now. False while the peer has not read what was
   * written to it (the socket's write buffer is over amqpWriteBufferHighWaterMark) or while message
   * bytes waiting in the engine reach that mark: a link then sends nothing new and takes no new
   * messages until {@link #whenWritable} calls it back (docs/amqp.md, "Back-pressure"). A session
   * without back-pressure is always writable.
   */
  default boolean writable() {
    return true;
  }

  /**
   * Runs {@code action} once on the connection's thread when it is {@link #writable()} again (never
   * if the connection ends first). Call it after {@link #writable()} answered false.
   */
  default void whenWritable(Runnable action) {
    executor().execute(action);
  }
}
