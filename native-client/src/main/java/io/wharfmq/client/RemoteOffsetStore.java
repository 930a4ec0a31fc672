package io.wharfmq.client;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clustering offsets, kept by the broker that owns each queue: QUERY_CONSUMER_OFFSET to read,
 * UPDATE_CONSUMER_OFFSET to commit (oneway periodically, acknowledged at shutdown). Thread-safe.
 */
final class RemoteOffsetStore implements OffsetStore {
  private static final Logger log = LoggerFactory.getLogger(RemoteOffsetStore.class);

  private final ClientRuntime runtime;
  private final String group;
  private final Map<MessageQueue, Long> offsets = new ConcurrentHashMap<>();

  RemoteOffsetStore(ClientRuntime runtime, String group) {
    this.runtime = runtime;
    this.group = group;
  }

  private String address(MessageQueue mq) {
    String address = runtime.routes.masterAddress(mq.brokerName());
    if (address == null) {
      runtime.routes.refresh(mq.topic());
      address = runtime.routes.masterAddress(mq.brokerName());
    }
    if (address == null) {
      throw new ClientException(
          ClientException.NO_RESPONSE, "no address known for broker " + mq.brokerName());
    }
    return address;
  }

  @Override
  public long readStored(MessageQueue mq, boolean zeroIfNotFound) {
    return runtime.brokers.queryConsumerOffset(address(mq), group, mq, zeroIfNotFound);
  }

  @Override
  public long read(MessageQueue mq) {
    return offsets.getOrDefault(mq, -1L);
  }

  @Override
  public void update(MessageQueue mq, long offset) {
    offsets.put(mq, offset);
  }

  @Override
  public void persist(Collection<MessageQueue> queues, boolean sync) {
    for (MessageQueue mq : queues) {
      Long offset = offsets.get(mq);
      if (offset == null) {
        continue;
      }
      try {
        runtime.brokers.updateConsumerOffset(address(mq), group, mq, offset, !sync);
      } catch (ClientException e) {
        log.warn("Cannot commit offset {} of {} for {}: {}", offset, mq, group, e.getMessage());
      }
    }
  }

  @Override
  public void remove(MessageQueue mq) {
    offsets.remove(mq);
  }
}
