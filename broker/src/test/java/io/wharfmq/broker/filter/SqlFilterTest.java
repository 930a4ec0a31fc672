package io.wharfmq.broker.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.service.message.ReservedProperties;
import io.wharfmq.service.message.TypedProperties;
import java.util.LinkedHashMap;
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

  /** Record properties as an AMQP or JMS door stores them (docs/mapping.md). */
  static Map<String, String> jmsMessage() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(ReservedProperties.SECTIONS, "HPA");
    p.put(ReservedProperties.PRIORITY, "7");
    p.put(ReservedProperties.DURABLE, "true");
    p.put(ReservedProperties.MESSAGE_ID, "ID:producer-1:1");
    p.put(ReservedProperties.CORRELATION_ID, "order-42");
    p.put(ReservedProperties.SUBJECT, "OrderCreated");
    p.put(ReservedProperties.CREATION_TIME, "1780000000000");
    p.put(ReservedProperties.EXPIRES_AT, "1780000060000");
    p.put(ReservedProperties.GROUP_ID, "g1");
    p.put(ReservedProperties.GROUP_SEQUENCE, "3");
    p.put(ReservedProperties.TAGS, "TagA");
    Map<String, Object> app = new LinkedHashMap<>();
    app.put("count", 10);
    app.put("digits", "10");
    app.put("price", 2.5d);
    app.put("ratio", 0.5f);
    app.put("small", (short) 3);
    app.put("tiny", (byte) -1);
    app.put("big", 1L << 40);
    app.put("vip", true);
    app.put("initial", 'w');
    app.put("note", null);
    app.put("TAGS", "shadowed"); // an application property named like RocketMQ's tag
    TypedProperties.write(app, p);
    return p;
  }

  @Test
  void jmsHeadersReadTheReservedProperties() {
    Map<String, String> p = jmsMessage();
    assertThat(m("JMSPriority > 5", p)).isTrue();
    assertThat(m("JMSPriority = 7", p)).isTrue();
    assertThat(m("JMSMessageID = 'ID:producer-1:1'", p)).isTrue();
    assertThat(m("JMSCorrelationID = 'order-42'", p)).isTrue();
    assertThat(m("JMSType = 'OrderCreated'", p)).isTrue();
    assertThat(m("JMSTimestamp > 1779999999999", p)).isTrue();
    assertThat(m("JMSDeliveryMode = 'PERSISTENT'", p)).isTrue();
    assertThat(m("JMSExpiration = 1780000060000", p)).isTrue();
    assertThat(m("JMSXGroupID = 'g1' AND JMSXGroupSeq = 3", p)).isTrue();

    Map<String, String> bare = new LinkedHashMap<>(Map.of(ReservedProperties.SECTIONS, ""));
    assertThat(m("JMSPriority = 4", bare)).as("the AMQP default priority").isTrue();
    assertThat(m("JMSDeliveryMode = 'NON_PERSISTENT'", bare)).isTrue();
    assertThat(m("JMSExpiration = 0", bare)).isTrue();
    assertThat(m("JMSType IS NULL", bare)).isTrue();
  }

  @Test
  void jmsMessageIdsAsQpidJmsShowsThem() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(ReservedProperties.SECTIONS, "P");
    p.put(ReservedProperties.MESSAGE_ID, "no-prefix");
    assertThat(m("JMSMessageID = 'ID:AMQP_NO_PREFIX:no-prefix'", p)).isTrue();
    p.put(ReservedProperties.MESSAGE_ID, "42");
    p.put(ReservedProperties.MESSAGE_ID_TYPE, "l");
    assertThat(m("JMSMessageID = 'ID:AMQP_ULONG:42'", p)).isTrue();
    p.put(ReservedProperties.MESSAGE_ID, "yv4="); // binary CA FE
    p.put(ReservedProperties.MESSAGE_ID_TYPE, "X");
    assertThat(m("JMSMessageID = 'ID:AMQP_BINARY:CAFE'", p)).isTrue();
    // a RocketMQ producer's message: its client message id
    Map<String, String> rocketMq = Map.of("UNIQ_KEY", "7F00000100002A9F");
    assertThat(m("JMSMessageID = 'ID:AMQP_NO_PREFIX:7F00000100002A9F'", rocketMq)).isTrue();
    assertThat(m("JMSDeliveryMode = 'PERSISTENT'", rocketMq)).isTrue();
  }

  @Test
  void typedApplicationPropertiesCompareAsTheirType() {
    Map<String, String> p = jmsMessage();
    assertThat(p).containsEntry("count", "10"); // what a RocketMQ consumer sees
    assertThat(m("count > 5", p)).isTrue();
    assertThat(m("count = 10", p)).isTrue();
    assertThat(m("count + 1 = 11", p)).isTrue();
    assertThat(m("count BETWEEN 11 AND 20", p)).isFalse();
    // an int is not a string, and a string that reads as a number stays a string for equality
    assertThat(m("count = '10'", p)).isFalse();
    assertThat(m("digits = '10'", p)).isTrue();
    assertThat(m("price * 2 = 5", p)).isTrue();
    assertThat(m("ratio < 1", p)).isTrue();
    assertThat(m("small = 3 AND tiny = -1", p)).isTrue();
    assertThat(m("big = 1099511627776", p)).isTrue();
    assertThat(m("vip = TRUE", p)).isTrue();
    assertThat(m("vip", p)).isTrue();
    assertThat(m("initial = 'w'", p)).isTrue();
    assertThat(m("note IS NULL", p)).isTrue();
    assertThat(m("missing IS NULL", p)).isTrue();
    // the application property TAGS and RocketMQ's tag are two things
    assertThat(m("TAGS = 'shadowed'", p)).isTrue();
    assertThat(p).containsEntry("TAGS", "TagA");
  }

  @Test
  void rocketMqSystemPropertiesStaySelectable() {
    Map<String, String> p = Map.of("TAGS", "TagA", "KEYS", "k1", "a", "10");
    assertThat(m("TAGS IN ('TagA', 'TagB')", p)).isTrue();
    assertThat(m("a > 5", p)).isTrue();
  }
}
