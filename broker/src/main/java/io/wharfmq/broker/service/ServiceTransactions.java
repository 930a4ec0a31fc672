package io.wharfmq.broker.service;

import io.wharfmq.broker.transaction.TransactionService;
import io.wharfmq.broker.transaction.TransactionService.HalfMessage;
import io.wharfmq.remoting.protocol.MessageIds;
import io.wharfmq.service.OutgoingMessage;
import io.wharfmq.service.Result;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import io.wharfmq.service.Status;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.MessageSysFlag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open transactions of many sends (MessagingService#beginTransaction; the AMQP coordinator):
 * each send is stored at once as a half message of {@link TransactionService#SERVICE_GROUP} naming
 * its transaction, and the transaction remembers where; the commit hands them all to {@link
 * TransactionService#commitAll}. Open transactions live in memory only: after a restart none is
 * open, and the transaction check rolls their half messages back. Thread-safe.
 */
final class ServiceTransactions {
  private static final Logger log = LoggerFactory.getLogger(ServiceTransactions.class);

  /** The half messages stored so far for one open transaction. Guarded by itself. */
  private static final class Open {
    final List<HalfMessage> halves = new ArrayList<>();
    boolean ended;
  }

  private final SendPipeline sends;
  private final TransactionService transactions;
  private final Executor executor;
  private final Map<String, Open> open = new ConcurrentHashMap<>();
  private final String prefix =
      "tx-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + "-";
  private final AtomicLong next = new AtomicLong();

  /**
   * @param executor runs commits and rollbacks, which wait for the store (never an I/O thread nor
   *     the commit log's writer)
   */
  ServiceTransactions(SendPipeline sends, TransactionService transactions, Executor executor) {
    this.sends = sends;
    this.transactions = transactions;
    this.executor = executor;
    transactions.serviceTransactionsOpen(id -> id != null && open.containsKey(id));
  }

  String begin() {
    String id = prefix + next.incrementAndGet();
    open.put(id, new Open());
    return id;
  }

  CompletableFuture<SendResult> send(String id, SendCommand c) {
    if (!open.containsKey(id)) {
      return notOpen(id, c.topic());
    }
    if (c.batch() || c.messages().size() != 1) {
      return CompletableFuture.completedFuture(
          SendResult.fail(Status.ILLEGAL, "a transactional send carries one message", c.topic()));
    }
    OutgoingMessage m = c.messages().get(0);
    OutgoingMessage half =
        new OutgoingMessage(
            m.body(),
            m.flag(),
            withHalfProperties(m.properties() == null ? "" : m.properties(), id),
            m.bornTimestamp(),
            m.reconsumeTimes());
    SendCommand asHalf =
        new SendCommand(
            c.topic(),
            c.queueId(),
            List.of(half),
            false,
            MessageSysFlag.withTransactionType(
                c.sysFlag(), MessageSysFlag.TRANSACTION_PREPARED_TYPE),
            c.bornHost(),
            c.autoCreate(),
            c.maxReconsumeTimes(),
            c.routing());
    return sends.send(asHalf, null).thenApplyAsync(r -> enlist(id, r), executor);
  }

  private SendResult enlist(String id, SendResult r) {
    if (!r.isOk()) {
      return r;
    }
    HalfMessage h =
        new HalfMessage(MessageIds.decode(r.messageIds().get(0)).physicalOffset(), r.queueOffset());
    Open t = open.get(id);
    if (t != null) {
      synchronized (t) {
        if (!t.ended) {
          t.halves.add(h);
          return r;
        }
      }
    }
    // The transaction ended while this send was stored: the message is not part of it.
    transactions.rollbackAll(List.of(h));
    return SendResult.fail(Status.NOT_FOUND, "transaction " + id + " ended", r.topic());
  }

  CompletableFuture<Result<Void>> commit(String id) {
    return CompletableFuture.supplyAsync(() -> commitNow(id), executor);
  }

  CompletableFuture<Result<Void>> rollback(String id) {
    return CompletableFuture.supplyAsync(() -> rollbackNow(id), executor);
  }

  private Result<Void> commitNow(String id) {
    List<HalfMessage> halves = end(id);
    if (halves == null) {
      return Result.fail(Status.NOT_FOUND, "no open transaction " + id);
    }
    String failed;
    try {
      failed = transactions.commitAll(halves);
    } catch (RuntimeException e) {
      log.error("Commit of transaction {} failed", id, e);
      failed = "commit failed: " + e;
    }
    Result<Void> r = Result.ok(null);
    if (failed != null) {
      log.info("Transaction {} of {} messages rolled back: {}", id, halves.size(), failed);
      transactions.rollbackAll(halves);
      r = Result.fail(failed.contains("DISK_FULL") ? Status.DISK_FULL : Status.ERROR, failed);
    }
    open.remove(id);
    return r;
  }

  private Result<Void> rollbackNow(String id) {
    List<HalfMessage> halves = end(id);
    if (halves == null) {
      return Result.fail(Status.NOT_FOUND, "no open transaction " + id);
    }
    try {
      transactions.rollbackAll(halves);
    } finally {
      open.remove(id);
    }
    return Result.ok(null);
  }

  /**
   * Marks the transaction ended (later sends are not enlisted) and returns its halves; it stays in
   * {@link #open} until resolved, so the check leaves its halves alone meanwhile.
   */
  private List<HalfMessage> end(String id) {
    Open t = id == null ? null : open.get(id);
    if (t == null) {
      return null;
    }
    synchronized (t) {
      if (t.ended) {
        return null;
      }
      t.ended = true;
      return List.copyOf(t.halves);
    }
  }

  private static String withHalfProperties(String properties, String id) {
    StringBuilder b = new StringBuilder(properties.length() + 80).append(properties);
    if (!properties.isEmpty()
        && properties.charAt(properties.length() - 1) != MessageProperties.PROPERTY_SEPARATOR) {
      b.append(MessageProperties.PROPERTY_SEPARATOR);
    }
    append(b, TransactionService.TRAN_MSG, "true");
    append(b, TransactionService.PGROUP, TransactionService.SERVICE_GROUP);
    append(b, TransactionService.SERVICE_TRANSACTION, id);
    return b.toString();
  }

  private static void append(StringBuilder b, String name, String value) {
    b.append(name)
        .append(MessageProperties.NAME_VALUE_SEPARATOR)
        .append(value)
        .append(MessageProperties.PROPERTY_SEPARATOR);
  }

  private static CompletableFuture<SendResult> notOpen(String id, String topic) {
    return CompletableFuture.completedFuture(
        SendResult.fail(Status.NOT_FOUND, "no open transaction " + id, topic));
  }
}
