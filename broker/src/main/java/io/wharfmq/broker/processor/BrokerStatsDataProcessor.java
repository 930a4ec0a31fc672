package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.stats.KeyedStats;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.ResponseCode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * VIEW_BROKER_STATS_DATA (315), what {@code mqadmin statsAll} asks each broker for every topic
 * (TOPIC_PUT_NUMS, key: topic) and every group consuming it (GROUP_GET_NUMS, key: topic@group):
 * BrokerStatsData, the sum and rate per second over the last minute, hour and day. {@code avgpt}
 * (average processing time) is 0. A name or key with nothing counted since the broker started
 * answers SYSTEM_ERROR {@code The stats <name> <key> not exist}, as RocketMQ. Thread-safe.
 */
public final class BrokerStatsDataProcessor implements RequestProcessor {
  private final BrokerContext ctx;

  public BrokerStatsDataProcessor(BrokerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    String name = Headers.string(request, "statsName");
    String key = Headers.string(request, "statsKey");
    KeyedStats.Snapshot s = ctx.stats().keyed().snapshot(name, key, ctx.clock().millis());
    if (s == null) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.SYSTEM_ERROR,
          String.format("The stats <%s> <%s> not exist", name, key));
    }
    String body =
        "{\"statsMinute\":"
            + item(s.minute())
            + ",\"statsHour\":"
            + item(s.hour())
            + ",\"statsDay\":"
            + item(s.day())
            + "}";
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .body(body.getBytes(StandardCharsets.UTF_8));
  }

  private static String item(KeyedStats.Window w) {
    return String.format(Locale.ROOT, "{\"sum\":%d,\"tps\":%.4f,\"avgpt\":0.0}", w.sum(), w.tps());
  }
}
