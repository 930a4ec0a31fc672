package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Orderly consumption with the official client and broker queue locks: 10,000 messages over 100
 * sharding keys, three orderly consumers joining and leaving mid-stream.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OrderlyInteropTest {
  @TempDir Path dir;
  final OfficialClients clients = new OfficialClients();
  final Map<String, Integer> maxSeen = new ConcurrentHashMap<>();
  final Set<String> consumed = ConcurrentHashMap.newKeySet();
  final List<String> violations = new ArrayList<>();
  final AtomicInteger deliveries = new AtomicInteger();

  @AfterEach
  void stop() {
    clients.close();
  }

  DefaultMQPushConsumer orderly(String namesrv) throws Exception {
    DefaultMQPushConsumer c = new DefaultMQPushConsumer("cg-orderly");
    c.setNamesrvAddr(namesrv);
    c.setInstanceName(OfficialClients.unique("orderly"));
    c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    c.subscribe("Ordered", "*");
    c.registerMessageListener(
        (MessageListenerOrderly)
            (msgs, ctx) -> {
              for (MessageExt m : msgs) {
                String[] kv = new String(m.getBody(), StandardCharsets.UTF_8).split(":");
                int seq = Integer.parseInt(kv[1]);
                synchronized (violations) {
                  int before = maxSeen.getOrDefault(kv[0], -1);
                  // Redelivery of earlier messages after a rebalance is allowed (at least once);
                  // skipping ahead of one not yet consumed is an order violation.
                  if (seq > before + 1) {
                    violations.add(kv[0] + ": " + seq + " after " + before);
                  }
                  maxSeen.put(kv[0], Math.max(before, seq));
                }
                consumed.add(kv[0] + ":" + seq);
                deliveries.incrementAndGet();
              }
              return ConsumeOrderlyStatus.SUCCESS;
            });
    c.start();
    return c;
  }

  @Test
  void perKeyOrderHoldsWhileConsumersJoinAndLeave() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    // 10,000 selector sends, which the client never retries: on a loaded CI machine one of them can
    // wait past the default 200 ms in the send queue and get SYSTEM_BUSY, which is not what this
    // test is about.
    cluster.startBroker(cluster.brokerConfig("broker-a").waitTimeMillsInSendQueue(5_000));
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    int keys = 100;
    int perKey = 100;
    DefaultMQPushConsumer a = orderly(cluster.namesrvAddr());
    clients.track(a::shutdown);
    List<DefaultMQPushConsumer> joined = new ArrayList<>();
    for (int seq = 0; seq < perKey; seq++) {
      for (int k = 0; k < keys; k++) {
        String key = "k" + k;
        producer.send(
            new Message("Ordered", "T", (key + ":" + seq).getBytes(StandardCharsets.UTF_8)),
            (mqs, msg, arg) -> mqs.get(Math.floorMod(arg.hashCode(), mqs.size())),
            key);
      }
      if (seq == 20 || seq == 50) {
        DefaultMQPushConsumer c = orderly(cluster.namesrvAddr());
        clients.track(c::shutdown);
        joined.add(c);
      }
      if (seq == 75) {
        a.shutdown(); // leaves mid-stream: unlocks its queues
      }
    }
    Awaitility.await("all 10,000 consumed")
        .atMost(Duration.ofSeconds(240))
        .until(() -> consumed.size() == keys * perKey);
    synchronized (violations) {
      assertThat(violations).isEmpty();
    }
    assertThat(joined).hasSize(2);
    assertThat(deliveries.get()).isGreaterThanOrEqualTo(keys * perKey);
  }
}
