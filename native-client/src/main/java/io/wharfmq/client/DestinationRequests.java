package io.wharfmq.client;

import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import java.util.List;

/**
 * Encodes Wharf's destination requests (docs/protocol.md, "Wharf's own request codes") and the
 * RocketMQ deletions {@link DestinationAdmin} uses, and decodes their answers. Each call blocks for
 * at most the request timeout. Thread-safe.
 */
final class DestinationRequests {
  /** One peek's answer: the messages and where the next peek goes on. */
  record Peeked(List<MessageView> messages, String next) {}

  private final BrokerProxy proxy;

  DestinationRequests(BrokerProxy proxy) {
    this.proxy = proxy;
  }

  /** Sends the request and expects SUCCESS; else a ClientException with the broker's code. */
  private RemotingCommand expectOk(String address, RemotingCommand request, String what) {
    return BrokerProxy.expect(proxy.call(address, request), what);
  }

  void ensureTopic(String address, String topic, boolean temporary) {
    expectOk(
        address,
        RemotingCommand.request(RequestCode.WHARF_ENSURE_TOPIC)
            .put("topic", topic)
            .put("temporary", temporary),
        "ensure topic " + topic + " on " + address);
  }

  void ensureSubscription(String address, SubscriptionSpec s) {
    expectOk(
        address,
        RemotingCommand.request(RequestCode.WHARF_ENSURE_SUBSCRIPTION)
            .put("topic", s.topic())
            .put("group", s.group())
            .put("filterType", s.sql92() ? Subscription.SQL92 : Subscription.TAG)
            .put("expression", s.expression())
            .put("maxDeliveries", s.maxDeliveries())
            .put("startAtTail", s.startAtTail())
            .put("pinsRetention", s.pinsRetention())
            .put("durable", s.durable())
            .put("createTopic", false),
        "subscribe " + s.group() + " to " + s.topic() + " on " + address);
  }

  /** True when the broker gave the client ID to this connection, false when another holds it. */
  boolean claimClientId(String address, String clientId) {
    RemotingCommand r =
        proxy.call(
            address,
            RemotingCommand.request(RequestCode.WHARF_CLAIM_CLIENT_ID).put("clientId", clientId));
    if (r.code() == ResponseCode.WHARF_CLIENT_ID_IN_USE) {
      return false;
    }
    BrokerProxy.expect(r, "claim client ID " + clientId);
    return true;
  }

  void releaseClientId(String address, String clientId) {
    expectOk(
        address,
        RemotingCommand.request(RequestCode.WHARF_RELEASE_CLIENT_ID).put("clientId", clientId),
        "release client ID " + clientId);
  }

  /**
   * Up to {@code max} messages the group has not finished, from {@code after} (null: the group's
   * first unfinished message).
   */
  Peeked peek(
      String address,
      String brokerName,
      String group,
      String topic,
      String sql92,
      int max,
      String after) {
    RemotingCommand r =
        expectOk(
            address,
            RemotingCommand.request(RequestCode.WHARF_PEEK_MESSAGE)
                .put("group", group)
                .put("topic", topic)
                .put("max", max)
                .put("filterType", sql92 == null ? Subscription.TAG : Subscription.SQL92)
                .put("expression", sql92 == null ? "*" : sql92)
                .put("after", after),
            "peek " + topic + " for " + group + " on " + address);
    List<MessageView> messages =
        r.body() == null ? List.of() : RecordDecoder.decode(r.body(), brokerName);
    return new Peeked(messages, r.get("next"));
  }

  /** DELETE_SUBSCRIPTIONGROUP with its offsets and in-flight state. */
  void deleteGroup(String address, String group) {
    expectOk(
        address,
        RemotingCommand.request(RequestCode.DELETE_SUBSCRIPTIONGROUP)
            .put("groupName", group)
            .put("cleanOffset", true),
        "delete group " + group + " on " + address);
  }

  /** DELETE_TOPIC_IN_BROKER. */
  void deleteTopic(String address, String topic) {
    expectOk(
        address,
        RemotingCommand.request(RequestCode.DELETE_TOPIC_IN_BROKER).put("topic", topic),
        "delete topic " + topic + " on " + address);
  }
}
