package io.wharfmq.interop;

import static io.wharfmq.interop.NativeClients.push;
import static io.wharfmq.interop.NativeClients.text;
import static io.wharfmq.interop.NativeClients.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.client.ConsumeResult;
import io.wharfmq.client.Message;
import io.wharfmq.client.Producer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running native push consumer replays from a time when an operator resets its group's offsets
 * (RocketMQ's admin resetOffsetByTimestamp: the broker tells the members with
 * RESET_CONSUMER_CLIENT_OFFSET); mirrors {@link BacktrackInteropTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NativeBacktrackInteropTest {
  @TempDir Path dir;
  final NativeClients clients = new NativeClients();

  @AfterEach
  void stop() {
    clients.close();
  }

  @Test
  void aRunningNativeConsumerReplaysFromTheResetTime() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.track(cluster);
    cluster.startBroker("broker-a");
    Producer producer = clients.producer(cluster.namesrvAddr());
    producer.send(Message.builder("Replay").tags("T").body(utf8("old")).build());
    long cut = System.currentTimeMillis() + 20;
    Awaitility.await()
        .pollInterval(Duration.ofMillis(10))
        .until(() -> System.currentTimeMillis() > cut + 20);
    for (int i = 0; i < 30; i++) {
      producer.send(Message.builder("Replay").tags("T").body(utf8("m" + i)).build());
    }
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    clients.track(
        push(cluster.namesrvAddr(), "cg-native-replay", "Replay")
            .listener(
                msgs -> {
                  msgs.forEach(
                      m ->
                          seen.computeIfAbsent(text(m), k -> new AtomicInteger())
                              .incrementAndGet());
                  return ConsumeResult.SUCCESS;
                })
            .build());
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 31);

    DefaultMQAdminExt admin = new DefaultMQAdminExt();
    admin.setNamesrvAddr(cluster.namesrvAddr());
    admin.setInstanceName(OfficialClients.unique("admin"));
    admin.start();
    try {
      assertThat(admin.resetOffsetByTimestamp("Replay", "cg-native-replay", cut, true))
          .isNotEmpty();
    } finally {
      admin.shutdown();
    }

    Awaitility.await("every message after the cut consumed a second time")
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              for (int i = 0; i < 30; i++) {
                assertThat(seen.get("m" + i)).as("m" + i).hasValueGreaterThanOrEqualTo(2);
              }
            });
    assertThat(seen.get("old")).hasValue(1);
  }
}
