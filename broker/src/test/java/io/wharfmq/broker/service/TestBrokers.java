package io.wharfmq.broker.service;

import io.wharfmq.broker.BrokerConfig;
import java.nio.file.Path;

/** The configuration of an in-JVM broker the service tests start over a temp dir. */
final class TestBrokers {
  private TestBrokers() {}

  /**
   * A broker on a free 127.0.0.1 port that creates no topic on its own, with {@code queues} queues
   * per new topic and a small store (commit-log segments of {@code segmentMiB} MiB, a small index).
   */
  static BrokerConfig config(Path dir, int queues, int segmentMiB) {
    BrokerConfig config =
        new BrokerConfig(dir)
            .listenPort(0)
            .bindAddress("127.0.0.1")
            .autoCreateTopicEnable(false)
            .defaultTopicQueueNums(queues);
    config
        .store()
        .mappedFileSizeCommitLog(segmentMiB * 1024 * 1024)
        .maxHashSlotNum(256)
        .maxIndexNum(4000);
    return config;
  }
}
