package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SQL92 property filters with the official client: evaluated on the broker. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SqlFilterInteropTest {
  @TempDir Path dir;
  final OfficialClients clients = new OfficialClients();

  @AfterEach
  void stop() {
    clients.close();
  }

  @Test
  void onlyMessagesMatchingTheSelectorAreDelivered() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    cluster.startBroker("broker-a");
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    for (int i = 0; i < 20; i++) {
      Message m = new Message("Shop", "T", ("m" + i).getBytes(StandardCharsets.UTF_8));
      m.putUserProperty("a", Integer.toString(i));
      m.putUserProperty("color", i % 2 == 0 ? "red" : "blue");
      producer.send(m);
    }
    Set<String> got = ConcurrentHashMap.newKeySet();
    DefaultMQPushConsumer c = new DefaultMQPushConsumer("cg-sql");
    c.setNamesrvAddr(cluster.namesrvAddr());
    c.setInstanceName(OfficialClients.unique("sql"));
    c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    c.subscribe("Shop", MessageSelector.bySql("a BETWEEN 4 AND 11 AND color = 'red'"));
    c.registerMessageListener(
        (MessageListenerConcurrently)
            (msgs, ctx) -> {
              msgs.forEach(m -> got.add(new String(m.getBody(), StandardCharsets.UTF_8)));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    clients.start(c);
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> got.size() >= 4);
    // Let any wrongly delivered message arrive before judging.
    Awaitility.await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
    assertThat(got).containsExactlyInAnyOrder("m4", "m6", "m8", "m10");
  }

  @Test
  void aSelectorThatDoesNotParseFailsTheConsumerStart() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    cluster.startBroker("broker-a");
    clients
        .producer(cluster.namesrvAddr())
        .send(new Message("Shop", "T", "x".getBytes(StandardCharsets.UTF_8)));
    DefaultMQPushConsumer c = new DefaultMQPushConsumer("cg-bad-sql");
    c.setNamesrvAddr(cluster.namesrvAddr());
    c.setInstanceName(OfficialClients.unique("sql"));
    c.subscribe("Shop", MessageSelector.bySql("a >"));
    c.registerMessageListener(
        (MessageListenerConcurrently) (msgs, ctx) -> ConsumeConcurrentlyStatus.CONSUME_SUCCESS);
    clients.track(c::shutdown);
    assertThatThrownBy(c::start).hasMessageContaining("a >");
  }
}
