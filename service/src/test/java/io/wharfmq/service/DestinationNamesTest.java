package io.wharfmq.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DestinationNamesTest {
  private static final String LEGAL = "[%|a-zA-Z0-9_-]{1,127}";

  @Test
  void plainNamesAreTheirOwnTopic() {
    assertThat(DestinationNames.topic("/", "orders_2-x")).isEqualTo("orders_2-x");
  }

  @Test
  void otherNamesAreEscapedReversiblyIntoLegalTopics() {
    for (String name : new String[] {"orders.eu", "a/b", "a|b", "50%", "名前", "x y", "%DLQ%g"}) {
      String topic = DestinationNames.topic("/", name);
      assertThat(topic).matches(LEGAL).doesNotContain("|");
      assertThat(DestinationNames.destination("/", topic)).isEqualTo(name);
    }
    assertThat(DestinationNames.topic("/", "orders.eu/é")).isEqualTo("orders%2Eeu%2F%C3%A9");
    assertThat(DestinationNames.topic("/", "a.b")).isNotEqualTo(DestinationNames.topic("/", "a_b"));
  }

  @Test
  void longNamesAreShortenedToADistinctLegalTopic() {
    String a = "q".repeat(200);
    String b = "q".repeat(199) + "r";
    assertThat(DestinationNames.topic("/", a)).matches(LEGAL).contains("%%");
    assertThat(DestinationNames.topic("/", a)).isNotEqualTo(DestinationNames.topic("/", b));
    assertThat(DestinationNames.destination("/", DestinationNames.topic("/", a))).isNull();
    String dotted = "d.".repeat(60);
    assertThat(DestinationNames.topic("/", dotted)).matches(LEGAL);
  }

  @Test
  void vhostsPrefixTopicsAndGroups() {
    assertThat(DestinationNames.topic("sales", "q")).isEqualTo("sales|q");
    assertThat(DestinationNames.topic("a.b", "q")).isEqualTo("a%2Eb|q");
    assertThat(DestinationNames.destination("sales", "sales|q")).isEqualTo("q");
    assertThat(DestinationNames.durableGroup("sales", "cid", "sub"))
        .isEqualTo("sales|amqp-sub|ccid|sub");
    assertThat(DestinationNames.durableGroup("/", null, "sub")).isEqualTo("amqp-sub|global|sub");
    assertThat(DestinationNames.durableGroup("/", "ID:x.y", "s.1")).matches("[%|a-zA-Z0-9_-]+");
  }

  @Test
  void vhostNamesAreAnyTextWithoutControlCharacters() {
    for (String ok :
        new String[] {"/", "sales", "my vhost", "/staging", "a|b", "名前", "x".repeat(64)}) {
      assertThat(DestinationNames.vhostProblem(ok)).as(ok).isNull();
    }
    assertThat(DestinationNames.vhostProblem("")).contains("empty");
    assertThat(DestinationNames.vhostProblem(null)).contains("empty");
    assertThat(DestinationNames.vhostProblem("x".repeat(65))).contains("at most 64");
    assertThat(DestinationNames.vhostProblem("a\r\nb")).contains("control characters");
    assertThat(DestinationNames.vhostProblem("a\u0000")).contains("U+0000");
  }

  @Test
  void aQueueTopicTellsItsVhostAndNameAndNoTwoVhostsShareATopic() {
    String[] vhosts = {"/", "sales", "a|b", "sales|x", "my vhost", "amqp-queue"};
    java.util.Set<String> topics = new java.util.HashSet<>();
    for (String v : vhosts) {
      for (String q : new String[] {"orders", "x|orders", "a b", "sales"}) {
        String topic = DestinationNames.topic(v, q);
        assertThat(topics.add(topic)).as(v + " " + q).isTrue();
        assertThat(DestinationNames.vhostAndName(topic)).containsExactly(v, q);
      }
    }
    assertThat(DestinationNames.vhostAndName(DestinationNames.topic("v", "x".repeat(200))))
        .isNull();
  }
}
