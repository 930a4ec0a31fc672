package io.wharfmq.service;

import java.util.HashMap;
import java.util.Map;

/**
 * Which container-ids (JMS ClientIDs) have open connections, per vhost, so that a peer desiring
 * {@code sole-connection-for-container} is refused while another connection of the same container
 * is open, and a second connection is refused while a sole one is open (as ActiveMQ Artemis does;
 * reference/amqp-jms.md 2.1). One per broker, shared by its doors ({@link
 * MessagingService#containerClaims}): an AMQP connection's container-id and a native client's
 * claimed client ID (WHARF_CLAIM_CLIENT_ID, a sole claim in vhost {@code /}) are the same name.
 * Holds only what is claimed now. Thread-safe.
 */
public final class ContainerClaims {
  private static final class Holders {
    int count;
    boolean sole;
  }

  private final Map<String, Holders> byContainer = new HashMap<>();

  private static String key(String vhost, String containerId) {
    return vhost + '\0' + containerId;
  }

  /**
   * Registers one connection of the container; false (nothing registered) when {@code sole} is
   * asked and another connection of the container is open, or one that asked for sole is.
   */
  public synchronized boolean claim(String vhost, String containerId, boolean sole) {
    Holders h = byContainer.computeIfAbsent(key(vhost, containerId), k -> new Holders());
    if (h.sole || sole && h.count > 0) {
      return false;
    }
    h.count++;
    h.sole = sole;
    return true;
  }

  /** Forgets one connection registered by {@link #claim}. */
  public synchronized void release(String vhost, String containerId) {
    String k = key(vhost, containerId);
    Holders h = byContainer.get(k);
    if (h == null) {
      return;
    }
    if (--h.count <= 0) {
      byContainer.remove(k);
    } else {
      h.sole = false;
    }
  }
}
