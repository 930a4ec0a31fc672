package io.wharfmq.bench.e2e;

/**
 * The sending side of one run: one producer of one client library, shared by the run's sender
 * threads. Thread-safe.
 */
interface BenchProducer extends AutoCloseable {
  /** Called once per asynchronous send, on a client thread. */
  @FunctionalInterface
  interface Done {
    void done(boolean stored);
  }

  /**
   * Sends and waits for the broker's answer; true if the message was stored (SEND_OK). The body may
   * be reused once this returns.
   */
  boolean send(byte[] body) throws InterruptedException;

  /**
   * Sends without waiting; {@code done} learns the outcome exactly once. The body must not be
   * changed afterwards (the clients send the array as is).
   */
  void sendAsync(byte[] body, Done done);

  @Override
  void close();
}
