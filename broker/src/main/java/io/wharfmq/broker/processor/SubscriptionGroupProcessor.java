package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupList;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscription-group administration, as RocketMQ's admin tools send it:
 * UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200, body: one SubscriptionGroupConfig),
 * UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST (225, body: {"groupConfigList":[…]}),
 * GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201, every group in one answer, no paging),
 * GET_SUBSCRIPTIONGROUP_CONFIG (352, header group) and DELETE_SUBSCRIPTIONGROUP (207, headers
 * groupName and cleanOffset). Thread-safe.
 */
public final class SubscriptionGroupProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(SubscriptionGroupProcessor.class);

  /** The request codes this processor serves. */
  public static final int[] CODES = {
    RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
    RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST,
    RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
    RequestCode.GET_SUBSCRIPTIONGROUP_CONFIG,
    RequestCode.DELETE_SUBSCRIPTIONGROUP
  };

  private final BrokerContext ctx;

  private final LocalMessagingService service;

  public SubscriptionGroupProcessor(BrokerContext ctx, LocalMessagingService service) {
    this.ctx = ctx;
    this.service = service;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request)
      throws IOException {
    return switch (request.code()) {
      case RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP ->
          update(channel, request, List.of(decode(request, SubscriptionGroupConfig.class)));
      case RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST -> {
        List<SubscriptionGroupConfig> list =
            decode(request, SubscriptionGroupList.class).groupConfigList();
        yield update(channel, request, list == null ? List.of() : list);
      }
      case RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG ->
          RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
              .body(RemotingJson.encode(ctx.subscriptionGroups().snapshot()));
      case RequestCode.GET_SUBSCRIPTIONGROUP_CONFIG -> get(request);
      case RequestCode.DELETE_SUBSCRIPTIONGROUP -> delete(channel, request);
      default -> throw new IllegalArgumentException("not a group code: " + request.code());
    };
  }

  private static <T> T decode(RemotingCommand request, Class<T> type) {
    try {
      return RemotingJson.decode(request.body(), type);
    } catch (IllegalArgumentException e) {
      throw new Headers.BadRequestException(e.getMessage());
    }
  }

  private RemotingCommand update(
      RemotingChannel channel, RemotingCommand request, List<SubscriptionGroupConfig> configs)
      throws IOException {
    for (SubscriptionGroupConfig c : configs) {
      String problem = c == null ? "empty group config" : c.problem();
      if (problem != null) {
        log.warn(
            "Rejected subscription group update from {}: {}", channel.remoteAddress(), problem);
        return RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, problem);
      }
    }
    for (SubscriptionGroupConfig c : configs) {
      Result<Void> r = service.putGroup(c);
      if (!r.isOk()) {
        return RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, r.detail());
      }
    }
    log.info("{} subscription group(s) updated by {}", configs.size(), channel.remoteAddress());
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  private RemotingCommand get(RemotingCommand request) {
    String group = Headers.string(request, "group");
    SubscriptionGroupConfig c = ctx.subscriptionGroups().get(group);
    if (c == null) {
      // RocketMQ answers SYSTEM_ERROR with this remark here, not SUBSCRIPTION_GROUP_NOT_EXIST.
      return RemotingCommand.responseTo(
          request, ResponseCode.SYSTEM_ERROR, "No group in this broker");
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .body(RemotingJson.encode(c));
  }

  private RemotingCommand delete(RemotingChannel channel, RemotingCommand request)
      throws IOException {
    String group = Headers.string(request, "groupName");
    Result<Void> r = service.deleteGroup(group, Headers.bool(request, "cleanOffset", false));
    if (r.status() == Status.ERROR) {
      throw new IOException(r.detail());
    }
    boolean existed = r.isOk();
    log.info(
        "Subscription group {} deleted by {} (existed: {}, cleanOffset: {})",
        group,
        channel.remoteAddress(),
        existed,
        request.get("cleanOffset"));
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }
}
