package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.ConsumerData;
import io.wharfmq.remoting.protocol.body.HeartbeatData;
import io.wharfmq.remoting.protocol.body.ProducerData;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import java.io.IOException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HEART_BEAT (34) and UNREGISTER_CLIENT (35): keeps the client registry, creates each consumer
 * group's retry topic, and tells a group's members when membership changes
 * (NOTIFY_CONSUMER_IDS_CHANGED, oneway) so they rebalance at once. Thread-safe.
 */
public final class ClientManageProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(ClientManageProcessor.class);
  public static final String RETRY_PREFIX = "%RETRY%";

  private final BrokerContext ctx;

  public ClientManageProcessor(BrokerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request)
      throws IOException {
    return switch (request.code()) {
      case RequestCode.HEART_BEAT -> heartbeat(channel, request);
      case RequestCode.UNREGISTER_CLIENT -> unregister(request);
      default -> throw new IllegalArgumentException("not a client-manage code: " + request.code());
    };
  }

  private RemotingCommand heartbeat(RemotingChannel channel, RemotingCommand request)
      throws IOException {
    HeartbeatData hb;
    try {
      hb = RemotingJson.decode(request.body(), HeartbeatData.class);
    } catch (IllegalArgumentException e) {
      throw new Headers.BadRequestException(e.getMessage());
    }
    if (hb.clientID() == null || hb.clientID().isEmpty()) {
      throw new Headers.BadRequestException("heartbeat without clientID");
    }
    long now = ctx.clock().millis();
    if (hb.producerDataSet() != null) {
      for (ProducerData p : hb.producerDataSet()) {
        ctx.clients()
            .registerProducer(
                p.groupName(), hb.clientID(), channel, now, request.language(), request.version());
      }
    }
    if (hb.consumerDataSet() != null) {
      for (ConsumerData c : hb.consumerDataSet()) {
        if (c.groupName() == null || c.groupName().isEmpty()) {
          continue;
        }
        // As RocketMQ: the group is created on its first heartbeat (autoCreateSubscriptionGroup),
        // and a member of an unknown group is still registered, only without a retry topic.
        SubscriptionGroupConfig group = ctx.subscriptionGroups().findOrCreate(c.groupName());
        String retryTopic = RETRY_PREFIX + c.groupName();
        if (group != null && group.retryQueueNums() > 0 && ctx.topics().get(retryTopic) == null) {
          ctx.topics()
              .createIfAbsent(
                  retryTopic,
                  group.retryQueueNums(),
                  TopicConfig.PERM_READ | TopicConfig.PERM_WRITE);
          ctx.topicsChanged().run();
        }
        if (ctx.clients()
            .registerConsumer(
                c, hb.clientID(), channel, now, request.language(), request.version())) {
          log.info("Consumer {} joined group {} from {}", hb.clientID(), c.groupName(), channel);
          notifyMembers(c.groupName());
        }
      }
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  private RemotingCommand unregister(RemotingCommand request) {
    String clientId = Headers.string(request, "clientID");
    String consumerGroup = request.get("consumerGroup");
    String producerGroup = request.get("producerGroup");
    if (producerGroup != null) {
      ctx.clients().unregisterProducer(producerGroup, clientId);
    }
    if (consumerGroup != null && ctx.clients().unregisterConsumer(consumerGroup, clientId)) {
      log.info("Consumer {} left group {}", clientId, consumerGroup);
      notifyMembers(consumerGroup);
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  /** Tells every member of the groups that membership changed. */
  public void notifyMembers(Set<String> groups) {
    for (String g : groups) {
      notifyMembers(g);
    }
  }

  private void notifyMembers(String group) {
    SubscriptionGroupConfig config = ctx.subscriptionGroups().get(group);
    if (config != null && !config.notifyConsumerIdsChangedEnable()) {
      return;
    }
    for (RemotingChannel ch : ctx.clients().consumerChannels(group)) {
      if (ch.isActive()) {
        ch.invokeOneway(
            RemotingCommand.request(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED)
                .put("consumerGroup", group));
      }
    }
  }
}
