package io.wharfmq.broker.queue;

import io.wharfmq.broker.exchange.Topology;
import io.wharfmq.broker.exchange.TopologyRegistry;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.QueueSpec;
import io.wharfmq.service.Result;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The declared queues of the topology registry with their parsed arguments. Each topology version
 * is read once (on the first lookup after a change) into a map by topic, so the send and pop paths
 * look a queue up without parsing. Thread-safe: a lookup uses one immutable snapshot.
 */
public final class TopologyQueueDirectory implements QueueDirectory {
  private static final Logger log = LoggerFactory.getLogger(TopologyQueueDirectory.class);

  private final TopologyRegistry registry;
  private volatile Snapshot snapshot = new Snapshot(null, Map.of(), List.of());

  private record Snapshot(
      Topology version, Map<String, QueueRef> byTopic, List<QueueRef> limited) {}

  public TopologyQueueDirectory(TopologyRegistry registry) {
    this.registry = registry;
  }

  @Override
  public QueueRef byTopic(String topic) {
    return current().byTopic().get(topic);
  }

  @Override
  public Collection<QueueRef> withArguments() {
    return current().limited();
  }

  private Snapshot current() {
    Snapshot s = snapshot;
    Topology t = registry.current();
    if (s.version() == t) {
      return s;
    }
    Map<String, QueueRef> byTopic = new HashMap<>();
    List<QueueRef> limited = new ArrayList<>();
    for (String vhost : t.vhosts()) {
      for (QueueSpec q : t.queues(vhost)) {
        if (q.arguments().isEmpty()) {
          continue;
        }
        Result<QueueArguments> args = QueueArguments.parse(q.arguments());
        if (!args.isOk()) {
          // Checked at declare: only a topology file from elsewhere gets here.
          log.warn(
              "Queue '{}' of vhost '{}': arguments ignored: {}", q.name(), vhost, args.detail());
          continue;
        }
        QueueRef ref =
            new QueueRef(vhost, q.name(), DestinationNames.topic(vhost, q.name()), args.value());
        byTopic.put(ref.topic(), ref);
        limited.add(ref);
      }
    }
    Snapshot next = new Snapshot(t, Map.copyOf(byTopic), List.copyOf(limited));
    snapshot = next;
    return next;
  }
}
