package io.wharfmq.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailureThrottleTest {
  @Test
  void repeatedFailuresFromOneAddressWaitLongerAndAreForgottenLater() {
    AtomicLong now = new AtomicLong(1_000_000);
    InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    FailureThrottle t = new FailureThrottle(clock, 2, 100, 1_000, 60_000);
    assertThat(t.failed("10.0.0.1")).isZero();
    assertThat(t.failed("10.0.0.1")).isZero();
    assertThat(t.failed("10.0.0.1")).isEqualTo(100);
    assertThat(t.failed("10.0.0.1")).isEqualTo(200);
    assertThat(t.failed("10.0.0.1")).isEqualTo(400);
    assertThat(t.failed("10.0.0.1")).isEqualTo(800);
    assertThat(t.failed("10.0.0.1")).isEqualTo(1_000);
    assertThat(t.failed("10.0.0.2")).as("another address is not slowed").isZero();
    now.addAndGet(60_001);
    assertThat(t.failures("10.0.0.1")).isZero();
    assertThat(t.failed("10.0.0.1")).isZero();
  }
}
