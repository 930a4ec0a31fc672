package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Offsets reset to a time while the group consumes (RocketMQ's admin resetOffsetByTimestamp). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BacktrackInteropTest {
  @TempDir Path dir;
  final OfficialClients clients = new OfficialClients();

  @AfterEach
  void stop() {
    clients.close();
  }

  @Test
  void aRunningGroupReplaysFromTheResetTime() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    cluster.startBroker("broker-a");
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    producer.send(new Message("Replay", "T", "old".getBytes(StandardCharsets.UTF_8)));
    long cut = System.currentTimeMillis() + 20;
    Awaitility.await()
        .pollInterval(Duration.ofMillis(10))
        .until(() -> System.currentTimeMillis() > cut + 20);
    for (int i = 0; i < 30; i++) {
      producer.send(new Message("Replay", "T", ("m" + i).getBytes(StandardCharsets.UTF_8)));
    }
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    clients.start(
        clients.pushConsumer(
            cluster.namesrvAddr(),
            "cg-replay",
            "Replay",
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            (msgs, ctx) -> {
              msgs.forEach(
                  m ->
                      seen.computeIfAbsent(
                              new String(m.getBody(), StandardCharsets.UTF_8),
                              k -> new AtomicInteger())
                          .incrementAndGet());
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }));
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 31);

    DefaultMQAdminExt admin = new DefaultMQAdminExt();
    admin.setNamesrvAddr(cluster.namesrvAddr());
    admin.setInstanceName(OfficialClients.unique("admin"));
    admin.start();
    clients.track(admin::shutdown);
    Map<MessageQueue, Long> reset = admin.resetOffsetByTimestamp("Replay", "cg-replay", cut, true);
    assertThat(reset).isNotEmpty();

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
