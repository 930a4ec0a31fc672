package io.wharfmq.broker.subscription;

import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.body.DataVersion;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupWrapper;
import io.wharfmq.store.mapped.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's consumer groups and their settings (RocketMQ's SubscriptionGroupManager), persisted
 * atomically to {@code config/subscriptionGroup.json} in RocketMQ's JSON shape on every change.
 * With autoCreateSubscriptionGroup on, an unknown group is created with the defaults on its first
 * heartbeat, pull or send-back ({@link #findOrCreate}); with it off such a group does not exist and
 * those requests answer SUBSCRIPTION_GROUP_NOT_EXIST. Thread-safe; changes are serialized.
 */
public final class SubscriptionGroupManager {
  private static final Logger log = LoggerFactory.getLogger(SubscriptionGroupManager.class);

  /** The file name RocketMQ uses, under the store's config directory. */
  public static final String FILE_NAME = "subscriptionGroup.json";

  /** Groups RocketMQ's broker always has (its tools and internal consumers use them). */
  static final List<String> SYSTEM_GROUPS =
      List.of(
          "TOOLS_CONSUMER",
          "FILTERSRV_CONSUMER",
          "SELF_TEST_C_GROUP",
          "CID_ONS-HTTP-PROXY",
          "CID_ONSAPI_PULL",
          "CID_ONSAPI_PERMISSION",
          "CID_ONSAPI_OWNER",
          "CID_SYS_RMQ_TRANS");

  private final Path file;
  private final InstantSource clock;
  private final boolean autoCreate;
  private final int defaultRetryMaxTimes;
  private final Map<String, SubscriptionGroupConfig> groups = new ConcurrentHashMap<>();
  private final AtomicLong version = new AtomicLong();

  /**
   * @param autoCreate autoCreateSubscriptionGroup: create unknown groups on first use
   * @param defaultRetryMaxTimes retryMaxTimes of auto-created groups (maxReconsumeTimes)
   */
  public SubscriptionGroupManager(
      Path configDir, InstantSource clock, boolean autoCreate, int defaultRetryMaxTimes) {
    this.file = configDir.resolve(FILE_NAME);
    this.clock = clock;
    this.autoCreate = autoCreate;
    this.defaultRetryMaxTimes = defaultRetryMaxTimes;
  }

  /** Loads the file if there is one and adds RocketMQ's system groups. */
  public synchronized void load() throws IOException {
    if (Files.exists(file)) {
      SubscriptionGroupWrapper w =
          RemotingJson.mapper().readValue(file.toFile(), SubscriptionGroupWrapper.class);
      if (w.subscriptionGroupTable() != null) {
        w.subscriptionGroupTable().forEach((name, c) -> groups.put(name, c));
      }
      if (w.dataVersion() != null) {
        version.set(w.dataVersion().counter());
      }
    }
    for (String g : SYSTEM_GROUPS) {
      groups.putIfAbsent(g, SubscriptionGroupConfig.defaults(g, defaultRetryMaxTimes));
    }
    log.info("Loaded {} subscription groups from {}", groups.size(), file);
  }

  /** The group's config, or null when it does not exist (no auto-creation). */
  public SubscriptionGroupConfig get(String group) {
    return group == null ? null : groups.get(group);
  }

  /**
   * The group's config; an unknown group is created with the defaults when
   * autoCreateSubscriptionGroup is on, else null (the caller answers SUBSCRIPTION_GROUP_NOT_EXIST).
   */
  public SubscriptionGroupConfig findOrCreate(String group) throws IOException {
    SubscriptionGroupConfig c = get(group);
    if (c != null || !autoCreate || group == null || group.isEmpty()) {
      return c;
    }
    synchronized (this) {
      c = groups.get(group);
      if (c == null) {
        c = SubscriptionGroupConfig.defaults(group, defaultRetryMaxTimes);
        if (c.problem() != null) {
          return null;
        }
        groups.put(group, c);
        persist();
        log.info("Auto-created subscription group {}", group);
      }
      return c;
    }
  }

  /**
   * Deliveries after which a failing message of {@code group} goes to its DLQ: the group's
   * retryMaxTimes, or the broker default (maxReconsumeTimes) for a group that does not exist. The
   * one place retry counting (send-back, POP, retry sends) asks; a client's own maxReconsumeTimes,
   * where the protocol carries one, wins over this (as in RocketMQ).
   */
  public int maxReconsumeTimes(String group) {
    SubscriptionGroupConfig c = get(group);
    return c == null ? defaultRetryMaxTimes : c.retryMaxTimes();
  }

  /** Creates or replaces a group; returns why it cannot be stored, or null. */
  public synchronized String put(SubscriptionGroupConfig config) throws IOException {
    String problem = config.problem();
    if (problem != null) {
      return problem;
    }
    SubscriptionGroupConfig old = groups.put(config.groupName(), config);
    persist();
    log.info(
        "Subscription group {} {}: {}",
        config.groupName(),
        old == null ? "created" : "updated",
        config);
    return null;
  }

  /** Removes a group; true if it existed. */
  public synchronized boolean delete(String group) throws IOException {
    if (groups.remove(group) == null) {
      return false;
    }
    persist();
    log.info("Subscription group {} deleted", group);
    return true;
  }

  /** A consistent copy of every group and the table's version. */
  public synchronized SubscriptionGroupWrapper snapshot() {
    return new SubscriptionGroupWrapper(new TreeMap<>(groups), dataVersion());
  }

  private DataVersion dataVersion() {
    return new DataVersion(clock.millis(), version.get(), 0);
  }

  private void persist() throws IOException {
    version.incrementAndGet();
    Files.createDirectories(file.getParent());
    AtomicFiles.write(file, RemotingJson.encode(snapshot()));
  }
}
