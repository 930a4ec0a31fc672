package io.wharfmq.broker.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class KeyedStatsTest {
  private static final long MINUTE = 60_000;

  /** A clock the test moves by hand. */
  private static final class ManualClock implements InstantSource {
    long now;

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now);
    }
  }

  @Test
  void windowsCountWhatArrivedInsideThemAndShowNewCountsAtOnce() {
    ManualClock clock = new ManualClock();
    KeyedStats stats = new KeyedStats(clock);
    long t = 1_000_000;
    clock.now = t;
    stats.stored("T", 5);
    KeyedStats.Snapshot first = stats.snapshot(KeyedStats.TOPIC_PUT_NUMS, "T", t + 10_000);
    assertThat(first.minute().sum()).isEqualTo(5);
    assertThat(first.minute().tps()).isEqualTo(0.5);
    assertThat(first.day().sum()).isEqualTo(5);

    // Sample every 10 s for 2 minutes while 1 message a sample arrives.
    for (int i = 1; i <= 12; i++) {
      clock.now = t + i * 10_000L;
      stats.stored("T", 1);
      stats.sample(t + i * 10_000L);
    }
    long now = t + 120_000;
    KeyedStats.Snapshot s = stats.snapshot(KeyedStats.TOPIC_PUT_NUMS, "T", now);
    assertThat(s.minute().sum()).isEqualTo(6); // samples at 60 s..120 s: 6 messages after the first
    assertThat(s.minute().tps()).isEqualTo(0.1);
    assertThat(s.hour().sum()).isEqualTo(17);
    assertThat(s.day().sum()).isEqualTo(17);

    // Two hours later, without traffic: the minute and hour windows are empty, the day is not.
    for (long at = now + MINUTE; at <= now + 120 * MINUTE; at += MINUTE) {
      stats.sample(at);
    }
    KeyedStats.Snapshot later = stats.snapshot(KeyedStats.TOPIC_PUT_NUMS, "T", now + 120 * MINUTE);
    assertThat(later.minute().sum()).isZero();
    assertThat(later.hour().sum()).isZero();
    assertThat(later.day().sum()).isEqualTo(17);
  }

  @Test
  void groupsAreKeyedByTopicAtGroupAndUnknownKeysHaveNoStats() {
    KeyedStats stats = new KeyedStats(new ManualClock());
    stats.delivered("T", "g1", 3);
    stats.delivered("T", "g2", 1);
    stats.delivered("U", "g1", 2);
    assertThat(stats.snapshot(KeyedStats.GROUP_GET_NUMS, "T@g1", 1000).day().sum()).isEqualTo(3);
    assertThat(stats.snapshot(KeyedStats.GROUP_GET_NUMS, "U@g1", 1000).day().sum()).isEqualTo(2);
    assertThat(stats.snapshot(KeyedStats.GROUP_GET_NUMS, "T@g3", 1000)).isNull();
    assertThat(stats.snapshot(KeyedStats.GROUP_GET_NUMS, "Tg1", 1000)).isNull();
    assertThat(stats.snapshot(KeyedStats.TOPIC_PUT_NUMS, "T", 1000)).isNull();
    assertThat(stats.snapshot("SNDBCK_PUT_NUMS", "T", 1000)).isNull();
  }
}
