package io.wharfmq.interop;

import static io.wharfmq.interop.NativeClients.push;
import static io.wharfmq.interop.NativeClients.text;
import static io.wharfmq.interop.NativeClients.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.client.ConsumeResult;
import io.wharfmq.client.Message;
import io.wharfmq.client.Producer;
import io.wharfmq.client.SendStatus;
import io.wharfmq.client.TransactionResolution;
import io.wharfmq.client.TransactionSendResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactional sends with the native producer: commit, rollback, unknown (or failing) local
 * transactions settled by the broker's check, and a check after a broker restart; mirrors {@link
 * TransactionInteropTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NativeTransactionInteropTest {
  @TempDir Path dir;
  final NativeClients clients = new NativeClients();
  final Map<String, String> checkedIds = new ConcurrentHashMap<>();

  @AfterEach
  void stop() {
    clients.close();
  }

  Producer producer(String namesrv) {
    return clients.track(
        Producer.builder()
            .namesrvAddr(namesrv)
            .producerGroup(OfficialClients.unique("native-tx-pg"))
            .heartbeatInterval(Duration.ofMillis(500))
            .transactionChecker(
                m -> {
                  checkedIds.put(text(m), m.msgId());
                  assertThat(m.topic()).isEqualTo("Payments");
                  return TransactionResolution.COMMIT;
                })
            .build());
  }

  static TransactionResolution local(String body) {
    if (body.startsWith("commit")) {
      return TransactionResolution.COMMIT;
    }
    if (body.startsWith("throw")) {
      throw new IllegalStateException("local transaction failed");
    }
    return body.startsWith("rollback")
        ? TransactionResolution.ROLLBACK
        : TransactionResolution.UNKNOWN;
  }

  Set<String> consume(String namesrv) {
    Set<String> got = ConcurrentHashMap.newKeySet();
    clients.track(
        push(namesrv, OfficialClients.unique("cg-native-tx"), "Payments")
            .listener(
                msgs -> {
                  msgs.forEach(m -> got.add(text(m)));
                  return ConsumeResult.SUCCESS;
                })
            .build());
    return got;
  }

  BrokerConfig config(WharfCluster cluster) {
    return cluster.brokerConfig("broker-a").transactionTimeOut(300).transactionCheckInterval(300);
  }

  @Test
  void commitRollbackAndUnknownThenCommitOnCheck() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.track(cluster);
    cluster.startBroker(config(cluster));
    Producer producer = producer(cluster.namesrvAddr());
    Map<String, TransactionSendResult> results = new ConcurrentHashMap<>();
    for (String body : new String[] {"commit-1", "rollback-1", "unknown-1", "throw-1"}) {
      TransactionSendResult r =
          producer.sendInTransaction(Message.of("Payments", utf8(body)), half -> local(body));
      assertThat(r.half().status()).isEqualTo(SendStatus.SEND_OK);
      results.put(body, r);
    }
    assertThat(results.get("commit-1").resolution()).isEqualTo(TransactionResolution.COMMIT);
    assertThat(results.get("rollback-1").resolution()).isEqualTo(TransactionResolution.ROLLBACK);
    assertThat(results.get("throw-1").resolution()).isEqualTo(TransactionResolution.UNKNOWN);
    Set<String> got = consume(cluster.namesrvAddr());
    Awaitility.await("committed and checked-then-committed messages arrive")
        .atMost(Duration.ofSeconds(60))
        .until(() -> got.containsAll(Set.of("commit-1", "unknown-1", "throw-1")));
    assertThat(checkedIds).containsOnlyKeys("unknown-1", "throw-1");
    assertThat(checkedIds.get("unknown-1")).isEqualTo(results.get("unknown-1").half().msgId());
    assertThat(got).doesNotContain("rollback-1");
  }

  @Test
  void aPendingTransactionSurvivesABrokerRestartAndIsCheckedAfterwards() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.track(cluster);
    int port = BrokerProcess.freePort();
    BrokerConfig config = config(cluster).listenPort(port).transactionTimeOut(2000);
    Broker broker = cluster.startBroker(config);
    Producer producer = producer(cluster.namesrvAddr());
    producer.sendInTransaction(
        Message.of("Payments", utf8("unknown-restart")), half -> TransactionResolution.UNKNOWN);
    broker.close(); // before the check is due
    cluster.brokers.remove(broker);
    assertThat(checkedIds).isEmpty();
    cluster.startBroker(config);
    Set<String> got = consume(cluster.namesrvAddr());
    Awaitility.await("checked after the restart and committed")
        .atMost(Duration.ofSeconds(60))
        .until(() -> got.contains("unknown-restart"));
    assertThat(checkedIds).containsKey("unknown-restart");
  }
}
