package io.wharfmq.remoting.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.remoting.protocol.body.MessageQueue;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FastjsonTextTest {
  record Offsets(long brokerOffset, long consumerOffset) {}

  @Test
  void queueKeyedTablesAreWrittenAndReadBack() {
    Map<MessageQueue, Offsets> table = new LinkedHashMap<>();
    table.put(new MessageQueue("T", "b", 0), new Offsets(5, 3));
    table.put(new MessageQueue("T \"q\"", "b", 1), new Offsets(7, 7));
    byte[] body = FastjsonText.withQueueTable("offsetTable", table, Map.of("consumeTps", 1.5));
    assertThat(new String(body, StandardCharsets.UTF_8))
        .startsWith(
            "{\"offsetTable\":{{\"brokerName\":\"b\",\"queueId\":0,\"topic\":\"T\"}:"
                + "{\"brokerOffset\":5,\"consumerOffset\":3}");
    Map<?, ?> parsed = (Map<?, ?>) FastjsonText.parse(body);
    assertThat(FastjsonText.number(parsed.get("consumeTps")).doubleValue()).isEqualTo(1.5);
    Map<MessageQueue, Long> lag =
        FastjsonText.queueTable(
            parsed.get("offsetTable"),
            v ->
                FastjsonText.number(v.get("brokerOffset")).longValue()
                    - FastjsonText.number(v.get("consumerOffset")).longValue());
    assertThat(lag)
        .containsExactly(
            Map.entry(new MessageQueue("T", "b", 0), 2L),
            Map.entry(new MessageQueue("T \"q\"", "b", 1), 0L));
  }

  @Test
  void rocketMqsOwnOutputParsesAndGarbageIsRefused() {
    String fromRocketMq =
        "{\"consumeTps\":0.0,\"offsetTable\":{{\"brokerName\":\"broker-a\",\"queueId\":3,"
            + "\"topic\":\"TopicTest\"}:{\"brokerOffset\":250,\"consumerOffset\":250,"
            + "\"lastTimestamp\":1700000000000,\"pullOffset\":250}},\"ok\":[true,null,\"\\u0041\"]}";
    Map<?, ?> parsed =
        (Map<?, ?>) FastjsonText.parse(fromRocketMq.getBytes(StandardCharsets.UTF_8));
    assertThat(FastjsonText.queueTable(parsed.get("offsetTable"), v -> v.get("pullOffset")))
        .containsKey(new MessageQueue("TopicTest", "broker-a", 3));
    assertThat(parsed.get("ok")).isEqualTo(java.util.Arrays.asList(true, null, "A"));
    for (String bad :
        new String[] {"{", "{\"a\":}", "{\"a\":1} x", "[1,", "\"abc", "{\"a\":nope}"}) {
      assertThatThrownBy(() -> FastjsonText.parse(bad.getBytes(StandardCharsets.UTF_8)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void randomAndMutatedTextOnlyEverFailsAsIllegalArgument() {
    long seed = System.nanoTime();
    java.util.Random random = new java.util.Random(seed);
    byte[] valid =
        FastjsonText.withQueueTable(
            "offsetTable", Map.of(new MessageQueue("T", "b", 0), new Offsets(1, 2)), Map.of());
    String alphabet = "{}[]:,\"\\u0123456789abcdeftrunl-.eE ";
    for (int i = 0; i < 20_000; i++) {
      byte[] input;
      if (i % 2 == 0) {
        input = valid.clone();
        for (int k = random.nextInt(4); k >= 0; k--) {
          input[random.nextInt(input.length)] =
              (byte) alphabet.charAt(random.nextInt(alphabet.length()));
        }
      } else {
        StringBuilder sb = new StringBuilder();
        for (int k = random.nextInt(40); k > 0; k--) {
          sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        input = sb.toString().getBytes(StandardCharsets.UTF_8);
      }
      try {
        FastjsonText.parse(input);
      } catch (IllegalArgumentException expected) {
        // the only way bad text may fail
      } catch (RuntimeException e) {
        throw new AssertionError(
            "seed " + seed + ": " + new String(input, StandardCharsets.UTF_8), e);
      }
    }
    String deep = "[".repeat(100_000);
    assertThatThrownBy(() -> FastjsonText.parse(deep.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nested deeper");
  }
}
