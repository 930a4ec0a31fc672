package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.client.ConsumeFrom;
import io.wharfmq.client.LitePullConsumer;
import io.wharfmq.client.MessageQueue;
import io.wharfmq.client.MessageView;
import io.wharfmq.client.Producer;
import io.wharfmq.client.PushConsumer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;

/** Wharf's native clients for interop tests; closes what it made in reverse order. */
final class NativeClients implements AutoCloseable {
  private final List<AutoCloseable> open = new ArrayList<>();

  <T extends AutoCloseable> T track(T c) {
    open.add(c);
    return c;
  }

  Producer producer(String namesrv) {
    return track(
        Producer.builder()
            .namesrvAddr(namesrv)
            .producerGroup(OfficialClients.unique("native-pg"))
            .build());
  }

  /** A clustering push consumer builder reading from the first offset. */
  static PushConsumer.Builder push(String namesrv, String group, String topic) {
    return PushConsumer.builder()
        .namesrvAddr(namesrv)
        .consumerGroup(group)
        .subscribe(topic, "*")
        .consumeFrom(ConsumeFrom.FIRST);
  }

  static String text(MessageView m) {
    return new String(m.body(), StandardCharsets.UTF_8);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The bodies of a dead-letter queue, read with a native lite pull consumer once it exists. */
  List<String> deadLetters(String namesrv, String group, String brokerName, int count) {
    LitePullConsumer dlq =
        track(
            LitePullConsumer.builder()
                .namesrvAddr(namesrv)
                .consumerGroup(OfficialClients.unique("dlq-reader"))
                .build());
    String topic = "%DLQ%" + group;
    MessageQueue q = new MessageQueue(topic, brokerName, 0);
    Awaitility.await("the DLQ of " + group + " is routed")
        .atMost(Duration.ofSeconds(30))
        .until(() -> dlq.fetchQueues(topic).contains(q));
    dlq.assign(List.of(q));
    dlq.seek(q, 0);
    List<String> got = new ArrayList<>();
    Awaitility.await(count + " dead letters")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              dlq.poll(Duration.ofMillis(200)).forEach(m -> got.add(text(m)));
              return got.size() >= count;
            });
    assertThat(got).hasSize(count);
    return got;
  }

  @Override
  public void close() {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    open.clear();
  }
}
