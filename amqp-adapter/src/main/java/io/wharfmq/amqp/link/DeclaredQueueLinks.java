package io.wharfmq.amqp.link;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The consumer links of queues declared with {@code x-single-active-consumer} (docs/rabbitmq.md):
 * per queue group, in attach order. The first one gets messages, the others stand by, and when the
 * active one ends the next takes over. (Auto-delete queues are deleted by AmqpLinkAttacher when
 * Nodes counts their last consumer gone.) Listener-wide; thread-safe (links of many connections
 * join and leave; a link is told to take over on its own connection's thread).
 */
final class DeclaredQueueLinks {
  private final Map<String, Deque<ConsumerLink>> byGroup = new HashMap<>();

  /** Adds the link; true when it is the group's active consumer now. */
  synchronized boolean join(String group, ConsumerLink link) {
    Deque<ConsumerLink> links = byGroup.computeIfAbsent(group, g -> new ArrayDeque<>());
    links.addLast(link);
    return links.peekFirst() == link;
  }

  /**
   * Removes the link; when it was the active one, the next in line takes over. True when it was the
   * group's last link.
   */
  boolean leave(String group, ConsumerLink link) {
    ConsumerLink next = null;
    boolean last = false;
    synchronized (this) {
      Deque<ConsumerLink> links = byGroup.get(group);
      if (links == null || !links.contains(link)) {
        return false;
      }
      boolean wasActive = links.peekFirst() == link;
      links.remove(link);
      if (links.isEmpty()) {
        byGroup.remove(group);
        last = true;
      } else if (wasActive) {
        next = links.peekFirst();
      }
    }
    if (next != null) {
      next.activate();
    }
    return last;
  }
}
