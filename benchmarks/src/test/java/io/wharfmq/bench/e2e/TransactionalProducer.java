package io.wharfmq.bench.e2e;

import java.util.concurrent.atomic.LongAdder;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * The official {@link TransactionMQProducer} with its defaults (bodies never compressed, as {@link
 * OfficialProducer}), whose local transaction always commits: one {@link #send} is a half message,
 * the local transaction and the client's oneway END_TRANSACTION commit. Counts commits and
 * check-backs into counters the caller keeps across runs. Thread-safe.
 */
final class TransactionalProducer implements BenchProducer {
  private final TransactionMQProducer producer;
  private final String topic;
  private final LongAdder committed;

  /**
   * @param group producer group; the broker checks unresolved halves with a live producer of it
   * @param committed incremented once per send whose half was stored and whose commit was sent
   * @param checks incremented once per check-back from the broker (a half left unresolved)
   */
  TransactionalProducer(
      String namesrvAddr,
      String topic,
      String group,
      String name,
      LongAdder committed,
      LongAdder checks)
      throws Exception {
    this.topic = topic;
    this.committed = committed;
    producer = new TransactionMQProducer(group);
    producer.setNamesrvAddr(namesrvAddr);
    producer.setInstanceName("bench-tx-" + name);
    producer.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE);
    producer.setTransactionListener(
        new TransactionListener() {
          @Override
          public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
            return LocalTransactionState.COMMIT_MESSAGE;
          }

          @Override
          public LocalTransactionState checkLocalTransaction(MessageExt msg) {
            checks.increment();
            return LocalTransactionState.COMMIT_MESSAGE;
          }
        });
    producer.start();
  }

  @Override
  public boolean send(byte[] body) throws InterruptedException {
    try {
      TransactionSendResult r =
          producer.sendMessageInTransaction(new Message(topic, "T", body), null);
      boolean ok =
          r.getSendStatus() == SendStatus.SEND_OK
              && r.getLocalTransactionState() == LocalTransactionState.COMMIT_MESSAGE;
      if (ok) {
        committed.increment();
      }
      return ok;
    } catch (Exception e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("transactional send interrupted");
      }
      return false;
    }
  }

  /** The client has no asynchronous transactional send; the benchmark runs blocking mode only. */
  @Override
  public void sendAsync(byte[] body, Done done) {
    throw new UnsupportedOperationException("no asynchronous sendMessageInTransaction");
  }

  @Override
  public void close() {
    producer.shutdown();
  }
}
