package io.wharfmq.broker.processor;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.SubscriptionData;

/**
 * CHECK_CLIENT_CONFIG (46): a consumer with an SQL92 subscription asks, at start, whether the
 * broker can filter with it. SUCCESS when the expression parses; SUBSCRIPTION_PARSE_FAILED with the
 * parser's reason otherwise (the RocketMQ client's start() then fails with it); SYSTEM_ERROR, as
 * RocketMQ, for an SQL92 subscription while enablePropertyFilter is off. Thread-safe.
 */
public final class CheckClientConfigProcessor implements RequestProcessor {
  private final BrokerConfig config;

  public CheckClientConfigProcessor(BrokerConfig config) {
    this.config = config;
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  record CheckClientRequestBody(String clientId, String group, SubscriptionData subscriptionData) {}

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    CheckClientRequestBody body;
    try {
      body = RemotingJson.decode(request.body(), CheckClientRequestBody.class);
    } catch (IllegalArgumentException e) {
      throw new Headers.BadRequestException(e.getMessage());
    }
    SubscriptionData sub = body.subscriptionData();
    if (sub == null) {
      throw new Headers.BadRequestException("CHECK_CLIENT_CONFIG without subscriptionData");
    }
    String refusal =
        TagFilters.propertyFilterRefusal(sub.expressionType(), config.enablePropertyFilter());
    if (refusal != null) {
      return RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, refusal);
    }
    try {
      TagFilters.forExpression(sub.expressionType(), sub.subString());
    } catch (IllegalArgumentException e) {
      return RemotingCommand.responseTo(
          request, ResponseCode.SUBSCRIPTION_PARSE_FAILED, e.getMessage());
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }
}
