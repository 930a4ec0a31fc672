package io.wharfmq.namesrv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NamesrvConfigTest {
  @Test
  void defaultsAreRocketMqsAndValid() {
    NamesrvConfig c = new NamesrvConfig();
    assertThat(c.problems()).isEmpty();
    assertThat(c.listenPort()).isEqualTo(9876);
    assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(c.brokerExpiryMillis()).isEqualTo(120_000);
    assertThat(c.scanIntervalMillis()).isEqualTo(10_000);
    assertThat(c.maxFrameLength()).isEqualTo(16 * 1024 * 1024);
  }

  @Test
  void everyProblemIsListedByKey() {
    NamesrvConfig c =
        new NamesrvConfig()
            .listenPort(70000)
            .bindAddress(" ")
            .brokerExpiryMillis(5)
            .scanIntervalMillis(0)
            .maxFrameLength(10)
            .serverChannelMaxIdleTimeSeconds(0)
            .defaultThreadPoolNums(0)
            .defaultThreadPoolQueueCapacity(0);
    assertThat(c.problems())
        .hasSize(8)
        .anyMatch(p -> p.startsWith("listenPort"))
        .anyMatch(p -> p.startsWith("bindAddress"))
        .anyMatch(p -> p.startsWith("brokerExpiryMillis"))
        .anyMatch(p -> p.startsWith("scanIntervalMillis"))
        .anyMatch(p -> p.startsWith("maxFrameLength"))
        .anyMatch(p -> p.startsWith("serverChannelMaxIdleTimeSeconds"))
        .anyMatch(p -> p.startsWith("defaultThreadPoolNums"))
        .anyMatch(p -> p.startsWith("defaultThreadPoolQueueCapacity"));
    assertThatThrownBy(c::validate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("listenPort")
        .hasMessageContaining("defaultThreadPoolQueueCapacity");
  }

  @Test
  void scanIntervalLongerThanExpiryIsRejected() {
    NamesrvConfig c = new NamesrvConfig().brokerExpiryMillis(5000).scanIntervalMillis(6000);
    assertThat(c.problems()).singleElement().asString().contains("scanIntervalMillis");
  }
}
