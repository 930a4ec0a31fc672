package io.wharfmq.amqp.tx;

import io.wharfmq.service.AckStatus;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.Receipt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A message delivered to the peer and not finished yet: its receipt, kept invisible to other
 * consumers by renewals. Its consumer link holds it until the peer settles it, then, for an
 * acceptance inside a transaction, the transaction until it ends; whoever holds it renews it. Each
 * renewal gives a new receipt, so a settlement waits for the renewal in flight ({@link
 * #receipt()}). Owned by the connection's thread.
 */
public final class HeldDelivery {
  private Receipt receipt;
  private CompletableFuture<Receipt> renewal;

  public HeldDelivery(Receipt receipt) {
    this.receipt = receipt;
  }

  /**
   * Keeps the message invisible for {@code invisibleMillis} more from now, unless a renewal is in
   * flight already. A refused renewal keeps the receipt it had.
   */
  public void renew(MessagingService service, long invisibleMillis, Executor executor) {
    if (renewal != null) {
      return;
    }
    Receipt old = receipt;
    CompletableFuture<Receipt> next =
        service
            .changeInvisibility(old, invisibleMillis)
            .handleAsync(
                (r, e) -> e == null && r.status() == AckStatus.OK ? r.receipt() : old, executor);
    renewal = next;
    next.thenAccept(
        r -> {
          receipt = r;
          if (renewal == next) {
            renewal = null;
          }
        });
  }

  /** The receipt that names the delivery once no renewal is in flight: what a settlement uses. */
  public CompletableFuture<Receipt> receipt() {
    return renewal != null ? renewal : CompletableFuture.completedFuture(receipt);
  }
}
