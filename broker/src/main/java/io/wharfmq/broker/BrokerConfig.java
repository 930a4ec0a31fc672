package io.wharfmq.broker;

import io.wharfmq.remoting.protocol.ResponseSerializeType;
import io.wharfmq.store.StoreConfig;
import io.wharfmq.store.timer.TimerSettings;
import io.wharfmq.tls.TlsConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Configuration of one broker: every key with its default and meaning, named as in RocketMQ's
 * broker.conf where the concept is the same, checked once by {@link #problems()}. The store's own
 * keys live in {@link StoreConfig}, reached through {@link #store()}, the TLS keys in {@link
 * TlsConfig}, through {@link #tls()}. Mutable until the broker starts, then only the {@link
 * #RUNTIME_KEYS} (by UPDATE_BROKER_CONFIG, which serializes its changes); readers of those see a
 * change at their next read.
 */
public final class BrokerConfig {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

  /** brokerClusterName: cluster this broker belongs to. */
  private String brokerClusterName = "DefaultCluster";

  /** brokerName: name of this broker group; unique within a cluster. */
  private String brokerName = "broker-a";

  /** brokerId: 0 for a master (the only role Wharf has today). */
  private long brokerId = 0;

  /**
   * brokerRole: ASYNC_MASTER or SYNC_MASTER, which behave the same in Wharf (no slaves to wait for,
   * as Apache RocketMQ 5.x with inSyncReplicas=1 and no slave); SLAVE is refused.
   */
  private BrokerRole brokerRole = BrokerRole.ASYNC_MASTER;

  /**
   * enablePropertyFilter: let consumers subscribe with SQL92 property selectors. Off, as in
   * RocketMQ, an SQL92 subscription is refused (CHECK_CLIENT_CONFIG, pull and pop answer
   * SYSTEM_ERROR); TAG subscriptions are not affected.
   */
  private boolean enablePropertyFilter = true;

  /**
   * aclEnable: every door authenticates and authorizes against the permission store
   * (docs/security.md). RocketMQ's enableAcl, authenticationEnabled and authorizationEnabled set it
   * too. Off: everyone may do everything, as before.
   */
  private boolean aclEnable = false;

  /**
   * aclInitUser: when the permission store has no user yet, this super user is created on start
   * (with aclInitPassword), so that a fresh broker with aclEnable=true can be administered at all.
   * Empty: none.
   */
  private String aclInitUser = "";

  /** aclInitPassword: the password of aclInitUser (at least 6 characters). */
  private String aclInitPassword = "";

  /** listenPort: TCP port for clients. */
  private int listenPort = 10911;

  /** bindAddress: interface to listen on. */
  private String bindAddress = "0.0.0.0";

  /** brokerIP1: address clients reach this broker at (registered, and written into message ids). */
  private String brokerIP1 = "127.0.0.1";

  /** namesrvAddr: name servers, "host:port;host:port". Empty: none (standalone tests). */
  private String namesrvAddr = "";

  /** autoCreateTopicEnable: create unknown topics on first send from TBW102. */
  private volatile boolean autoCreateTopicEnable = true;

  /**
   * autoCreateSubscriptionGroup: create an unknown consumer group (with default settings) on its
   * first heartbeat, pull or send-back; off, such requests answer SUBSCRIPTION_GROUP_NOT_EXIST.
   */
  private boolean autoCreateSubscriptionGroup = true;

  /** defaultTopicQueueNums: queues of TBW102 (auto-created topics get at most this many). */
  private int defaultTopicQueueNums = 8;

  /**
   * clusterTopicEnable: the topic named after brokerClusterName (which every broker of the cluster
   * registers, and through whose route admin tools find the cluster's brokers) may be read and
   * written. Off, it is registered with the INHERIT permission only, as in RocketMQ.
   */
  private boolean clusterTopicEnable = true;

  /** brokerTopicEnable: as clusterTopicEnable, for the topic named after brokerName. */
  private boolean brokerTopicEnable = true;

  /** traceTopicEnable: keep the message-trace topic msgTraceTopicName (1 queue) as a topic. */
  private boolean traceTopicEnable = false;

  /** msgTraceTopicName: the topic clients with message trace on write their trace records to. */
  private String msgTraceTopicName = "RMQ_SYS_TRACE_TOPIC";

  /** registerNameServerPeriod: ms between registrations with every name server. */
  private int registerNameServerPeriod = 30_000;

  /** channelExpiredTimeout: ms after which a silent client connection is dropped. */
  private volatile int channelExpiredTimeout = 120_000;

  /** longPollingEnable: hold pulls with nothing to return until a message or the timeout. */
  private volatile boolean longPollingEnable = true;

  /** maxPullBatchSize: messages per pull at most (RocketMQ store limit 32). */
  private volatile int maxPullBatchSize = 32;

  /** maxPullBatchBytes: bytes per pull at most (RocketMQ store limit 256 KiB). */
  private volatile int maxPullBatchBytes = 256 * 1024;

  /**
   * pullHotTailEntries: a pull whose queue has at most this many entries after its offset (and
   * whose first record is within pullHotTailBytes of the commit log's end) runs on the connection's
   * I/O thread; further behind, it goes to the pull pool. 0 leaves only pulls with nothing to read
   * on the I/O thread. Bounds how much consume queue a pull on the I/O thread may scan.
   */
  private volatile long pullHotTailEntries = 4096;

  /**
   * pullHotTailBytes: the part of the commit log, from its end, taken to be in the page cache: a
   * pull reading inside it cannot wait for the disk, so it may run on the I/O thread.
   */
  private volatile long pullHotTailBytes = 64L << 20;

  /**
   * responseSerializeType: header format of responses. AUTO (default): the binary ROCKETMQ header
   * to Java clients of Apache RocketMQ 4.0 or later and to requests sent in it, JSON to others.
   * JSON: always JSON, as Apache RocketMQ's servers by default. ROCKETMQ: always binary.
   */
  private ResponseSerializeType responseSerializeType = ResponseSerializeType.AUTO;

  /** sendThreadPoolQueueCapacity: queued sends before new ones get SYSTEM_BUSY. */
  private int sendThreadPoolQueueCapacity = 10_000;

  /** waitTimeMillsInSendQueue: a send that waited longer than this is rejected as busy. */
  private volatile int waitTimeMillsInSendQueue = 200;

  /** messageDelayLevel: the delay levels, "1s 5s 10s 30s 1m …" (units ms, s, m, h, d). */
  private String messageDelayLevel = io.wharfmq.broker.schedule.DelayLevels.DEFAULT;

  /**
   * maxReconsumeTimes: retryMaxTimes of auto-created consumer groups (deliveries after which a
   * failing message goes to %DLQ%group, default 16); each group's own retryMaxTimes governs it.
   */
  private int maxReconsumeTimes = 16;

  /** maxPopPollingSize: pops held for long polling at most; more get POLLING_FULL. */
  private int maxPopPollingSize = 100_000;

  /**
   * reviveInterval: ms between revive rounds, which wake pops for messages visible again and move
   * popped messages past maxReconsumeTimes to %DLQ%group.
   */
  private long reviveInterval = 1_000;

  /** transactionTimeOut: ms after which an unresolved half message is checked with its producer. */
  private volatile int transactionTimeOut = 6_000;

  /** transactionCheckMax: checks before an unresolved half message is discarded. */
  private volatile int transactionCheckMax = 15;

  /** transactionCheckInterval: ms between scans for half messages to check. */
  private int transactionCheckInterval = 30_000;

  /**
   * traceOn: value of the TRACE_ON property stored with every message and sent in every send
   * answer; "false" tells tracing consumers to skip the message.
   */
  private boolean traceOn = true;

  /**
   * regionId: value of the MSG_REGION property stored with every message and sent in every send
   * answer; a tracing client drops a trace record without a region.
   */
  private String regionId = "DefaultRegion";

  /** flushConsumerOffsetInterval: ms between persisting consumer offsets. */
  private int flushConsumerOffsetInterval = 5_000;

  /**
   * timerWheelEnable: accept messages with a delivery time (TIMER_DELIVER_MS, TIMER_DELAY_SEC,
   * TIMER_DELAY_MS). Off: such sends get SYSTEM_ERROR, as in RocketMQ.
   */
  private boolean timerWheelEnable = true;

  /**
   * timerPrecisionMs: width of a timing-wheel slot. A timer is delivered in the first round after
   * its slot ends: never early, at most this much (plus a round of at most 5 ms) late. RocketMQ's
   * default is 1000; Wharf's 10.
   */
  private int timerPrecisionMs = 10;

  /**
   * timerRollWindowSlot: how many slots ahead a timer gets its own slot; later ones wait in the
   * window's last slot and are placed again when it comes. The wheel file has this many slots plus
   * two, 32 bytes each (default: one hour at 10 ms, 11 MiB).
   */
  private int timerRollWindowSlot = 360_000;

  /** RocketMQ's default timerMaxDelaySec: three days. */
  static final int DEFAULT_TIMER_MAX_DELAY_SEC = 3 * 24 * 3600;

  /**
   * timerMaxDelaySec: the furthest a delivery time may be ahead; later ones are rejected. Not set:
   * three days, or fileReservedTime if that is shorter, since a timer message must stay in the
   * commit log for its whole wait.
   */
  private int timerMaxDelaySec = DEFAULT_TIMER_MAX_DELAY_SEC;

  /** Whether timerMaxDelaySec was set; if not, it gives way to a shorter fileReservedTime. */
  private boolean timerMaxDelaySecSet = false;

  /** timerFlushIntervalMs: ms between flushing the timer log and writing its checkpoint. */
  private int timerFlushIntervalMs = 1000;

  /** mappedFileSizeTimerLog: bytes per timer-log file (64-byte records; 1,048,576 per file). */
  private int mappedFileSizeTimerLog = 64 * 1024 * 1024;

  /**
   * Keys UPDATE_BROKER_CONFIG may change while the broker runs: each is read where it is used, on
   * every use (volatile fields). Every other key is read once at startup.
   */
  public static final Set<String> RUNTIME_KEYS =
      Set.of(
          "autoCreateTopicEnable",
          "longPollingEnable",
          "maxPullBatchSize",
          "maxPullBatchBytes",
          "pullHotTailEntries",
          "pullHotTailBytes",
          "waitTimeMillsInSendQueue",
          "channelExpiredTimeout",
          "transactionTimeOut",
          "transactionCheckMax");

  private final StoreConfig store;
  private final TlsConfig tls = new TlsConfig();

  public BrokerConfig(Path storePathRootDir) {
    this.store = new StoreConfig(storePathRootDir);
  }

  public StoreConfig store() {
    return store;
  }

  /** The TLS keys: of the listenPort listener and of the connections to name servers. */
  public TlsConfig tls() {
    return tls;
  }

  /** Every problem, each naming its key; empty when valid. Includes the store's and TLS's. */
  public List<String> problems() {
    List<String> p = new ArrayList<>(store.problems());
    p.addAll(tls.problems());
    if (!NAME.matcher(brokerClusterName).matches()) {
      p.add(
          "brokerClusterName must be 1-64 characters of [a-zA-Z0-9_-], is '"
              + brokerClusterName
              + "'");
    }
    if (!aclInitUser.isEmpty()) {
      try {
        io.wharfmq.security.UserRecord.checkName(aclInitUser);
        io.wharfmq.security.UserRecord.checkPassword(aclInitPassword);
      } catch (IllegalArgumentException e) {
        p.add("aclInitUser/aclInitPassword: " + e.getMessage());
      }
    } else if (!aclInitPassword.isEmpty()) {
      p.add("aclInitPassword is set without aclInitUser: name the user it belongs to");
    }
    if (!NAME.matcher(brokerName).matches()) {
      p.add("brokerName must be 1-64 characters of [a-zA-Z0-9_-], is '" + brokerName + "'");
    }
    if (brokerId != 0) {
      p.add(
          "brokerId="
              + brokerId
              + " is refused: Wharf has no replication yet, every broker is a master with"
              + " brokerId=0; run a RocketMQ slave's configuration only on Apache RocketMQ");
    }
    if (brokerRole == BrokerRole.SLAVE) {
      p.add(
          "brokerRole=SLAVE is refused: Wharf has no replication yet, every broker is a master;"
              + " use ASYNC_MASTER (or SYNC_MASTER, which acts the same without slaves)");
    } else if (brokerRole == null) {
      p.add("brokerRole must be ASYNC_MASTER or SYNC_MASTER");
    }
    if (listenPort < 0 || listenPort > 65535) {
      p.add("listenPort must be 0..65535, is " + listenPort);
    }
    if (brokerIP1 == null || brokerIP1.isBlank()) {
      p.add("brokerIP1 must be the address clients reach this broker at");
    }
    for (String addr : namesrvAddresses()) {
      if (!addr.matches("[^:]+:\\d{1,5}")) {
        p.add("namesrvAddr entries must be host:port separated by ';', got '" + addr + "'");
      }
    }
    if (defaultTopicQueueNums < 1 || defaultTopicQueueNums > 1024) {
      p.add("defaultTopicQueueNums must be 1..1024, is " + defaultTopicQueueNums);
    }
    if (io.wharfmq.broker.topic.TopicConfigManager.checkName(msgTraceTopicName) != null) {
      p.add(
          "msgTraceTopicName: "
              + io.wharfmq.broker.topic.TopicConfigManager.checkName(msgTraceTopicName));
    }
    if (registerNameServerPeriod < 1000 || registerNameServerPeriod > 60_000) {
      p.add("registerNameServerPeriod must be 1000..60000 ms, is " + registerNameServerPeriod);
    }
    if (channelExpiredTimeout < 1000) {
      p.add("channelExpiredTimeout must be >= 1000 ms, is " + channelExpiredTimeout);
    }
    if (maxPullBatchSize < 1 || maxPullBatchBytes < 1024) {
      p.add("maxPullBatchSize must be >= 1 and maxPullBatchBytes >= 1024");
    }
    if (pullHotTailEntries < 0 || pullHotTailEntries > 1_000_000) {
      p.add(
          "pullHotTailEntries must be 0..1000000 (entries a pull on an I/O thread may scan), is "
              + pullHotTailEntries);
    }
    if (pullHotTailBytes < 0) {
      p.add("pullHotTailBytes must be >= 0, is " + pullHotTailBytes);
    }
    if (responseSerializeType == null) {
      p.add("responseSerializeType must be AUTO, JSON or ROCKETMQ");
    }
    if (sendThreadPoolQueueCapacity < 1 || waitTimeMillsInSendQueue < 1) {
      p.add("sendThreadPoolQueueCapacity and waitTimeMillsInSendQueue must be >= 1");
    }
    try {
      io.wharfmq.broker.schedule.DelayLevels.parse(messageDelayLevel);
    } catch (IllegalArgumentException e) {
      p.add("messageDelayLevel: " + e.getMessage());
    }
    if (transactionTimeOut < 0 || transactionCheckMax < 1 || transactionCheckInterval < 100) {
      p.add(
          "transactionTimeOut must be >= 0, transactionCheckMax >= 1 and"
              + " transactionCheckInterval >= 100 ms");
    }
    if (maxReconsumeTimes < 0) {
      p.add("maxReconsumeTimes must be >= 0, is " + maxReconsumeTimes);
    }
    if (maxPopPollingSize < 1 || reviveInterval < 10 || reviveInterval > 60_000) {
      p.add(
          "maxPopPollingSize must be >= 1 and reviveInterval 10..60000 ms, are "
              + maxPopPollingSize
              + " and "
              + reviveInterval);
    }
    if (regionId == null || !NAME.matcher(regionId).matches()) {
      p.add("regionId must be 1-64 of [a-zA-Z0-9_-], is '" + regionId + "'");
    }
    if (flushConsumerOffsetInterval < 100) {
      p.add("flushConsumerOffsetInterval must be >= 100 ms, is " + flushConsumerOffsetInterval);
    }
    timerProblems(p);
    return p;
  }

  private void timerProblems(List<String> p) {
    if (timerPrecisionMs < 1 || timerPrecisionMs > 10_000) {
      p.add("timerPrecisionMs must be 1..10000, is " + timerPrecisionMs);
    }
    if (timerRollWindowSlot < 2 || timerRollWindowSlot > 60_000_000) {
      p.add("timerRollWindowSlot must be 2..60000000, is " + timerRollWindowSlot);
    }
    long reserved = store.fileReservedTimeHours() * 3600L;
    if (timerMaxDelaySec < 1) {
      p.add("timerMaxDelaySec must be >= 1 s, is " + timerMaxDelaySec);
    } else if (timerMaxDelaySecSet && timerMaxDelaySec > reserved && reserved > 0) {
      p.add(
          "timerMaxDelaySec ("
              + timerMaxDelaySec
              + " s) must not exceed fileReservedTime ("
              + store.fileReservedTimeHours()
              + " h = "
              + reserved
              + " s): a timer message must stay in the commit log for its whole wait; lower"
              + " timerMaxDelaySec to at most "
              + reserved
              + " or raise fileReservedTime to at least "
              + ((timerMaxDelaySec + 3599L) / 3600));
    }
    if (timerFlushIntervalMs < 10 || timerFlushIntervalMs > 60_000) {
      p.add("timerFlushIntervalMs must be 10..60000, is " + timerFlushIntervalMs);
    }
    if (mappedFileSizeTimerLog < 64 * 1024 || mappedFileSizeTimerLog % 64 != 0) {
      p.add(
          "mappedFileSizeTimerLog must be a multiple of 64 and at least 65536, is "
              + mappedFileSizeTimerLog);
    }
  }

  /**
   * What the broker chose for keys the operator did not set, where the default had to give way to a
   * key that was set; one sentence each, for the startup log.
   */
  public List<String> startupNotes() {
    List<String> notes = new ArrayList<>(store.startupNotes());
    if (!timerMaxDelaySecSet && timerMaxDelaySec() < timerMaxDelaySec) {
      notes.add(
          "timerMaxDelaySec not set: using "
              + timerMaxDelaySec()
              + " s (fileReservedTime="
              + store.fileReservedTimeHours()
              + " h) instead of the default "
              + DEFAULT_TIMER_MAX_DELAY_SEC
              + ", so that a timer message stays in the commit log for its whole wait");
    }
    if (brokerRole == BrokerRole.SYNC_MASTER) {
      notes.add(
          "brokerRole=SYNC_MASTER: Wharf has no slaves to wait for, so a send is answered once"
              + " stored as flushDiskType says, as by an ASYNC_MASTER (and by Apache RocketMQ 5.x"
              + " with inSyncReplicas=1 and no slave)");
    }
    return notes;
  }

  /** The timer store's settings, from the timer keys. */
  public TimerSettings timerSettings() {
    return new TimerSettings(
        store.storePathRootDir().resolve("timer"),
        timerPrecisionMs,
        timerRollWindowSlot,
        mappedFileSizeTimerLog,
        timerFlushIntervalMs);
  }

  public BrokerConfig validate() {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid broker configuration:\n  - " + String.join("\n  - ", problems));
    }
    return this;
  }

  /** Name-server addresses, parsed from namesrvAddr. */
  public List<String> namesrvAddresses() {
    List<String> out = new ArrayList<>();
    for (String s : namesrvAddr.split(";")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  public String brokerClusterName() {
    return brokerClusterName;
  }

  public BrokerConfig brokerClusterName(String v) {
    brokerClusterName = v;
    return this;
  }

  public String brokerName() {
    return brokerName;
  }

  public BrokerConfig brokerName(String v) {
    brokerName = v;
    return this;
  }

  public long brokerId() {
    return brokerId;
  }

  public BrokerConfig brokerId(long v) {
    brokerId = v;
    return this;
  }

  public BrokerRole brokerRole() {
    return brokerRole;
  }

  public BrokerConfig brokerRole(BrokerRole v) {
    brokerRole = v;
    return this;
  }

  public boolean enablePropertyFilter() {
    return enablePropertyFilter;
  }

  public BrokerConfig enablePropertyFilter(boolean v) {
    enablePropertyFilter = v;
    return this;
  }

  public boolean aclEnable() {
    return aclEnable;
  }

  public BrokerConfig aclEnable(boolean v) {
    aclEnable = v;
    return this;
  }

  public String aclInitUser() {
    return aclInitUser;
  }

  public BrokerConfig aclInitUser(String v) {
    aclInitUser = v == null ? "" : v.trim();
    return this;
  }

  public String aclInitPassword() {
    return aclInitPassword;
  }

  public BrokerConfig aclInitPassword(String v) {
    aclInitPassword = v == null ? "" : v;
    return this;
  }

  public int listenPort() {
    return listenPort;
  }

  public BrokerConfig listenPort(int v) {
    listenPort = v;
    return this;
  }

  public String bindAddress() {
    return bindAddress;
  }

  public BrokerConfig bindAddress(String v) {
    bindAddress = v;
    return this;
  }

  public String brokerIP1() {
    return brokerIP1;
  }

  public BrokerConfig brokerIP1(String v) {
    brokerIP1 = v;
    return this;
  }

  public String namesrvAddr() {
    return namesrvAddr;
  }

  public BrokerConfig namesrvAddr(String v) {
    namesrvAddr = v == null ? "" : v;
    return this;
  }

  public boolean autoCreateTopicEnable() {
    return autoCreateTopicEnable;
  }

  public BrokerConfig autoCreateTopicEnable(boolean v) {
    autoCreateTopicEnable = v;
    return this;
  }

  public boolean autoCreateSubscriptionGroup() {
    return autoCreateSubscriptionGroup;
  }

  public BrokerConfig autoCreateSubscriptionGroup(boolean v) {
    autoCreateSubscriptionGroup = v;
    return this;
  }

  public int defaultTopicQueueNums() {
    return defaultTopicQueueNums;
  }

  public BrokerConfig defaultTopicQueueNums(int v) {
    defaultTopicQueueNums = v;
    return this;
  }

  public boolean clusterTopicEnable() {
    return clusterTopicEnable;
  }

  public BrokerConfig clusterTopicEnable(boolean v) {
    clusterTopicEnable = v;
    return this;
  }

  public boolean brokerTopicEnable() {
    return brokerTopicEnable;
  }

  public BrokerConfig brokerTopicEnable(boolean v) {
    brokerTopicEnable = v;
    return this;
  }

  public boolean traceTopicEnable() {
    return traceTopicEnable;
  }

  public BrokerConfig traceTopicEnable(boolean v) {
    traceTopicEnable = v;
    return this;
  }

  public String msgTraceTopicName() {
    return msgTraceTopicName;
  }

  public BrokerConfig msgTraceTopicName(String v) {
    msgTraceTopicName = v;
    return this;
  }

  public int registerNameServerPeriod() {
    return registerNameServerPeriod;
  }

  public BrokerConfig registerNameServerPeriod(int v) {
    registerNameServerPeriod = v;
    return this;
  }

  public int channelExpiredTimeout() {
    return channelExpiredTimeout;
  }

  public BrokerConfig channelExpiredTimeout(int v) {
    channelExpiredTimeout = v;
    return this;
  }

  public boolean longPollingEnable() {
    return longPollingEnable;
  }

  public BrokerConfig longPollingEnable(boolean v) {
    longPollingEnable = v;
    return this;
  }

  public int maxPullBatchSize() {
    return maxPullBatchSize;
  }

  public BrokerConfig maxPullBatchSize(int v) {
    maxPullBatchSize = v;
    return this;
  }

  public long pullHotTailEntries() {
    return pullHotTailEntries;
  }

  public BrokerConfig pullHotTailEntries(long v) {
    pullHotTailEntries = v;
    return this;
  }

  public long pullHotTailBytes() {
    return pullHotTailBytes;
  }

  public BrokerConfig pullHotTailBytes(long v) {
    pullHotTailBytes = v;
    return this;
  }

  public ResponseSerializeType responseSerializeType() {
    return responseSerializeType;
  }

  public BrokerConfig responseSerializeType(ResponseSerializeType v) {
    responseSerializeType = v;
    return this;
  }

  public int maxPullBatchBytes() {
    return maxPullBatchBytes;
  }

  public BrokerConfig maxPullBatchBytes(int v) {
    maxPullBatchBytes = v;
    return this;
  }

  public int sendThreadPoolQueueCapacity() {
    return sendThreadPoolQueueCapacity;
  }

  public BrokerConfig sendThreadPoolQueueCapacity(int v) {
    sendThreadPoolQueueCapacity = v;
    return this;
  }

  public int waitTimeMillsInSendQueue() {
    return waitTimeMillsInSendQueue;
  }

  public BrokerConfig waitTimeMillsInSendQueue(int v) {
    waitTimeMillsInSendQueue = v;
    return this;
  }

  public String messageDelayLevel() {
    return messageDelayLevel;
  }

  public BrokerConfig messageDelayLevel(String v) {
    messageDelayLevel = v;
    return this;
  }

  public int maxPopPollingSize() {
    return maxPopPollingSize;
  }

  public BrokerConfig maxPopPollingSize(int v) {
    maxPopPollingSize = v;
    return this;
  }

  public long reviveInterval() {
    return reviveInterval;
  }

  public BrokerConfig reviveInterval(long v) {
    reviveInterval = v;
    return this;
  }

  public int maxReconsumeTimes() {
    return maxReconsumeTimes;
  }

  public BrokerConfig maxReconsumeTimes(int v) {
    maxReconsumeTimes = v;
    return this;
  }

  public int transactionTimeOut() {
    return transactionTimeOut;
  }

  public BrokerConfig transactionTimeOut(int v) {
    transactionTimeOut = v;
    return this;
  }

  public int transactionCheckMax() {
    return transactionCheckMax;
  }

  public BrokerConfig transactionCheckMax(int v) {
    transactionCheckMax = v;
    return this;
  }

  public int transactionCheckInterval() {
    return transactionCheckInterval;
  }

  public BrokerConfig transactionCheckInterval(int v) {
    transactionCheckInterval = v;
    return this;
  }

  public int flushConsumerOffsetInterval() {
    return flushConsumerOffsetInterval;
  }

  public BrokerConfig flushConsumerOffsetInterval(int v) {
    flushConsumerOffsetInterval = v;
    return this;
  }

  public boolean timerWheelEnable() {
    return timerWheelEnable;
  }

  public BrokerConfig timerWheelEnable(boolean v) {
    timerWheelEnable = v;
    return this;
  }

  public int timerPrecisionMs() {
    return timerPrecisionMs;
  }

  public BrokerConfig timerPrecisionMs(int v) {
    timerPrecisionMs = v;
    return this;
  }

  public int timerRollWindowSlot() {
    return timerRollWindowSlot;
  }

  public BrokerConfig timerRollWindowSlot(int v) {
    timerRollWindowSlot = v;
    return this;
  }

  /** The set value, else three days or fileReservedTime if that is shorter. */
  public int timerMaxDelaySec() {
    long reserved = store.fileReservedTimeHours() * 3600L;
    if (timerMaxDelaySecSet || reserved < 1) {
      return timerMaxDelaySec;
    }
    return (int) Math.min(timerMaxDelaySec, reserved);
  }

  public BrokerConfig timerMaxDelaySec(int v) {
    timerMaxDelaySec = v;
    timerMaxDelaySecSet = true;
    return this;
  }

  public int timerFlushIntervalMs() {
    return timerFlushIntervalMs;
  }

  public BrokerConfig timerFlushIntervalMs(int v) {
    timerFlushIntervalMs = v;
    return this;
  }

  public int mappedFileSizeTimerLog() {
    return mappedFileSizeTimerLog;
  }

  public BrokerConfig mappedFileSizeTimerLog(int v) {
    mappedFileSizeTimerLog = v;
    return this;
  }

  public boolean traceOn() {
    return traceOn;
  }

  public BrokerConfig traceOn(boolean v) {
    traceOn = v;
    return this;
  }

  public String regionId() {
    return regionId;
  }

  public BrokerConfig regionId(String v) {
    regionId = v;
    return this;
  }

  /** "brokerIP1:listenPort", as registered and used in message ids. */
  public String brokerAddress(int boundPort) {
    return brokerIP1 + ":" + boundPort;
  }
}
