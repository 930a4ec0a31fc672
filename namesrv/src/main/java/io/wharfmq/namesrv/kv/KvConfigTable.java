package io.wharfmq.namesrv.kv;

import java.util.Map;
import java.util.TreeMap;

/**
 * The name server's key-value configuration (RocketMQ's KVConfigManager): values by namespace and
 * key, set by admin tools (PUT_KV_CONFIG) and read back (GET_KV_CONFIG, GET_KVLIST_BY_NAMESPACE).
 * Held in memory only, like the routes; RocketMQ also writes it to kvConfig.json. Wharf reads no
 * namespace itself (RocketMQ's ORDER_TOPIC_CONFIG, for one, is stored and returned, not applied).
 * Thread-safe: every method holds the table's lock.
 */
public final class KvConfigTable {
  private final Map<String, Map<String, String>> table = new TreeMap<>();

  public synchronized void put(String namespace, String key, String value) {
    table.computeIfAbsent(namespace, n -> new TreeMap<>()).put(key, value);
  }

  /** The value, or null when the namespace or key is unknown. */
  public synchronized String get(String namespace, String key) {
    Map<String, String> ns = table.get(namespace);
    return ns == null ? null : ns.get(key);
  }

  /** Removes a key; an emptied namespace goes too. True if the key existed. */
  public synchronized boolean delete(String namespace, String key) {
    Map<String, String> ns = table.get(namespace);
    if (ns == null || ns.remove(key) == null) {
      return false;
    }
    if (ns.isEmpty()) {
      table.remove(namespace);
    }
    return true;
  }

  /** A copy of a namespace's keys and values, or null when it has none. */
  public synchronized Map<String, String> namespace(String namespace) {
    Map<String, String> ns = table.get(namespace);
    return ns == null ? null : new TreeMap<>(ns);
  }
}
