package io.wharfmq.store.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DispatchTargetsTest {
  @Test
  void encodesZeroOffsetsAndParsesTheTargetsBack() {
    String value =
        DispatchTargets.encode(
            List.of(new DispatchTargets.Queue("%v%q|a-1", 3), new DispatchTargets.Queue("b_", 0)));
    assertThat(value).isEqualTo("%v%q|a-1:3:" + "0".repeat(20) + ",b_:0:" + "0".repeat(20));
    assertThat(DispatchTargets.parse(value))
        .containsExactly(
            new DispatchTargets.Target("%v%q|a-1", 3, 0, 11),
            new DispatchTargets.Target("b_", 0, 0, 37));
    assertThat(value.length())
        .isEqualTo(
            DispatchTargets.encodedLength("%v%q|a-1", 3)
                + 1
                + DispatchTargets.encodedLength("b_", 0));
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    DispatchTargets.writeOffset(bytes, 37, 1234567890123L);
    assertThat(
            DispatchTargets.parse(new String(bytes, StandardCharsets.US_ASCII))
                .get(1)
                .queueOffset())
        .isEqualTo(1234567890123L);
  }

  @Test
  void refusesMalformedLists() {
    for (String bad :
        List.of(
            "",
            "a:0:0",
            "a:0:" + "0".repeat(20) + ",",
            ":0:" + "0".repeat(20),
            "a::" + "0".repeat(20),
            "a:x:" + "0".repeat(20),
            "a:0:" + "0".repeat(19) + "x",
            "a:0" + "0".repeat(20),
            "a:99999999999:" + "0".repeat(20),
            "..:0:" + "0".repeat(20),
            "a/b:0:" + "0".repeat(20))) {
      assertThatThrownBy(() -> DispatchTargets.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> DispatchTargets.encode(List.of(new DispatchTargets.Queue("a,b", 0))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                DispatchTargets.encode(
                    List.of(new DispatchTargets.Queue("a", 0), new DispatchTargets.Queue("a", 0))))
        .hasMessageContaining("twice");
  }

  @Test
  void theEncoderLocatesEveryTargetsDigitsAfterNonAsciiProperties() {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("note", "grüße €");
    props.put(
        MessageProperties.DISPATCH,
        DispatchTargets.encode(
            List.of(new DispatchTargets.Queue("q1", 0), new DispatchTargets.Queue("q2", 5))));
    MessageEncoder.EncodedRecord r =
        MessageEncoder.encode(
            MessageToStore.of("ex", 0, new byte[] {1}, MessageProperties.encode(props), 1L), 1024);
    assertThat(r.dispatch())
        .extracting(MessageEncoder.DispatchSlot::topic)
        .containsExactly("q1", "q2");
    for (int i = 0; i < r.dispatch().length; i++) {
      DispatchTargets.writeOffset(r.bytes(), r.dispatch()[i].digitsAt(), 40 + i);
    }
    StoredMessage m = StoredMessage.decode(ByteBuffer.wrap(r.bytes()), 0);
    assertThat(DispatchTargets.parse(m.propertyMap().get(MessageProperties.DISPATCH)))
        .extracting(DispatchTargets.Target::queueOffset)
        .containsExactly(40L, 41L);
    assertThat(m.propertyMap()).containsEntry("note", "grüße €");
  }

  @Test
  void aTargetListOverThePropertiesLimitOrMalformedIsRefused() {
    List<DispatchTargets.Queue> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add(new DispatchTargets.Queue("queue-number-" + i, 0));
    }
    String tooLong =
        MessageProperties.encode(Map.of(MessageProperties.DISPATCH, DispatchTargets.encode(many)));
    assertThatThrownBy(
            () -> MessageEncoder.encode(MessageToStore.of("ex", 0, new byte[0], tooLong, 1L), 1024))
        .isInstanceOf(MessageEncoder.EncodeException.class)
        .hasMessageContaining("limit 32767")
        .hasMessageContaining("split")
        .extracting(e -> ((MessageEncoder.EncodeException) e).check())
        .isEqualTo(MessageEncoder.Check.PROPERTIES_TOO_LARGE);
    String bad = MessageProperties.encode(Map.of(MessageProperties.DISPATCH, "q1:0:12"));
    assertThatThrownBy(
            () -> MessageEncoder.encode(MessageToStore.of("ex", 0, new byte[0], bad, 1L), 1024))
        .isInstanceOf(MessageEncoder.EncodeException.class)
        .extracting(e -> ((MessageEncoder.EncodeException) e).check())
        .isEqualTo(MessageEncoder.Check.DISPATCH_INVALID);
  }
}
