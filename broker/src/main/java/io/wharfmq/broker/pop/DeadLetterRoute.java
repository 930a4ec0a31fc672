package io.wharfmq.broker.pop;

import io.wharfmq.store.format.StoredMessage;
import java.util.concurrent.CompletableFuture;

/**
 * Takes a group's dead letter somewhere else than the group's DLQ: a declared queue's dead-letter
 * exchange (docs/rabbitmq.md). Implementations are thread-safe and do not block.
 */
@FunctionalInterface
public interface DeadLetterRoute {
  /** A consumer rejected the message (RabbitMQ's reason {@code rejected}). */
  String REJECTED = "rejected";

  /** The message was delivered as often as the group allows ({@code delivery_limit}). */
  String DELIVERY_LIMIT = "delivery_limit";

  /**
   * Null when this route does not take dead letters of {@code group} (the DLQ does); else completes
   * true once the message is done with (stored or dropped by rule), false when it could not be
   * stored now.
   */
  CompletableFuture<Boolean> route(String group, StoredMessage m, String reason);
}
