package io.wharfmq.amqp.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SubscriptionNameTest {
  @Test
  void subscriptionNamesDropQpidJmsSuffixes() {
    assertThat(AmqpLinkAttacher.subscriptionName("sub|global2")).isEqualTo("sub");
    assertThat(AmqpLinkAttacher.subscriptionName("sub|volatile1")).isEqualTo("sub");
    assertThat(AmqpLinkAttacher.subscriptionName("sub")).isEqualTo("sub");
  }
}
