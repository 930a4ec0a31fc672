package io.wharfmq.amqp.tx;

import io.wharfmq.service.AckStatus;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.Receipt;
import io.wharfmq.service.Result;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.qpid.proton.amqp.Binary;

/**
 * One declared AMQP transaction (gateway.md section 5, docs/amqp.md "Transactions"). Its sends are
 * stored as they come inside a service transaction ({@link MessagingService#sendInTransaction}),
 * invisible until the commit makes them visible all together; its acks hold their message invisible
 * (renewed) until the commit acks them or the rollback returns them with their count + 1. A send or
 * a delivery of the transaction that Wharf refused makes the commit fail and roll back, so nothing
 * of it becomes visible. Owned by its connection's thread.
 */
public final class Transaction {
  private final Binary id;
  private final String serviceId;
  private final MessagingService service;
  private final Executor executor;
  private final List<CompletableFuture<SendResult>> sends = new ArrayList<>();
  private final List<HeldDelivery> acks = new ArrayList<>();
  private String failure;
  private boolean discharged;

  Transaction(Binary id, MessagingService service, Executor executor) {
    this.id = id;
    this.service = service;
    this.executor = executor;
    this.serviceId = service.beginTransaction();
  }

  public Binary id() {
    return id;
  }

  /**
   * Stores a send in the transaction, invisible until the commit. The future completes on the
   * connection's thread; a refused send has already failed the transaction by then.
   */
  public CompletableFuture<SendResult> send(SendCommand command) {
    checkOpen();
    CompletableFuture<SendResult> f =
        service
            .sendInTransaction(serviceId, command)
            .whenCompleteAsync(
                (r, e) -> {
                  if (e != null) {
                    fail(String.valueOf(e));
                  } else if (!r.isOk()) {
                    fail(r.status() + (r.detail() == null ? "" : ": " + r.detail()));
                  }
                },
                executor);
    sends.add(f);
    return f;
  }

  /**
   * Enlists a send whose command is not known yet (its destination is still being made): the commit
   * waits for it. {@code command} completes on the connection's thread with the command, or with
   * null when the send was refused before it reached the service (the caller has failed the
   * transaction then); the result is null in that case.
   */
  public CompletableFuture<SendResult> sendLater(CompletableFuture<SendCommand> command) {
    checkOpen();
    CompletableFuture<SendResult> f =
        command
            .thenCompose(
                c ->
                    c == null
                        ? CompletableFuture.<SendResult>completedFuture(null)
                        : service.sendInTransaction(serviceId, c))
            .whenCompleteAsync(
                (r, e) -> {
                  if (e != null) {
                    fail(String.valueOf(e));
                  } else if (r != null && !r.isOk()) {
                    fail(r.status() + (r.detail() == null ? "" : ": " + r.detail()));
                  }
                },
                executor);
    sends.add(f);
    return f;
  }

  /** Something of the transaction was refused: the commit will roll it back. */
  public void fail(String why) {
    if (failure == null) {
      failure = why;
    }
  }

  /** Holds an accepted delivery until the transaction ends. */
  void enlistAck(HeldDelivery delivery) {
    checkOpen();
    acks.add(delivery);
  }

  public boolean discharged() {
    return discharged;
  }

  /** Keeps the held deliveries invisible a while longer. */
  void renew(long invisibleMillis) {
    for (HeldDelivery d : acks) {
      d.renew(service, invisibleMillis, executor);
    }
  }

  boolean holdsDeliveries() {
    return !acks.isEmpty();
  }

  /**
   * Once the sends still being stored are done: commits the service transaction (all sends visible
   * at once) and then acks the held deliveries. Completes with null when committed, else with why
   * not; then nothing was committed and the held deliveries come back (count + 1).
   */
  CompletableFuture<String> commit() {
    discharged = true;
    return allSendsDone()
        .thenComposeAsync(
            v -> {
              if (failure != null) {
                return rollbackService().thenCompose(r -> releaseAll()).thenApply(r -> failure);
              }
              return service
                  .commitTransaction(serviceId)
                  .handleAsync(
                      (r, e) -> e != null ? String.valueOf(e) : r.isOk() ? null : describe(r),
                      executor)
                  .thenCompose(
                      failed ->
                          failed != null
                              ? releaseAll().thenApply(x -> failed)
                              : ackAll().thenApply(x -> (String) null));
            },
            executor);
  }

  /** Drops the sends and returns the held deliveries with their count + 1. */
  CompletableFuture<Void> rollback() {
    discharged = true;
    return allSendsDone()
        .thenComposeAsync(v -> rollbackService().thenCompose(r -> releaseAll()), executor);
  }

  private CompletableFuture<Void> allSendsDone() {
    CompletableFuture<?>[] all =
        sends.stream().map(f -> f.handle((r, e) -> null)).toArray(CompletableFuture[]::new);
    sends.clear();
    return CompletableFuture.allOf(all);
  }

  private CompletableFuture<Result<Void>> rollbackService() {
    return service.rollbackTransaction(serviceId).exceptionally(e -> null);
  }

  private CompletableFuture<Void> ackAll() {
    return settleAll(r -> service.ack(r));
  }

  private CompletableFuture<Void> releaseAll() {
    return settleAll(r -> service.release(r, true));
  }

  private CompletableFuture<Void> settleAll(
      Function<Receipt, CompletableFuture<AckStatus>> settle) {
    List<CompletableFuture<AckStatus>> all = new ArrayList<>();
    for (HeldDelivery d : acks) {
      all.add(d.receipt().thenComposeAsync(settle, executor));
    }
    acks.clear();
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  private static String describe(Result<Void> r) {
    return r.status() + (r.detail() == null ? "" : ": " + r.detail());
  }

  private void checkOpen() {
    if (discharged) {
      throw new IllegalStateException("transaction already discharged");
    }
  }
}
