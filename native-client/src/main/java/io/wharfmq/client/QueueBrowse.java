package io.wharfmq.client;

import java.util.ArrayList;
import java.util.List;

/**
 * One walk through what a group has not finished on every broker that serves its topic, without
 * taking anything (a JMS QueueBrowser): {@link #next} pages through broker after broker. A message
 * acknowledged meanwhile may still show; one sent meanwhile may or may not. Made by {@link
 * DestinationAdmin#browse}. Not thread-safe: one thread walks it.
 */
public final class QueueBrowse {
  /** A broker to read and where its next peek goes on (null: from the start). */
  private static final class Source {
    final String brokerName;
    final String address;
    String after;

    Source(String brokerName, String address) {
      this.brokerName = brokerName;
      this.address = address;
    }
  }

  private final DestinationRequests requests;
  private final String group;
  private final String topic;
  private final String sql92;
  private final List<Source> sources = new ArrayList<>();
  private int current;

  QueueBrowse(
      DestinationRequests requests,
      String group,
      String topic,
      String sql92,
      List<DestinationAdmin.Master> masters) {
    this.requests = requests;
    this.group = group;
    this.topic = topic;
    this.sql92 = sql92;
    for (DestinationAdmin.Master m : masters) {
      sources.add(new Source(m.brokerName(), m.address()));
    }
  }

  /**
   * Up to {@code max} (1..32) more messages; an empty list when the walk is over.
   *
   * @throws ClientException when a broker refuses, e.g. {@link ClientException#BAD_SELECTOR}
   */
  public List<MessageView> next(int max) {
    if (max < 1 || max > SimpleConsumer.MAX_MESSAGES_PER_RECEIVE) {
      throw new IllegalArgumentException("max must be 1..32, is " + max);
    }
    while (current < sources.size()) {
      Source s = sources.get(current);
      DestinationRequests.Peeked p =
          requests.peek(s.address, s.brokerName, group, topic, sql92, max, s.after);
      boolean moved = p.next() != null && !p.next().equals(s.after);
      s.after = p.next();
      if (!p.messages().isEmpty()) {
        return p.messages();
      }
      // A peek reads a bounded stretch of each queue: an empty answer that moved on (past
      // messages the selector skipped) may have more behind it; one that did not is the end.
      if (!moved) {
        current++;
      }
    }
    return List.of();
  }

  /** Whether {@link #next} may still return messages. */
  public boolean hasMore() {
    return current < sources.size();
  }
}
