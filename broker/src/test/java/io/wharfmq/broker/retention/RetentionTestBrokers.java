package io.wharfmq.broker.retention;

import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.PropertiesText;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/** What the broker's retention tests share: a small broker whose rounds the test runs. */
final class RetentionTestBrokers {
  /** Commit-log segment size of the test brokers. */
  static final int SEGMENT = 64 * 1024;

  private RetentionTestBrokers() {}

  /**
   * A broker on {@code dir} with 64 KiB segments, listening on a free port, whose retention runs
   * only when the test calls it (and never at the delete hour).
   */
  static BrokerConfig config(Path dir, long nowMillis) {
    int hour = Instant.ofEpochMilli(nowMillis).atZone(ZoneId.systemDefault()).getHour();
    BrokerConfig config = new BrokerConfig(dir).listenPort(0).bindAddress("127.0.0.1");
    config
        .store()
        .mappedFileSizeCommitLog(SEGMENT)
        .maxMessageSize(16 * 1024)
        .maxHashSlotNum(256)
        .maxIndexNum(4000)
        .consumeQueueEntriesPerFile(100)
        .flushIntervalCommitLog(10)
        .flushCommitLogThoroughInterval(10)
        .cleanResourceInterval(3_600_000) // the test runs the rounds
        .deleteWhen((hour + 12) % 24);
    return config;
  }

  /** Sends one message of about 2 KiB whose body starts with {@code name} and a dash. */
  static SendResult send(
      MessagingService service,
      String topic,
      String name,
      Map<String, String> properties,
      long bornMillis) {
    byte[] bytes = (name + "-" + "x".repeat(2000)).getBytes(StandardCharsets.UTF_8);
    return service
        .send(
            new SendCommand(
                topic,
                -1,
                List.of(
                    new OutgoingMessage(
                        bytes, 0, PropertiesText.encode(properties), bornMillis, 0)),
                false,
                0,
                new InetSocketAddress("127.0.0.1", 40000),
                true,
                -1))
        .join();
  }
}
