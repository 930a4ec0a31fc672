package io.wharfmq.broker.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TopicAttributesTest {
  @Test
  void appliesRocketMqsChangeList() throws Exception {
    Map<String, String> created =
        TopicAttributes.apply(true, Map.of(), "+message.type=FIFO,+queue.type=SimpleCQ");
    assertThat(created).isEqualTo(Map.of("message.type", "FIFO", "queue.type", "SimpleCQ"));
    Map<String, String> changed =
        TopicAttributes.apply(false, created, "+message.type=NORMAL,+reserve.time=48");
    assertThat(changed)
        .isEqualTo(
            Map.of("message.type", "NORMAL", "queue.type", "SimpleCQ", "reserve.time", "48"));
    assertThat(TopicAttributes.apply(false, changed, "-reserve.time"))
        .doesNotContainKey("reserve.time");
    assertThat(TopicAttributes.apply(false, changed, "")).isEqualTo(changed);
    assertThat(TopicAttributes.apply(false, changed, null)).isEqualTo(changed);
  }

  @Test
  void refusesWhatRocketMqRefusesAndWhatWharfCannotDo() {
    assertRefused(true, Map.of(), "message.type=FIFO", "wrong format key");
    assertRefused(true, Map.of(), "+message.type", "add/alter attribute format is wrong");
    assertRefused(true, Map.of(), "-message.type", "only add attribute is supported");
    assertRefused(false, Map.of(), "-message.type", "attempt to delete a nonexistent key");
    assertRefused(
        true, Map.of(), "+message.type=FIFO,+message.type=NORMAL", "alter duplication key");
    assertRefused(true, Map.of(), "+message.type=MIXED", "MIXED message type is not supported.");
    assertRefused(true, Map.of(), "+message.type=LOUD", "value is not in set");
    assertRefused(true, Map.of(), "+queue.type=BatchCQ", "not supported by Wharf");
    assertRefused(true, Map.of(), "+cleanup.policy=COMPACTION", "not supported by Wharf");
    assertRefused(
        false,
        Map.of("cleanup.policy", "DELETE"),
        "+cleanup.policy=DELETE",
        "attempt to update an unchangeable attribute");
    assertRefused(true, Map.of(), "+reserve.time=soon", "reserve.time is not a number");
    assertRefused(true, Map.of(), "+colour=blue", "unsupported key: colour");
  }

  private static void assertRefused(
      boolean creating, Map<String, String> current, String change, String message) {
    assertThatThrownBy(() -> TopicAttributes.apply(creating, current, change))
        .isInstanceOf(TopicAttributes.InvalidAttributesException.class)
        .hasMessageContaining(message);
  }
}
