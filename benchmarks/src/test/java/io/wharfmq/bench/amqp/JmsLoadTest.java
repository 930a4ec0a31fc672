package io.wharfmq.bench.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness of bin/bench-amqp against real brokers in child processes, with short runs: what it
 * counts adds up (every message of the window sent, consumed once, timed), an open loop sends
 * exactly its rate, and a broker that cannot run here is reported instead of failing the run.
 * Figures themselves are never asserted.
 */
class JmsLoadTest {
  @TempDir Path dir;

  private static final Duration WARMUP = Duration.ofMillis(500);
  private static final Duration MEASURE = Duration.ofSeconds(2);

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void artemisBlockingAndAsynchronousRunsCountEveryMessage() throws Exception {
    try (ArtemisBroker artemis = ArtemisBroker.start(dir, true)) {
      assertThat(artemis.durability()).contains("journal");
      checkRuns(artemis);
      checkCompletionListenerRun(JmsClients.artemisCore(artemis));
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void rabbitMqRunsCountEveryMessage() throws Exception {
    assumeTrue(
        RabbitMqBroker.installed(), "rabbitmq-server not installed (bin/install-bench-deps)");
    try (RabbitMqBroker rabbit = RabbitMqBroker.start(dir)) {
      checkRuns(rabbit);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void wharfRunsOrSaysWhyNot() throws Exception {
    WharfBroker wharf;
    try {
      wharf = WharfBroker.start(dir, "SYNC_FLUSH");
    } catch (WharfBroker.NotAvailableException e) {
      // Until the launcher serves AMQP queues: the table's Wharf column says so.
      assertThat(e).hasMessageContaining("AMQP listener");
      return;
    }
    try (wharf) {
      checkRuns(wharf);
      checkCompletionListenerRun(JmsClients.wharfProvider(wharf));
    }
  }

  /**
   * bin/bench-jms' asynchronous sends: with a CompletionListener every answer comes back (no permit
   * is lost) and every message of the window is consumed; 1 s at 50/s keeps it short.
   */
  private static void checkCompletionListenerRun(JmsTarget target) throws Exception {
    assertThat(target.completionListenerSends()).isTrue();
    JmsLoad.Result async =
        JmsLoad.run(
            target,
            new JmsLoad.Spec(1, 50, true, 1024, Duration.ofMillis(200), Duration.ofSeconds(1)));
    assertThat(async.failed()).as("send failures: %s", async.firstError()).isZero();
    assertThat(async.sentPerSec()).isBetween(49.0, 51.0);
    assertThat(async.notConsumed()).isZero();
  }

  private static void checkRuns(AmqpBroker broker) throws Exception {
    JmsLoad.Result blocking =
        JmsLoad.run(broker, new JmsLoad.Spec(2, 0, false, 1024, WARMUP, MEASURE));
    assertThat(blocking.failed()).as("send failures: %s", blocking.firstError()).isZero();
    assertThat(blocking.sentPerSec()).isPositive();
    assertThat(blocking.notConsumed()).isZero();
    assertThat(blocking.p50Ms()).isPositive();
    assertThat(blocking.p99Ms()).isGreaterThanOrEqualTo(blocking.p50Ms());
    assertThat(blocking.sendP50Ms()).isPositive();

    // 2 producers at 25/s each: 100 messages are due in the 2 s window, whatever the broker's
    // speed.
    JmsLoad.Result open =
        JmsLoad.run(broker, new JmsLoad.Spec(2, 50, false, 1024, WARMUP, MEASURE));
    assertThat(open.failed()).isZero();
    assertThat(open.skipped()).isZero();
    assertThat(open.sentPerSec() * MEASURE.toSeconds()).isBetween(99.0, 101.0);
    assertThat(open.notConsumed()).isZero();

    JmsLoad.Result async =
        JmsLoad.run(broker, new JmsLoad.Spec(1, 200, true, 1024, WARMUP, MEASURE));
    assertThat(async.failed()).isZero();
    assertThat(async.consumedPerSec()).isPositive();
    assertThat(async.rate()).isEqualTo(async.consumedPerSec());
  }
}
