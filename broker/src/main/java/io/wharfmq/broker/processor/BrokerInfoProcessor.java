package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.ConfigBinder;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Broker information for admin tools: GET_BROKER_CONFIG (26: every configuration key of the broker
 * and its store as "key=value" lines, what {@code mqadmin getBrokerConfig} prints),
 * UPDATE_BROKER_CONFIG (25: changes {@link BrokerConfig#RUNTIME_KEYS} while the broker runs, all or
 * nothing, until the next restart; {@code mqadmin updateBrokerConfig}) and GET_BROKER_RUNTIME_INFO
 * (28: a KVTable of the figures {@code mqadmin brokerStatus} and {@code clusterList} read, under
 * RocketMQ's key names). Thread-safe.
 */
public final class BrokerInfoProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(BrokerInfoProcessor.class);

  /** What brokerVersionDesc says; MQVersion's name for the protocol version Wharf speaks. */
  static final String VERSION_DESC = "V5_3_1";

  private final BrokerContext ctx;

  public BrokerInfoProcessor(BrokerContext ctx) {
    this.ctx = ctx;
  }

  /** The body of GET_BROKER_RUNTIME_INFO (RocketMQ KVTable). */
  record KvTable(Map<String, String> table) {}

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    return switch (request.code()) {
      case RequestCode.GET_BROKER_CONFIG -> brokerConfig(request);
      case RequestCode.UPDATE_BROKER_CONFIG -> updateBrokerConfig(channel, request);
      case RequestCode.GET_BROKER_RUNTIME_INFO ->
          RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
              .body(RemotingJson.encode(new KvTable(runtimeInfo())));
      default -> throw new IllegalArgumentException("not a broker-info code: " + request.code());
    };
  }

  private RemotingCommand brokerConfig(RemotingCommand request) {
    Map<String, String> keys = new TreeMap<>();
    settings(ctx.config(), keys);
    settings(ctx.config().store(), keys);
    StringBuilder sb = new StringBuilder();
    keys.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .body(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Applies the body's "key=value" lines (RocketMQ's {@code MixAll.properties2String}) to the live
   * configuration: every key must be one of {@link BrokerConfig#RUNTIME_KEYS} (else 16
   * NO_PERMISSION, as RocketMQ answers for keys it will not change) and every value valid (else 1
   * SYSTEM_ERROR naming the key and the problem), or nothing changes. Not written anywhere: the
   * next start reads the configuration file and --set options again.
   */
  private RemotingCommand updateBrokerConfig(RemotingChannel channel, RemotingCommand request) {
    Properties body = new Properties();
    try {
      body.load(
          new StringReader(
              request.body() == null ? "" : new String(request.body(), StandardCharsets.UTF_8)));
    } catch (IOException | IllegalArgumentException e) {
      return RemotingCommand.responseTo(
          request, ResponseCode.SYSTEM_ERROR, "body is not key=value lines: " + e.getMessage());
    }
    Map<String, String> changes = new TreeMap<>();
    body.forEach((k, v) -> changes.put(k.toString().trim(), v.toString().trim()));
    if (changes.isEmpty()) {
      return RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, "no key=value lines");
    }
    Set<String> fixed = new TreeSet<>(changes.keySet());
    fixed.removeAll(BrokerConfig.RUNTIME_KEYS);
    if (!fixed.isEmpty()) {
      log.warn("UPDATE_BROKER_CONFIG from {} refused: {} cannot change at runtime", channel, fixed);
      return RemotingCommand.responseTo(
          request,
          ResponseCode.NO_PERMISSION,
          "cannot change "
              + String.join(", ", fixed)
              + " while the broker runs (set it in the configuration file and restart); keys"
              + " that can: "
              + String.join(", ", new TreeSet<>(BrokerConfig.RUNTIME_KEYS)));
    }
    BrokerConfig config = ctx.config();
    synchronized (config) {
      // Checked on a copy of the runtime keys first, so that no reader ever sees a value that is
      // then refused.
      Map<String, String> current = new TreeMap<>();
      settings(config, current);
      current.keySet().retainAll(BrokerConfig.RUNTIME_KEYS);
      BrokerConfig trial = new BrokerConfig(config.store().storePathRootDir());
      ConfigBinder.bind(current, Set.of(), trial);
      List<String> problems = new ArrayList<>(ConfigBinder.bind(changes, Set.of(), trial));
      if (problems.isEmpty()) {
        problems.addAll(trial.problems());
      }
      if (!problems.isEmpty()) {
        log.warn("UPDATE_BROKER_CONFIG from {} refused: {}", channel, problems);
        return RemotingCommand.responseTo(
            request, ResponseCode.SYSTEM_ERROR, String.join("; ", problems));
      }
      ConfigBinder.bind(changes, Set.of(), config);
      current.keySet().retainAll(changes.keySet());
      log.info("Broker configuration changed by {}: {} (was {})", channel, changes, current);
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  /**
   * The settings of a configuration object: each key is a fluent setter (one parameter, returns the
   * object) with a getter of the same name, the convention the launcher binds broker.conf with.
   */
  static void settings(Object config, Map<String, String> out) {
    for (Method getter : config.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      boolean hasSetter = false;
      for (Method m : config.getClass().getMethods()) {
        hasSetter |=
            m.getName().equals(getter.getName())
                && m.getParameterCount() == 1
                && m.getReturnType() == config.getClass();
      }
      if (!hasSetter) {
        continue;
      }
      try {
        out.put(getter.getName(), String.valueOf(getter.invoke(config)));
      } catch (IllegalAccessException | InvocationTargetException e) {
        out.put(getter.getName(), "?");
      }
    }
  }

  private Map<String, String> runtimeInfo() {
    long now = ctx.clock().millis();
    Map<String, String> t = new TreeMap<>();
    t.put("brokerVersionDesc", VERSION_DESC);
    t.put("brokerVersion", Integer.toString(RemotingCommand.VERSION));
    t.put("brokerActive", "true");
    t.put("bootTimestamp", Long.toString(ctx.stats().bootMillis()));
    t.put("runtime", uptime(now - ctx.stats().bootMillis()));
    long puts = ctx.stats().putTotal();
    long gets = ctx.stats().getTotal();
    // Wharf counts since boot, not per day: both "today" figures are the totals since boot and the
    // morning marks are 0 (docs/admin.md).
    t.put("msgPutTotalTodayNow", Long.toString(puts));
    t.put("msgGetTotalTodayNow", Long.toString(gets));
    t.put("msgPutTotalTodayMorning", "0");
    t.put("msgGetTotalTodayMorning", "0");
    t.put("msgPutTotalYesterdayMorning", "0");
    t.put("msgGetTotalYesterdayMorning", "0");
    t.put("putTps", tps(ctx.stats().putTps()));
    t.put("getTransferredTps", tps(ctx.stats().getTps()));
    t.put("getFoundTps", tps(ctx.stats().getTps()));
    t.put("commitLogMinOffset", Long.toString(ctx.store().commitLogMinOffset()));
    t.put("commitLogMaxOffset", Long.toString(ctx.store().commitLogMaxOffset()));
    t.put(
        "dispatchBehindBytes",
        Long.toString(
            Math.max(0, ctx.store().commitLogMaxOffset() - ctx.store().dispatchedOffset())));
    var earliest =
        ctx.store().commitLogMaxOffset() > ctx.store().commitLogMinOffset()
            ? ctx.store().readMessage(ctx.store().commitLogMinOffset())
            : null;
    if (earliest != null) {
      t.put("earliestMessageTimeStamp", Long.toString(earliest.storeTimestamp()));
    }
    t.put("commitLogDiskRatio", Double.toString(diskRatio()));
    t.put("sendThreadPoolQueueSize", "0");
    t.put("pullThreadPoolQueueSize", "0");
    t.put("sendThreadPoolQueueHeadWaitTimeMills", "0");
    t.put("pullThreadPoolQueueHeadWaitTimeMills", "0");
    t.put("pageCacheLockTimeMills", "0");
    t.put("brokerName", ctx.config().brokerName());
    t.put("brokerClusterName", ctx.config().brokerClusterName());
    return t;
  }

  private double diskRatio() {
    java.io.File root = ctx.config().store().storePathRootDir().toFile();
    long total = root.getTotalSpace();
    return total <= 0 ? 0 : (double) (total - root.getUsableSpace()) / total;
  }

  /** RocketMQ's form: the rate over the last 10 s, 1 min and 10 min; Wharf has one window. */
  private static String tps(double v) {
    String s = String.format(java.util.Locale.ROOT, "%.2f", v);
    return s + " " + s + " " + s;
  }

  private static String uptime(long millis) {
    long s = millis / 1000;
    return String.format(
        java.util.Locale.ROOT,
        "[ %d days, %d hours, %d minutes, %d seconds ]",
        s / 86400,
        (s / 3600) % 24,
        (s / 60) % 60,
        s % 60);
  }
}
