package io.wharfmq.amqp.link;

import io.wharfmq.amqp.tx.Transactions;
import java.util.ArrayList;
import java.util.List;

/**
 * What the links of one connection share: its transactions, its temporary destinations (deleted
 * when it ends) and a serial for names. Owned by the connection's thread.
 */
final class ConnectionLinks {
  final Transactions transactions;
  final List<Destination> temporaries = new ArrayList<>();
  private long serial;

  /** The connection ended: its close actions ran, and later attaches must make nothing. */
  boolean closed;

  ConnectionLinks(Transactions transactions) {
    this.transactions = transactions;
  }

  long nextSerial() {
    return ++serial;
  }
}
