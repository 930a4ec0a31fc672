package io.wharfmq.amqp.tx;

import io.wharfmq.service.MessagingService;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.qpid.proton.amqp.Binary;

/**
 * The transactions declared on one connection, by id. Owned by the connection's thread. When the
 * connection ends, every transaction still open is rolled back.
 */
public final class Transactions {
  private final Map<Binary, Transaction> open = new HashMap<>();
  private long next;

  /** Declares a new transaction with an id unique on this connection. */
  public Transaction declare() {
    Transaction t =
        new Transaction(new Binary(ByteBuffer.allocate(Long.BYTES).putLong(++next).array()));
    open.put(t.id(), t);
    return t;
  }

  /** The open transaction with this id, or null. */
  public Transaction get(Binary id) {
    return id == null ? null : open.get(id);
  }

  CompletableFuture<String> commit(Binary id, MessagingService service) {
    Transaction t = open.remove(id);
    return t.commit(service);
  }

  CompletableFuture<Void> rollback(Binary id, MessagingService service) {
    Transaction t = open.remove(id);
    return t.rollback(service);
  }

  /** Rolls back every open transaction (the connection or its coordinator ended). */
  public CompletableFuture<Void> rollbackAll(MessagingService service) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Transaction t : open.values()) {
      all.add(t.rollback(service));
    }
    open.clear();
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }
}
