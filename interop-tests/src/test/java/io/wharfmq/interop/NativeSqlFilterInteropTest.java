package io.wharfmq.interop;

import static io.wharfmq.interop.NativeClients.text;
import static io.wharfmq.interop.NativeClients.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.client.ConsumeFrom;
import io.wharfmq.client.ConsumeResult;
import io.wharfmq.client.Message;
import io.wharfmq.client.Producer;
import io.wharfmq.client.PushConsumer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A native push consumer with a SQL92 selector against a real broker: the broker filters by
 * properties (three-valued logic: a message without the property does not match); mirrors {@link
 * SqlFilterInteropTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NativeSqlFilterInteropTest {
  @TempDir Path dir;
  final NativeClients clients = new NativeClients();

  @AfterEach
  void stop() {
    clients.close();
  }

  @Test
  void theBrokerDeliversOnlyMessagesTheSelectorMatches() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.track(cluster);
    cluster.startBroker(cluster.brokerConfig("broker-a"));
    Producer producer = clients.producer(cluster.namesrvAddr());
    String[][] sent = {
      {"eu-big", "eu", "150"},
      {"eu-small", "eu", "20"},
      {"us-big", "us", "500"},
      {"no-region", null, "900"},
      {"eu-between", "eu", "100"}
    };
    for (String[] m : sent) {
      Message.Builder b = Message.builder("Orders").tags("T").body(utf8(m[0]));
      if (m[1] != null) {
        b.property("region", m[1]);
      }
      producer.send(b.property("amount", m[2]).build());
    }
    Set<String> got = ConcurrentHashMap.newKeySet();
    clients.track(
        PushConsumer.builder()
            .namesrvAddr(cluster.namesrvAddr())
            .consumerGroup("cg-native-sql")
            .subscribeSql("Orders", "region = 'eu' AND amount BETWEEN 100 AND 200")
            .consumeFrom(ConsumeFrom.FIRST)
            .listener(
                msgs -> {
                  msgs.forEach(m -> got.add(text(m)));
                  return ConsumeResult.SUCCESS;
                })
            .build());
    Awaitility.await("the matching messages arrive")
        .atMost(Duration.ofSeconds(60))
        .until(() -> got.containsAll(Set.of("eu-big", "eu-between")));
    // A matching message sent now arrives after every queue's first pulls, which would have
    // carried the non-matching ones had the broker not filtered them.
    producer.send(
        Message.builder("Orders")
            .tags("T")
            .body(utf8("eu-last"))
            .property("region", "eu")
            .property("amount", "120")
            .build());
    Awaitility.await("the message sent last arrives")
        .atMost(Duration.ofSeconds(30))
        .until(() -> got.contains("eu-last"));
    assertThat(got).containsExactlyInAnyOrder("eu-big", "eu-between", "eu-last");
  }
}
