package io.wharfmq.bench.e2e;

/**
 * A name server and one broker running in this JVM, reachable on 127.0.0.1. Started by {@link
 * BrokerHost} in a child JVM; used from its main thread only.
 */
interface HostedBroker {
  /** "127.0.0.1:port" of the name server. */
  String namesrvAddr();

  /** "127.0.0.1:port" of the broker. */
  String brokerAddr();

  /** Stops broker and name server. */
  void shutdown() throws Exception;
}
