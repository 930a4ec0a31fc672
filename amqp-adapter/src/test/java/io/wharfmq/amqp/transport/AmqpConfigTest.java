package io.wharfmq.amqp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The checks of the open-timeout, write-buffer and producer-flow keys, each problem naming its key.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AmqpConfigTest {
  @Test
  void defaultsAreValid() {
    AmqpConfig c = new AmqpConfig();
    assertThat(c.problems()).isEmpty();
    assertThat(c.amqpOpenTimeoutMs()).isEqualTo(10_000);
    assertThat(c.amqpWriteBufferHighWaterMark()).isEqualTo(128 * 1024);
    assertThat(c.amqpWriteBufferLowWaterMark()).isEqualTo(32 * 1024);
  }

  @Test
  void openTimeoutIsOffOrAtLeastOneSecond() {
    assertThat(new AmqpConfig().amqpOpenTimeoutMs(0).problems()).isEmpty();
    assertThat(new AmqpConfig().amqpOpenTimeoutMs(1000).problems()).isEmpty();
    assertThat(new AmqpConfig().amqpOpenTimeoutMs(999).problems())
        .singleElement()
        .asString()
        .contains("amqpOpenTimeoutMs must be 0 (off) or at least 1000 ms, is 999");
    assertThat(new AmqpConfig().amqpOpenTimeoutMs(-1).problems()).hasSize(1);
  }

  @Test
  void waterMarksAreOrderedAndNotTiny() {
    assertThat(
            new AmqpConfig()
                .amqpWriteBufferLowWaterMark(4096)
                .amqpWriteBufferHighWaterMark(4096)
                .problems())
        .isEmpty();
    assertThat(new AmqpConfig().amqpWriteBufferLowWaterMark(512).problems())
        .singleElement()
        .asString()
        .contains("amqpWriteBufferLowWaterMark must be at least 1024 bytes, is 512");
    assertThat(new AmqpConfig().amqpWriteBufferHighWaterMark(16 * 1024).problems())
        .singleElement()
        .asString()
        .contains(
            "amqpWriteBufferHighWaterMark (16384) must be at least amqpWriteBufferLowWaterMark");
  }

  @Test
  void producerFlowHighMarkIsOffOrAtLeastOneHundred() {
    assertThat(new AmqpConfig().amqpProducerFlowHighMark()).isEqualTo(10_000);
    assertThat(new AmqpConfig().amqpProducerFlowHighMark(0).problems()).isEmpty();
    assertThat(new AmqpConfig().amqpProducerFlowHighMark(100).problems()).isEmpty();
    assertThat(new AmqpConfig().amqpProducerFlowHighMark(99).problems())
        .singleElement()
        .asString()
        .contains("amqpProducerFlowHighMark must be 0 (off) or at least 100 messages, is 99");
    assertThat(new AmqpConfig().amqpProducerFlowHighMark(-1).problems()).hasSize(1);
  }
}
