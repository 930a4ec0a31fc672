package io.wharfmq.bench.e2e;

/**
 * What one column of the table measures: a client library against a broker, on its own topic with
 * its own consumer (so two targets on one broker never consume each other's messages). The official
 * client signs its requests when the broker's kind has access control on ({@link BenchSecurity}).
 *
 * @param name "wharf" (official client on Wharf), "rocketmq" (official client on Apache RocketMQ),
 *     either with "-acl" (the same on a broker with access control on), or "native" (Wharf's native
 *     client on Wharf)
 */
record Target(
    String name,
    BrokerProcess broker,
    boolean nativeClient,
    String topic,
    ConsumeTimer timer,
    BenchConsumer consumer) {

  /** A producer of this target's client library for one run. */
  BenchProducer producer(String runName) throws Exception {
    return nativeClient
        ? new NativeProducer(broker.namesrvAddr, topic, runName)
        : new OfficialProducer(
            broker.namesrvAddr, topic, runName, BenchSecurity.of(broker.kind).clientHook());
  }
}
