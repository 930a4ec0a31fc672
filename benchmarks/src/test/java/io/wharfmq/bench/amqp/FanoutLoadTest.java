package io.wharfmq.bench.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness of bin/bench-amqp's fan-out mode against a real Wharf process, with one short run:
 * the topology is declared through the {@code /management} node, every queue's consumer gets every
 * message of the window exactly once, and the figures it divides exist (device and process writes
 * read from {@code /sys} and {@code /proc}). Figures themselves are never asserted. RabbitMQ's
 * column is left to the benchmark: its node takes longer to start than this test may take.
 */
class FanoutLoadTest {
  @TempDir Path dir;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void everyQueueGetsEveryMessageOnceAndTheBrokersWritesAreRead() throws Exception {
    try (WharfBroker wharf = WharfBroker.start(dir, "SYNC_FLUSH")) {
      FanoutLoad.Result r =
          FanoutLoad.run(
              wharf,
              new FanoutLoad.Spec(3, 2, 1024, Duration.ofMillis(300), Duration.ofSeconds(1)));

      assertThat(r.failed()).as("send failures: %s", r.firstError()).isZero();
      assertThat(r.published()).isPositive();
      assertThat(r.publishedPerSec()).isEqualTo(r.published() / 1.0);
      assertThat(r.fewestPerQueue())
          .as("the window's messages at the emptiest queue")
          .isEqualTo(r.published());
      assertThat(r.mostPerQueue()).as("no queue got a message twice").isEqualTo(r.published());
      assertThat(r.deliveredPerSec()).isPositive();
      assertThat(r.writeBytes()).as("write_bytes of the broker process").isPositive();
      assertThat(r.writeBytesPerMessage()).isEqualTo((double) r.writeBytes() / r.published());
      assertThat(r.notes()).contains("writers: ");
      if (DiskWrites.deviceStat(wharf.dataDir()) != null) {
        // The synced sends reached the data directory's device during the window.
        assertThat(r.deviceBytes()).isPositive();
        assertThat(r.bytesPerMessage()).isEqualTo((double) r.deviceBytes() / r.published());
      }
      assertThat(r.notes()).doesNotContain("a queue got");
    }
  }
}
