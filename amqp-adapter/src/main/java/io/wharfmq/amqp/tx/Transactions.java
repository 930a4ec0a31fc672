package io.wharfmq.amqp.tx;

import io.wharfmq.service.MessagingService;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.Binary;

/**
 * The transactions declared on one connection, by id. While any of them holds accepted deliveries,
 * their invisibility is renewed every {@code invisibleMillis / 3}, so a transaction may stay open
 * far longer than the invisibility time without its messages going to another consumer. Owned by
 * the connection's thread ({@code executor}). When the connection ends, every transaction still
 * open is rolled back.
 */
public final class Transactions {
  private final Map<Binary, Transaction> open = new HashMap<>();
  private final MessagingService service;
  private final Executor executor;
  private final long invisibleMillis;
  private boolean renewScheduled;
  private long next;

  /**
   * @param executor the connection's thread
   * @param invisibleMillis how long a held delivery stays invisible without a renewal
   */
  public Transactions(MessagingService service, Executor executor, long invisibleMillis) {
    this.service = service;
    this.executor = executor;
    this.invisibleMillis = invisibleMillis;
  }

  /** Declares a new transaction with an id unique on this connection. */
  public Transaction declare() {
    Transaction t =
        new Transaction(
            new Binary(ByteBuffer.allocate(Long.BYTES).putLong(++next).array()), service, executor);
    open.put(t.id(), t);
    return t;
  }

  /** The open transaction with this id, or null. */
  public Transaction get(Binary id) {
    return id == null ? null : open.get(id);
  }

  /** Holds an accepted delivery in the open transaction {@code t} and keeps it invisible. */
  public void enlistAck(Transaction t, HeldDelivery delivery) {
    t.enlistAck(delivery);
    scheduleRenewal();
  }

  private void scheduleRenewal() {
    if (renewScheduled) {
      return;
    }
    renewScheduled = true;
    CompletableFuture.delayedExecutor(invisibleMillis / 3, TimeUnit.MILLISECONDS, executor)
        .execute(this::renew);
  }

  private void renew() {
    renewScheduled = false;
    boolean holding = false;
    for (Transaction t : open.values()) {
      t.renew(invisibleMillis);
      holding |= t.holdsDeliveries();
    }
    if (holding) {
      scheduleRenewal();
    }
  }

  CompletableFuture<String> commit(Binary id) {
    Transaction t = open.remove(id);
    return t.commit();
  }

  CompletableFuture<Void> rollback(Binary id) {
    Transaction t = open.remove(id);
    return t.rollback();
  }

  /** Rolls back every open transaction (the connection or its coordinator ended). */
  public CompletableFuture<Void> rollbackAll() {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Transaction t : open.values()) {
      all.add(t.rollback());
    }
    open.clear();
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }
}
