package io.wharfmq.amqp.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.service.message.DeathHistory;
import io.wharfmq.service.message.ReservedProperties;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A dead-lettered record goes out with RabbitMQ 4's annotations: x-opt-deaths (array of maps with
 * the AMQP types RabbitMQ uses) and x-first-death-* / x-last-death-*, and is not a first acquirer.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DeathAnnotationsTest {

  @Test
  void deathHistoryGoesOutAsRabbitMqAnnotations() {
    List<DeathHistory.Death> h =
        DeathHistory.record(List.of(), "work", "expired", "ex,1", List.of("k", ""), 500L, 1000);
    h = DeathHistory.record(h, "retry|q", "rejected", "", List.of("retry|q"), null, 2000);
    h = DeathHistory.record(h, "work", "expired", "other", List.of("z"), 700L, 3000);
    Map<String, String> props = new LinkedHashMap<>();
    props.put(ReservedProperties.DEATHS, DeathHistory.encode(h));
    props.put(
        ReservedProperties.FIRST_DEATH,
        DeathHistory.encodeEvent(new DeathHistory.Event("work", "expired", "ex,1")));
    props.put(
        ReservedProperties.LAST_DEATH,
        DeathHistory.encodeEvent(new DeathHistory.Event("work", "expired", "other")));
    props.put(ReservedProperties.TAGS, "k");

    byte[] out =
        AmqpMessageCodec.encode(
            StoredRecord.rocketMq("x".getBytes(StandardCharsets.UTF_8), props, 1));
    Message m = Message.Factory.create();
    m.decode(out, 0, out.length);
    Map<Symbol, Object> ma = m.getMessageAnnotations().getValue();

    Object[] deaths = (Object[]) ma.get(Symbol.valueOf("x-opt-deaths"));
    assertThat(deaths).hasSize(2);
    @SuppressWarnings("unchecked")
    Map<Symbol, Object> latest = (Map<Symbol, Object>) deaths[0];
    assertThat(latest)
        .containsEntry(Symbol.valueOf("queue"), "work")
        .containsEntry(Symbol.valueOf("reason"), Symbol.valueOf("expired"))
        .containsEntry(Symbol.valueOf("count"), UnsignedLong.valueOf(2))
        .containsEntry(Symbol.valueOf("first-time"), new Date(1000))
        .containsEntry(Symbol.valueOf("last-time"), new Date(3000))
        .containsEntry(Symbol.valueOf("exchange"), "ex,1")
        .containsEntry(Symbol.valueOf("ttl"), UnsignedInteger.valueOf(500));
    assertThat((Object[]) latest.get(Symbol.valueOf("routing-keys"))).containsExactly("k", "");
    @SuppressWarnings("unchecked")
    Map<Symbol, Object> older = (Map<Symbol, Object>) deaths[1];
    assertThat(older)
        .containsEntry(Symbol.valueOf("queue"), "retry|q")
        .containsEntry(Symbol.valueOf("reason"), Symbol.valueOf("rejected"))
        .containsEntry(Symbol.valueOf("count"), UnsignedLong.valueOf(1))
        .doesNotContainKey(Symbol.valueOf("ttl"));
    assertThat(ma)
        .containsEntry(Symbol.valueOf("x-first-death-queue"), "work")
        .containsEntry(Symbol.valueOf("x-first-death-reason"), "expired")
        .containsEntry(Symbol.valueOf("x-first-death-exchange"), "ex,1")
        .containsEntry(Symbol.valueOf("x-last-death-queue"), "work")
        .containsEntry(Symbol.valueOf("x-last-death-exchange"), "other")
        .containsEntry(AmqpMessageCodec.TAGS_ANNOTATION, "k");
    assertThat(m.isFirstAcquirer()).isFalse();
  }

  @Test
  void aDamagedHistoryIsLeftOutAndTheMessageStillGoesOut() {
    Map<String, String> props = new LinkedHashMap<>();
    props.put(ReservedProperties.DEATHS, "not,a,history");
    byte[] out =
        AmqpMessageCodec.encode(
            StoredRecord.rocketMq("x".getBytes(StandardCharsets.UTF_8), props, 1));
    Message m = Message.Factory.create();
    m.decode(out, 0, out.length);
    assertThat(m.getMessageAnnotations().getValue())
        .doesNotContainKey(Symbol.valueOf("x-opt-deaths"));
  }
}
