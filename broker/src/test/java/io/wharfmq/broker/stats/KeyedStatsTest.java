package io.wharfmq.broker.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class KeyedStatsTest {
  private static final long MINUTE = 60_000;
  private static final long HOUR = 60 * MINUTE;

  @Test
  void sumsAndRatesOverTheLastMinuteHourAndDay() {
    KeyedStats stats = new KeyedStats();
    long t0 = 1_700_000_000_000L;
    assertThat(stats.snapshot("T", t0)).isNull();
    stats.add("T", 30, t0);
    // Younger than a minute: every window covers the key's whole life.
    KeyedStats.Snapshot young = stats.snapshot("T", t0 + 30_000);
    assertThat(young.statsMinute().sum()).isEqualTo(30);
    assertThat(young.statsMinute().tps()).isCloseTo(1.0, within(1e-9));
    assertThat(young.statsDay().sum()).isEqualTo(30);

    // 10 messages every 10 s for two hours, sampled as the broker's housekeeping does.
    long now = t0;
    for (int i = 1; i <= 720; i++) {
      now = t0 + i * 10_000L;
      stats.add("T", 10, now);
      stats.sample(now);
    }
    KeyedStats.Snapshot s = stats.snapshot("T", now);
    assertThat(s.statsMinute().sum()).isEqualTo(60);
    assertThat(s.statsMinute().tps()).isCloseTo(1.0, within(1e-9));
    assertThat(s.statsHour().sum()).isEqualTo(3600);
    assertThat(s.statsHour().tps()).isCloseTo(1.0, within(1e-9));
    // The day window reaches back to the start: everything counted.
    assertThat(s.statsDay().sum()).isEqualTo(30 + 7200);
    assertThat(now - t0).isEqualTo(2 * HOUR);

    // Quiet for a minute and a bit: the minute is empty, the hour still counts.
    now += MINUTE + 10_000;
    stats.sample(now);
    KeyedStats.Snapshot quiet = stats.snapshot("T", now);
    assertThat(quiet.statsMinute().sum()).isZero();
    assertThat(quiet.statsHour().sum()).isPositive();
    assertThat(stats.snapshot("U", now)).isNull();
  }
}
