package io.wharfmq.broker.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.transaction.TransactionService;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageToStore;
import io.wharfmq.store.format.StoredMessage;
import io.wharfmq.store.queue.ConsumeQueueEntry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions of many sends through {@link LocalMessagingService} on a real broker and store: the
 * sends stay invisible until the commit, a commit stores them all in their order, a rollback none,
 * a send refused by the store leaves the others invisible, the check leaves an open transaction's
 * half messages alone, rolls back those of a transaction a restart ended, and completes a commit
 * whose decision was stored before a crash.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServiceTransactionsTest {
  static final String TOPIC = "orders";
  static final InetSocketAddress HOST = new InetSocketAddress("127.0.0.1", 40000);

  @TempDir Path dir;
  BrokerConfig config;
  Broker broker;
  LocalMessagingService service;

  @BeforeEach
  void start() throws Exception {
    config =
        new BrokerConfig(dir)
            .listenPort(0)
            .bindAddress("127.0.0.1")
            .defaultTopicQueueNums(1)
            .transactionTimeOut(0)
            .transactionCheckInterval(3_600_000);
    config.store().mappedFileSizeCommitLog(16 * 1024 * 1024).maxHashSlotNum(256).maxIndexNum(4000);
    restart();
  }

  private void restart() throws Exception {
    if (broker != null) {
      broker.close();
    }
    broker = Broker.start(config, InstantSource.system());
    service = broker.messagingService();
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
  }

  private SendResult send(String tx, String body, String properties) {
    return service
        .sendInTransaction(
            tx,
            new SendCommand(
                TOPIC,
                0,
                List.of(
                    new OutgoingMessage(
                        body.getBytes(StandardCharsets.UTF_8),
                        0,
                        properties,
                        System.currentTimeMillis(),
                        0)),
                false,
                0,
                HOST,
                true,
                -1))
        .join();
  }

  private SendResult send(String tx, String body) {
    return send(tx, body, "");
  }

  /** The bodies stored in the topic's queue 0, in order. */
  private List<String> visible() {
    assertThat(broker.store().awaitDispatched(Duration.ofSeconds(10))).isTrue();
    List<String> bodies = new ArrayList<>();
    if (broker.store().queueIds(TOPIC).isEmpty()) {
      return bodies;
    }
    for (long o = broker.store().minOffset(TOPIC, 0); o < broker.store().maxOffset(TOPIC, 0); o++) {
      ConsumeQueueEntry e = broker.store().queueEntry(TOPIC, 0, o);
      StoredMessage m = broker.store().readMessage(e.physicalOffset());
      bodies.add(new String(m.body(), StandardCharsets.UTF_8));
    }
    return bodies;
  }

  @Test
  void aCommitStoresEverySendInOrderAndARollbackNone() {
    String tx = service.beginTransaction();
    for (int i = 0; i < 20; i++) {
      assertThat(send(tx, "m" + i).status()).isEqualTo(Status.OK);
    }
    assertThat(visible()).isEmpty();
    assertThat(service.commitTransaction(tx).join().isOk()).isTrue();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add("m" + i);
    }
    assertThat(visible()).containsExactlyElementsOf(expected);

    String rolledBack = service.beginTransaction();
    send(rolledBack, "never");
    assertThat(service.rollbackTransaction(rolledBack).join().isOk()).isTrue();
    assertThat(visible()).containsExactlyElementsOf(expected);
    assertThat(service.commitTransaction(rolledBack).join().status())
        .as("an ended transaction")
        .isEqualTo(Status.NOT_FOUND);
    assertThat(send(rolledBack, "late").status()).isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void aSendTheStoreRefusesIsNotPartOfTheTransaction() {
    String tx = service.beginTransaction();
    send(tx, "a");
    String tooLarge = "big" + '\u0001' + "p".repeat(40_000) + '\u0002';
    assertThat(send(tx, "refused", tooLarge).status()).isEqualTo(Status.TOO_LARGE);
    assertThat(visible()).isEmpty();
    assertThat(service.rollbackTransaction(tx).join().isOk()).isTrue();
    assertThat(visible()).isEmpty();
  }

  @Test
  void theCheckLeavesAnOpenTransactionAloneAndRollsBackOneARestartEnded() throws Exception {
    String open = service.beginTransaction();
    send(open, "kept");
    broker.transactions().check(); // transactionTimeOut 0: only openness protects the half
    assertThat(service.commitTransaction(open).join().isOk()).isTrue();
    assertThat(visible()).containsExactly("kept");

    String dead = service.beginTransaction();
    send(dead, "lost-1");
    send(dead, "lost-2");
    restart(); // the transaction lived in the process that is gone
    broker.transactions().check();
    assertThat(visible()).containsExactly("kept");
    assertThat(unresolvedAfterCheck()).isZero();
  }

  @Test
  void aCommitDecidedBeforeACrashIsCompletedWhenTheBrokerStarts() throws Exception {
    String tx = service.beginTransaction();
    List<Long> halves = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      halves.add(send(tx, "d" + i).queueOffset());
    }
    // The decision record as commitAll stores it, and then the process dies before the messages.
    StringBuilder body = new StringBuilder();
    halves.forEach(o -> body.append(o).append(','));
    assertThat(
            broker
                .store()
                .append(
                    new MessageToStore(
                        TransactionService.OP_TOPIC,
                        0,
                        0,
                        body.toString().getBytes(StandardCharsets.UTF_8),
                        MessageProperties.encode(Map.of(MessageProperties.TAGS, "c")),
                        0,
                        System.currentTimeMillis(),
                        HOST,
                        HOST,
                        0,
                        0L))
                .join()
                .isOk())
        .isTrue();
    restart();
    // The restart finishes the commit at once (the check interval here is an hour).
    Awaitility.await("the decided commit completed at start")
        .atMost(Duration.ofSeconds(10))
        .until(() -> visible().size() == 3);
    assertThat(visible()).containsExactly("d0", "d1", "d2");
    broker.transactions().check();
    assertThat(visible()).as("committed once").containsExactly("d0", "d1", "d2");
  }

  /** Half messages the check would still look at: none once everything is resolved. */
  private long unresolvedAfterCheck() {
    broker.transactions().check();
    return broker.store().maxOffset(TransactionService.HALF_TOPIC, 0)
        - broker
            .messagingService()
            .committedOffset(TransactionService.CHECK_GROUP, TransactionService.HALF_TOPIC, 0);
  }
}
