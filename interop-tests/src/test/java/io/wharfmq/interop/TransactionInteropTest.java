package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Transactional messages with the official TransactionMQProducer: commit, rollback, check. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransactionInteropTest {
  @TempDir Path dir;
  final OfficialClients clients = new OfficialClients();
  final Set<String> checked = ConcurrentHashMap.newKeySet();

  @AfterEach
  void stop() {
    clients.close();
  }

  TransactionMQProducer producer(String namesrv) throws Exception {
    TransactionMQProducer p = new TransactionMQProducer(OfficialClients.unique("tx-pg"));
    p.setNamesrvAddr(namesrv);
    p.setInstanceName(OfficialClients.unique("tx"));
    p.setTransactionListener(
        new TransactionListener() {
          @Override
          public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
            String body = new String(msg.getBody(), StandardCharsets.UTF_8);
            if (body.startsWith("commit")) {
              return LocalTransactionState.COMMIT_MESSAGE;
            }
            return body.startsWith("rollback")
                ? LocalTransactionState.ROLLBACK_MESSAGE
                : LocalTransactionState.UNKNOW;
          }

          @Override
          public LocalTransactionState checkLocalTransaction(MessageExt msg) {
            checked.add(new String(msg.getBody(), StandardCharsets.UTF_8));
            assertThat(msg.getTopic()).isEqualTo("Payments");
            return LocalTransactionState.COMMIT_MESSAGE;
          }
        });
    p.start();
    clients.track(p::shutdown);
    return p;
  }

  Set<String> consume(String namesrv) throws Exception {
    Set<String> got = ConcurrentHashMap.newKeySet();
    clients.start(
        clients.pushConsumer(
            namesrv,
            OfficialClients.unique("cg-tx"),
            "Payments",
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            (msgs, ctx) -> {
              msgs.forEach(m -> got.add(new String(m.getBody(), StandardCharsets.UTF_8)));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }));
    return got;
  }

  BrokerConfig config(WharfCluster cluster) {
    return cluster.brokerConfig("broker-a").transactionTimeOut(300).transactionCheckInterval(300);
  }

  @Test
  void commitRollbackAndUnknownThenCommitOnCheck() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    cluster.startBroker(config(cluster));
    TransactionMQProducer producer = producer(cluster.namesrvAddr());
    for (String body : new String[] {"commit-1", "rollback-1", "unknown-1"}) {
      assertThat(
              producer
                  .sendMessageInTransaction(
                      new Message("Payments", "T", body.getBytes(StandardCharsets.UTF_8)), null)
                  .getSendStatus())
          .isEqualTo(SendStatus.SEND_OK);
    }
    Set<String> got = consume(cluster.namesrvAddr());
    Awaitility.await("committed and checked-then-committed messages arrive")
        .atMost(Duration.ofSeconds(60))
        .until(() -> got.containsAll(Set.of("commit-1", "unknown-1")));
    assertThat(checked).contains("unknown-1").doesNotContain("commit-1", "rollback-1");
    assertThat(got).doesNotContain("rollback-1");
  }

  @Test
  void aCommittedMessageKeepsItsDeliveryDelay() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    cluster.startBroker(config(cluster));
    TransactionMQProducer producer = producer(cluster.namesrvAddr());
    Message delayed =
        new Message("Payments", "T", "commit-delayed".getBytes(StandardCharsets.UTF_8));
    delayed.setDelayTimeMs(3000);
    long sent = System.currentTimeMillis();
    assertThat(producer.sendMessageInTransaction(delayed, null).getSendStatus())
        .isEqualTo(SendStatus.SEND_OK);
    long committed = System.currentTimeMillis(); // the commit is sent before the call returns
    Map<String, Long> arrived = new ConcurrentHashMap<>();
    clients.start(
        clients.pushConsumer(
            cluster.namesrvAddr(),
            OfficialClients.unique("cg-tx"),
            "Payments",
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            (msgs, ctx) -> {
              msgs.forEach(
                  m ->
                      arrived.putIfAbsent(
                          new String(m.getBody(), StandardCharsets.UTF_8),
                          System.currentTimeMillis()));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }));
    Awaitility.await("the committed message arrives after its delay")
        .atMost(Duration.ofSeconds(30))
        .until(() -> arrived.containsKey("commit-delayed"));
    // The delay counts from the commit (as RocketMQ), which falls between these two instants.
    assertThat(arrived.get("commit-delayed")).isGreaterThanOrEqualTo(sent + 3000);
    assertThat(arrived.get("commit-delayed") - committed).isLessThan(20_000);
  }

  @Test
  void aPendingTransactionSurvivesABrokerRestartAndIsCheckedAfterwards() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    int port = BrokerProcess.freePort();
    BrokerConfig config = config(cluster).listenPort(port).transactionTimeOut(2000);
    Broker broker = cluster.startBroker(config);
    TransactionMQProducer producer = producer(cluster.namesrvAddr());
    producer.sendMessageInTransaction(
        new Message("Payments", "T", "unknown-restart".getBytes(StandardCharsets.UTF_8)), null);
    broker.close(); // before the check is due
    cluster.brokers.remove(broker);
    assertThat(checked).isEmpty();
    cluster.startBroker(config);
    Set<String> got = consume(cluster.namesrvAddr());
    Awaitility.await("checked after the restart and committed")
        .atMost(Duration.ofSeconds(60))
        .until(() -> got.contains("unknown-restart"));
    assertThat(checked).contains("unknown-restart");
  }
}
