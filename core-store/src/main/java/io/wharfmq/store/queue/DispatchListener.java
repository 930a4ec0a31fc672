package io.wharfmq.store.queue;

/**
 * Told about every record that reached a consume queue, on the dispatcher thread. The broker uses
 * it to wake held long-poll pulls. Implementations must be quick and must not block.
 */
@FunctionalInterface
public interface DispatchListener {
  DispatchListener NONE = (topic, queueId, queueOffset, tagsCode, storeTimestamp) -> {};

  void onDispatched(
      String topic, int queueId, long queueOffset, long tagsCode, long storeTimestamp);
}
