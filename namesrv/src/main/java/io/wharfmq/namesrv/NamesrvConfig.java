package io.wharfmq.namesrv;

import io.wharfmq.remoting.protocol.ResponseSerializeType;
import io.wharfmq.tls.TlsConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of one name server: every setting with its default and meaning side by side,
 * checked once by {@link #validate()} with messages an operator can act on. Keys follow RocketMQ's
 * NettyServerConfig / NamesrvConfig names where the concept is the same. Mutable until the server
 * starts; not thread-safe.
 */
public final class NamesrvConfig {
  private static final int MIB = 1024 * 1024;

  /** listenPort: TCP port for brokers and clients; 9876 as RocketMQ; 0 picks a free port. */
  private int listenPort = 9876;

  /** bindAddress: local address to listen on; "0.0.0.0" means every interface. */
  private String bindAddress = "0.0.0.0";

  /**
   * brokerExpiryMillis: a broker that has not registered for longer than this is dropped from
   * routes; 120000 as RocketMQ's BROKER_CHANNEL_EXPIRED_TIME (brokers re-register every 30 s).
   */
  private long brokerExpiryMillis = 120_000;

  /**
   * scanIntervalMillis: how often silent brokers are looked for (RocketMQ calls this
   * scanNotActiveBrokerInterval, an accepted spelling). A broker may linger up to this long after
   * it expired. Not set, it gives way to a brokerExpiryMillis under 10 s.
   */
  private long scanIntervalMillis = 10_000;

  /** Whether scanIntervalMillis was set. */
  private boolean scanIntervalMillisSet = false;

  /** maxFrameLength: largest frame accepted, bytes; 16 MiB as RocketMQ's frameMaxLength. */
  private int maxFrameLength = 16 * MIB;

  /** serverChannelMaxIdleTimeSeconds: connections silent this long are closed; 120 as RocketMQ. */
  private int serverChannelMaxIdleTimeSeconds = 120;

  /**
   * responseSerializeType: header format of responses. AUTO (default): the binary ROCKETMQ header
   * to Java clients of Apache RocketMQ 4.0 or later and to requests sent in it, JSON to others.
   * JSON: always JSON, as Apache RocketMQ's servers by default. ROCKETMQ: always binary.
   */
  private ResponseSerializeType responseSerializeType = ResponseSerializeType.AUTO;

  /** defaultThreadPoolNums: threads that run requests; route lookups are short, so few suffice. */
  private int defaultThreadPoolNums = 4;

  /** defaultThreadPoolQueueCapacity: requests waiting for a thread before new ones get BUSY. */
  private int defaultThreadPoolQueueCapacity = 10_000;

  private final TlsConfig tls;

  public NamesrvConfig() {
    this(new TlsConfig());
  }

  /** With TLS keys shared with a broker in the same process (standalone). */
  public NamesrvConfig(TlsConfig tls) {
    this.tls = tls;
  }

  /** The TLS keys of the name server's port (tlsMode, tlsServer*). */
  public TlsConfig tls() {
    return tls;
  }

  /** Every problem with the configuration, each a sentence naming the key; empty when valid. */
  public List<String> problems() {
    List<String> p = new ArrayList<>(tls.problems());
    if (listenPort < 0 || listenPort > 65535) {
      p.add("listenPort must be 0..65535 (0 = any free port), is " + listenPort);
    }
    if (bindAddress == null || bindAddress.isBlank()) {
      p.add("bindAddress must be an address of this host, or 0.0.0.0 for all interfaces");
    }
    if (brokerExpiryMillis < 1000) {
      p.add(
          "brokerExpiryMillis must be >= 1000 ms (brokers re-register every 30 s), is "
              + brokerExpiryMillis);
    }
    if (scanIntervalMillis() < 10) {
      p.add("scanIntervalMillis must be >= 10 ms, is " + scanIntervalMillis());
    } else if (scanIntervalMillis() > brokerExpiryMillis) {
      p.add(
          "scanIntervalMillis ("
              + scanIntervalMillis()
              + ") must not exceed brokerExpiryMillis ("
              + brokerExpiryMillis
              + "), or dead brokers stay routable for too long: lower scanIntervalMillis or raise"
              + " brokerExpiryMillis");
    }
    if (maxFrameLength < 4096 || maxFrameLength > 1024 * MIB) {
      p.add("maxFrameLength must be 4096..1073741824 bytes, is " + maxFrameLength);
    }
    if (serverChannelMaxIdleTimeSeconds < 1) {
      p.add("serverChannelMaxIdleTimeSeconds must be >= 1, is " + serverChannelMaxIdleTimeSeconds);
    }
    if (responseSerializeType == null) {
      p.add("responseSerializeType must be AUTO, JSON or ROCKETMQ");
    }
    if (defaultThreadPoolNums < 1) {
      p.add("defaultThreadPoolNums must be >= 1, is " + defaultThreadPoolNums);
    }
    if (defaultThreadPoolQueueCapacity < 1) {
      p.add("defaultThreadPoolQueueCapacity must be >= 1, is " + defaultThreadPoolQueueCapacity);
    }
    return p;
  }

  /**
   * What the name server chose for keys the operator did not set, where the default had to give way
   * to a key that was set; one sentence each, for the startup log.
   */
  public List<String> startupNotes() {
    List<String> notes = new ArrayList<>();
    if (!scanIntervalMillisSet && scanIntervalMillis() < scanIntervalMillis) {
      notes.add(
          "scanIntervalMillis not set: using "
              + scanIntervalMillis()
              + " ms (brokerExpiryMillis) instead of the default "
              + scanIntervalMillis);
    }
    return notes;
  }

  /** Throws with every problem listed if the configuration is invalid. */
  public NamesrvConfig validate() {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid name server configuration:\n  - " + String.join("\n  - ", problems));
    }
    return this;
  }

  public ResponseSerializeType responseSerializeType() {
    return responseSerializeType;
  }

  public NamesrvConfig responseSerializeType(ResponseSerializeType v) {
    responseSerializeType = v;
    return this;
  }

  public int listenPort() {
    return listenPort;
  }

  public NamesrvConfig listenPort(int v) {
    listenPort = v;
    return this;
  }

  public String bindAddress() {
    return bindAddress;
  }

  public NamesrvConfig bindAddress(String v) {
    bindAddress = v;
    return this;
  }

  public long brokerExpiryMillis() {
    return brokerExpiryMillis;
  }

  public NamesrvConfig brokerExpiryMillis(long v) {
    brokerExpiryMillis = v;
    return this;
  }

  /** The set value, else 10 s or brokerExpiryMillis if that is shorter. */
  public long scanIntervalMillis() {
    if (scanIntervalMillisSet || brokerExpiryMillis < 10) {
      return scanIntervalMillis;
    }
    return Math.min(scanIntervalMillis, brokerExpiryMillis);
  }

  public NamesrvConfig scanIntervalMillis(long v) {
    scanIntervalMillis = v;
    scanIntervalMillisSet = true;
    return this;
  }

  public int maxFrameLength() {
    return maxFrameLength;
  }

  public NamesrvConfig maxFrameLength(int v) {
    maxFrameLength = v;
    return this;
  }

  public int serverChannelMaxIdleTimeSeconds() {
    return serverChannelMaxIdleTimeSeconds;
  }

  public NamesrvConfig serverChannelMaxIdleTimeSeconds(int v) {
    serverChannelMaxIdleTimeSeconds = v;
    return this;
  }

  public int defaultThreadPoolNums() {
    return defaultThreadPoolNums;
  }

  public NamesrvConfig defaultThreadPoolNums(int v) {
    defaultThreadPoolNums = v;
    return this;
  }

  public int defaultThreadPoolQueueCapacity() {
    return defaultThreadPoolQueueCapacity;
  }

  public NamesrvConfig defaultThreadPoolQueueCapacity(int v) {
    defaultThreadPoolQueueCapacity = v;
    return this;
  }
}
