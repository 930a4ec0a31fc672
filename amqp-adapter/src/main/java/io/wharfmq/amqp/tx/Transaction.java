package io.wharfmq.amqp.tx;

import io.wharfmq.service.AckStatus;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.Receipt;
import io.wharfmq.service.SendCommand;
import io.wharfmq.service.SendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.qpid.proton.amqp.Binary;

/**
 * One declared AMQP transaction: the sends and acks enlisted in it, applied at commit, dropped or
 * returned at rollback (gateway.md section 5, docs/amqp.md "Transactions"). Sends are held in
 * memory until the discharge and stored then, in enlistment order; acks hold their message
 * (invisible) until then. Owned by its connection's thread.
 */
public final class Transaction {
  private final Binary id;
  private final List<SendCommand> sends = new ArrayList<>();
  private final List<Receipt> acks = new ArrayList<>();
  private boolean discharged;

  Transaction(Binary id) {
    this.id = id;
  }

  public Binary id() {
    return id;
  }

  /** Holds a send until commit. */
  public void enlistSend(SendCommand command) {
    checkOpen();
    sends.add(command);
  }

  /** Holds an accepted delivery until commit. */
  public void enlistAck(Receipt receipt) {
    checkOpen();
    acks.add(receipt);
  }

  public boolean discharged() {
    return discharged;
  }

  int sendCount() {
    return sends.size();
  }

  int ackCount() {
    return acks.size();
  }

  /**
   * Stores the held sends one after another (so their order holds) and then acks the held
   * deliveries. Completes with null when all went through, else with the first failure's text; a
   * failed commit rolls back the acks (the messages come back, count + 1). A send that failed after
   * earlier ones were stored cannot take those back: the discharge reports the failure.
   */
  CompletableFuture<String> commit(MessagingService service) {
    discharged = true;
    CompletableFuture<String> chain = CompletableFuture.completedFuture(null);
    for (SendCommand c : sends) {
      chain =
          chain.thenCompose(
              failed ->
                  failed != null
                      ? CompletableFuture.completedFuture(failed)
                      : service.send(c).thenApply(Transaction::failure));
    }
    return chain.thenCompose(
        failed -> {
          if (failed != null) {
            return releaseAll(service).thenApply(v -> failed);
          }
          List<CompletableFuture<AckStatus>> all = new ArrayList<>();
          for (Receipt r : acks) {
            all.add(service.ack(r));
          }
          return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
              .thenApply(v -> (String) null);
        });
  }

  /** Drops the held sends and returns the held deliveries with their count + 1. */
  CompletableFuture<Void> rollback(MessagingService service) {
    discharged = true;
    sends.clear();
    return releaseAll(service);
  }

  private CompletableFuture<Void> releaseAll(MessagingService service) {
    List<CompletableFuture<AckStatus>> all = new ArrayList<>();
    for (Receipt r : acks) {
      all.add(service.release(r, true));
    }
    acks.clear();
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  private static String failure(SendResult r) {
    return r.isOk() ? null : r.status() + (r.detail() == null ? "" : ": " + r.detail());
  }

  private void checkOpen() {
    if (discharged) {
      throw new IllegalStateException("transaction already discharged");
    }
  }
}
