package io.wharfmq.bench.e2e;

/**
 * Times consumed messages against the {@link RunWindow} of the current run (none between runs).
 * Thread-safe: consumers call {@link #consumed} from their listener threads while the main thread
 * switches windows.
 */
final class ConsumeTimer {
  private volatile RunWindow current;

  void measure(RunWindow w) {
    current = w;
  }

  /** One message consumed at {@code nowNanos}; counted if it belongs to the current window. */
  void consumed(byte[] body, long nowNanos) {
    RunWindow w = current;
    if (w == null) {
      return;
    }
    long intended = Stamp.intendedNanos(body);
    if (Stamp.runId(body) == w.runId && w.inWindow(intended)) {
      RunWindow.record(w.endToEnd, nowNanos - intended);
      w.consumed.increment();
      w.lastConsumeNanos = nowNanos;
    }
  }
}
