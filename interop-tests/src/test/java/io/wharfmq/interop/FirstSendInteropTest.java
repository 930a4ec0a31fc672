package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.store.StoreConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 4: the first send to each new topic of a fresh broker, with the store sizes a user
 * gets (1 GiB commit-log segments, 420 MB index files) and the official producer as a user gets it
 * (3 s send timeout, two retries), is answered well within the timeout and stored exactly once.
 * Before, the first send waited for a 1 GiB segment to be zero-filled and timed out; the client's
 * retry stored a duplicate.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FirstSendInteropTest {
  private static final int TOPICS = 5;

  /** Half the client's timeout: an answer slower than this is a near miss, not "at once". */
  private static final long WELL_WITHIN_MS = 1500;

  @TempDir Path dir;
  final OfficialClients clients = new OfficialClients();

  @AfterEach
  void stop() {
    clients.close();
  }

  @Test
  void theFirstSendToEachNewTopicOfAFreshBrokerIsAnsweredAtOnceAndStoredOnce() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    Broker broker = cluster.startBroker(withUserSizes(cluster.brokerConfig("broker-a")));
    sendToNewTopicsAndCheck(cluster, broker);
  }

  /**
   * A name server that accepts connections but never answers (a hung or black-holed one) must not
   * hold up the answer to a send that created a topic: its registration runs in the background.
   */
  @Test
  void aNameServerThatNeverAnswersDoesNotHoldUpTheFirstSendToANewTopic() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      WharfCluster cluster = new WharfCluster(dir);
      clients.closeLast(cluster);
      BrokerConfig config = withUserSizes(cluster.brokerConfig("broker-a"));
      config.namesrvAddr(cluster.namesrvAddr() + ";127.0.0.1:" + silent.getLocalPort());
      Broker broker = cluster.startBroker(config);
      sendToNewTopicsAndCheck(cluster, broker);
    }
  }

  private static BrokerConfig withUserSizes(BrokerConfig config) {
    StoreConfig defaults = new StoreConfig(Path.of("unused"));
    config
        .store()
        .mappedFileSizeCommitLog(defaults.mappedFileSizeCommitLog())
        .maxHashSlotNum(defaults.maxHashSlotNum())
        .maxIndexNum(defaults.maxIndexNum());
    assertThat(config.store().mappedFileSizeCommitLog()).isEqualTo(1 << 30);
    return config;
  }

  private void sendToNewTopicsAndCheck(WharfCluster cluster, Broker broker) throws Exception {
    DefaultMQProducer producer = new DefaultMQProducer(OfficialClients.unique("pg-first"));
    producer.setNamesrvAddr(cluster.namesrvAddr());
    producer.setInstanceName(OfficialClients.unique("producer"));
    producer.start();
    clients.track(producer::shutdown);
    assertThat(producer.getSendMsgTimeout()).isEqualTo(3000);

    List<String> report = new ArrayList<>();
    for (int t = 0; t < TOPICS; t++) {
      String topic = "FirstSend" + t;
      for (int n = 0; n < 2; n++) {
        Message m =
            new Message(topic, "TagA", ("hello " + t + "/" + n).getBytes(StandardCharsets.UTF_8));
        long started = System.nanoTime();
        SendResult r = producer.send(m);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        report.add(topic + " send " + n + ": " + ms + " ms");
        assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        assertThat(ms)
            .as("send %d to new topic %s answered in %d ms (%s)", n, topic, ms, report)
            .isLessThan(WELL_WITHIN_MS);
      }
    }
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(30))).isTrue();
    for (int t = 0; t < TOPICS; t++) {
      String topic = "FirstSend" + t;
      long stored = 0;
      for (int q : broker.store().queueIds(topic)) {
        stored += broker.store().maxOffset(topic, q) - broker.store().minOffset(topic, q);
      }
      assertThat(stored)
          .as("messages stored in %s (2 sent; more is a retried duplicate)", topic)
          .isEqualTo(2);
    }
  }
}
