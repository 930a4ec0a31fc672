package io.wharfmq.client;

import java.util.ArrayList;
import java.util.List;

/**
 * How the members of a clustering group split a topic's queues. Every member computes the same
 * result from the same sorted inputs, so no coordination is needed. Stateless.
 */
public enum AllocationStrategy {
  /** Contiguous ranges: with 8 queues and 3 members, 3 + 3 + 2. */
  AVERAGE {
    @Override
    public List<MessageQueue> allocate(
        List<MessageQueue> queues, List<String> members, String self) {
      int index = members.indexOf(self);
      if (index < 0 || queues.isEmpty()) {
        return List.of();
      }
      int n = members.size();
      int mod = queues.size() % n;
      int size =
          queues.size() <= n
              ? 1
              : (mod > 0 && index < mod ? queues.size() / n + 1 : queues.size() / n);
      int start = mod > 0 && index < mod ? index * size : index * size + mod;
      int range = Math.min(size, queues.size() - start);
      List<MessageQueue> out = new ArrayList<>();
      for (int i = 0; i < range; i++) {
        out.add(queues.get((start + i) % queues.size()));
      }
      return out;
    }
  },
  /** Round robin: member i gets queues i, i + n, i + 2n... */
  CIRCLE {
    @Override
    public List<MessageQueue> allocate(
        List<MessageQueue> queues, List<String> members, String self) {
      int index = members.indexOf(self);
      List<MessageQueue> out = new ArrayList<>();
      if (index < 0) {
        return out;
      }
      for (int i = index; i < queues.size(); i += members.size()) {
        out.add(queues.get(i));
      }
      return out;
    }
  };

  /**
   * The queues of {@code self}.
   *
   * @param queues every queue, sorted
   * @param members every member's client id, sorted
   */
  public abstract List<MessageQueue> allocate(
      List<MessageQueue> queues, List<String> members, String self);
}
