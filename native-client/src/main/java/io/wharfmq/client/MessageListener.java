package io.wharfmq.client;

import java.util.List;

/**
 * Receives messages from a {@link PushConsumer}. Implementations must be thread-safe when
 * registered as concurrent; orderly listeners see one batch of a queue at a time.
 */
@FunctionalInterface
public interface MessageListener {
  /** Consumes a batch; throwing counts as {@link ConsumeResult#RETRY_LATER}. */
  ConsumeResult consume(List<MessageView> messages);
}
