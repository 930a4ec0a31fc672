package io.wharfmq.amqp.link;

import io.wharfmq.amqp.tx.Transactions;
import io.wharfmq.service.MessagingService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the links of one connection share: its transactions, its temporary destinations (deleted
 * when it ends), a serial for names, and the order of its blocking service work. Owned by the
 * connection's thread.
 */
final class ConnectionLinks {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLinks.class);

  final Transactions transactions;
  final List<Destination> temporaries = new ArrayList<>();

  /**
   * The exclusive queues this connection declared through the /management node (vhost, name):
   * deleted when it ends, as RabbitMQ does. Added to on the service's threads.
   */
  final Set<List<String>> exclusiveQueues = ConcurrentHashMap.newKeySet();

  /** The /management link pairs by link name. */
  final Map<String, ManagementLink.Pair> managementPairs = new HashMap<>();

  private long serial;

  /** The last blocking service work of this connection; the next one starts after it ends. */
  private CompletableFuture<?> serviceWork = CompletableFuture.completedFuture(null);

  /** The connection ended: its close actions ran, and later attaches must make nothing. */
  boolean closed;

  ConnectionLinks(Transactions transactions) {
    this.transactions = transactions;
  }

  long nextSerial() {
    return ++serial;
  }

  /**
   * Runs blocking service work (topics, groups, subscriptions: fsyncs, dispatch waits) on the
   * service's threads, never the connection's, after this connection's earlier such work ended
   * (however it ended): a temporary destination is deleted only after its creation, a subscription
   * made again only after its deletion. Connections do not wait for each other. Callers continue on
   * the connection's thread with {@code whenCompleteAsync(.., session.executor())}.
   */
  <T> CompletableFuture<T> administer(MessagingService service, Supplier<T> work) {
    CompletableFuture<T> next =
        serviceWork.handle((r, e) -> null).thenCompose(ignored -> service.administer(work));
    serviceWork = next;
    return next;
  }

  /** As {@link #administer}, for work nobody waits for (deletions): a failure is logged. */
  void administerInBackground(MessagingService service, String what, Runnable work) {
    administer(
            service,
            () -> {
              work.run();
              return null;
            })
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                LOG.warn("{} failed", what, e);
              }
            });
  }
}
