package io.wharfmq.amqp.transport;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warnings a peer can cause (bad frames, protocol violations), one line each naming the peer, at
 * most {@link #PER_WINDOW} lines in each window of {@link #WINDOW_MILLIS}: a peer flooding garbage
 * cannot flood the log. The next line let through says how many were held back. Thread-safe.
 */
final class PeerLog {
  private static final Logger log = LoggerFactory.getLogger("io.wharfmq.amqp.transport.BadInput");

  static final int PER_WINDOW = 50;
  static final long WINDOW_MILLIS = 10_000;

  private final LongSupplier clock;
  private long windowStart;
  private int logged;
  private long suppressed;

  PeerLog(LongSupplier clock) {
    this.clock = clock;
    this.windowStart = clock.getAsLong();
  }

  /** Logs "AMQP peer PEER: MESSAGE" at WARN unless the window's budget is spent. */
  void warn(String peer, String message) {
    long held;
    synchronized (this) {
      long now = clock.getAsLong();
      if (now - windowStart >= WINDOW_MILLIS) {
        windowStart = now;
        logged = 0;
      }
      if (logged >= PER_WINDOW) {
        suppressed++;
        return;
      }
      logged++;
      held = suppressed;
      suppressed = 0;
    }
    if (held > 0) {
      log.warn("AMQP peer {}: {} ({} more such lines held back)", peer, message, held);
    } else {
      log.warn("AMQP peer {}: {}", peer, message);
    }
  }
}
