package io.wharfmq.broker.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which connection holds each claimed client ID (a JMS ClientID), so that two live connections
 * never hold the same one (WHARF_CLAIM_CLIENT_ID, docs/protocol.md). An owner is any object that
 * stands for one connection; it is compared by identity. Holds only IDs held now. Thread-safe.
 */
public final class ClientIdRegistry {
  private final Map<String, Object> holders = new ConcurrentHashMap<>();

  /**
   * Claims {@code clientId} for {@code owner}: true when nobody held it or {@code owner} did
   * already, false when another owner holds it.
   */
  public boolean claim(String clientId, Object owner) {
    return holders.putIfAbsent(clientId, owner) == null || holders.get(clientId) == owner;
  }

  /** Gives {@code clientId} back when {@code owner} holds it; true when it did. */
  public boolean release(String clientId, Object owner) {
    return holders.remove(clientId, owner);
  }

  /** The number of IDs held now. */
  public int size() {
    return holders.size();
  }
}
