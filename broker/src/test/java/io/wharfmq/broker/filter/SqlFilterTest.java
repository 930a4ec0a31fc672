package io.wharfmq.broker.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SqlFilterTest {
  static boolean m(String selector, Map<String, String> props) {
    return SqlFilter.parse(selector).matches(props);
  }

  @Test
  void comparisonsArithmeticAndTypedProperties() {
    Map<String, String> p = Map.of("a", "10", "price", "2.5", "color", "red", "vip", "true");
    assertThat(m("a > 5", p)).isTrue();
    assertThat(m("a + 1 = 11 AND price * 2 = 5", p)).isTrue();
    assertThat(m("a BETWEEN 3 AND 9", p)).isFalse();
    assertThat(m("a NOT BETWEEN 3 AND 9", p)).isTrue();
    assertThat(m("color IN ('red', 'blue')", p)).isTrue();
    assertThat(m("color NOT IN ('red', 'blue')", p)).isFalse();
    assertThat(m("vip = TRUE", p)).isTrue();
  }

  @Test
  void likeWithEscapeAndNulls() {
    Map<String, String> p = Map.of("code", "A_1%", "name", "wharf");
    assertThat(m("name LIKE 'wh%'", p)).isTrue();
    assertThat(m("name LIKE 'w_arf'", p)).isTrue();
    assertThat(m("code LIKE 'A!_1!%' ESCAPE '!'", p)).isTrue();
    assertThat(m("code LIKE 'AB1%' ESCAPE '!'", p)).isFalse();
    assertThat(m("missing IS NULL", p)).isTrue();
    assertThat(m("name IS NOT NULL", p)).isTrue();
  }

  @Test
  void threeValuedLogic() {
    Map<String, String> p = Map.of("a", "1");
    // missing > 1 is UNKNOWN: neither it nor its negation matches; OR TRUE rescues, AND FALSE
    // sinks.
    assertThat(m("missing > 1", p)).isFalse();
    assertThat(m("NOT (missing > 1)", p)).isFalse();
    assertThat(m("missing > 1 OR a = 1", p)).isTrue();
    assertThat(m("missing > 1 AND a = 1", p)).isFalse();
  }

  @Test
  void badExpressionsAreRejectedWithTheReason() {
    assertThatThrownBy(() -> SqlFilter.parse("a >"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot parse");
    assertThatThrownBy(() -> SqlFilter.parse(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
