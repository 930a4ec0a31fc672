package io.wharfmq.service.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.service.PropertiesText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TypedPropertiesTest {

  @Test
  void textFormListsNamesAndTypesInOrder() {
    String text =
        TypedProperties.encode(
            List.of(
                new TypedProperties.Entry("count", PropertyType.INT),
                new TypedProperties.Entry("a:b", PropertyType.STRING),
                new TypedProperties.Entry("", PropertyType.NULL)));
    assertThat(text).isEqualTo("I5:countS3:a:bN0:");
    assertThat(TypedProperties.decode(text))
        .containsExactly(
            new TypedProperties.Entry("count", PropertyType.INT),
            new TypedProperties.Entry("a:b", PropertyType.STRING),
            new TypedProperties.Entry("", PropertyType.NULL));
  }

  @Test
  void malformedTextIsRefused() {
    for (String bad : List.of("I", "I5", "I9:count", "Q1:a", "Ix:a", "I-1:a")) {
      assertThatThrownBy(() -> TypedProperties.decode(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void everyJmsTypeSurvivesTheRecordText() {
    Map<String, Object> app = new LinkedHashMap<>();
    app.put("s", "x");
    app.put("e", "");
    app.put("n", null);
    app.put("z", false);
    app.put("b", (byte) 1);
    app.put("h", (short) -2);
    app.put("i", Integer.MAX_VALUE);
    app.put("l", Long.MIN_VALUE);
    app.put("f", 0.1f);
    app.put("d", Double.MIN_VALUE);
    app.put("c", 'ü');
    app.put("u", UUID.randomUUID());
    app.put("KEYS", "an application property, not RocketMQ's keys");
    Map<String, String> stored = new LinkedHashMap<>();
    stored.put("KEYS", "k1 k2");
    TypedProperties.write(app, stored);

    // through RocketMQ's properties text, as a record keeps them
    Map<String, String> back = PropertiesText.decode(PropertiesText.encode(stored));
    Map<String, Object> read = TypedProperties.read(back);

    assertThat(read.keySet()).containsExactlyElementsOf(app.keySet());
    assertThat(read).isEqualTo(app);
    assertThat(back).containsEntry("KEYS", "k1 k2").containsEntry("i", "2147483647");
  }

  @Test
  void unlistedUserPropertiesAreStrings() {
    Map<String, String> rocketMq = new LinkedHashMap<>();
    rocketMq.put("TAGS", "t");
    rocketMq.put("UNIQ_KEY", "ABC");
    rocketMq.put("region", "eu");
    rocketMq.put("WHARF_EXPIRES_AT", "1");
    assertThat(TypedProperties.read(rocketMq)).containsExactly(Map.entry("region", "eu"));
  }

  @Test
  void textsThatDoNotParseAsTheirTypeAreRefused() {
    assertThatThrownBy(() -> PropertyType.INT.toJava("ten"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("int");
    assertThatThrownBy(() -> PropertyType.UBYTE.toJava("256"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PropertyType.BOOLEAN.toJava("yes"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PropertyType.ofCode('?')).isInstanceOf(IllegalArgumentException.class);
  }
}
