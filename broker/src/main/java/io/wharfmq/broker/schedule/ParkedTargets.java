package io.wharfmq.broker.schedule;

/**
 * What a parked fan-out (a delayed, timer or transactional publish to an exchange) reaches when it
 * becomes visible (docs/rabbitmq.md, "Routing"): of the target list it was routed to at publish,
 * the queues that still exist, so a queue deleted meanwhile is not made again by the dispatcher.
 * Implementations are thread-safe.
 */
@FunctionalInterface
public interface ParkedTargets {
  /** Restores the list as it was parked (before the broker's service is up, and in tests). */
  ParkedTargets UNCHANGED = parked -> parked;

  /**
   * @param parked the {@code WHARF_REAL_DISPATCH} value of the parked record
   * @return the target list to store the visible record with, or null when no target is left
   */
  String stillReachable(String parked);
}
