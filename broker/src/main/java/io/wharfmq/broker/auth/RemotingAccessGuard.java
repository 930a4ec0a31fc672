package io.wharfmq.broker.auth;

import io.wharfmq.broker.processor.SendTransactionProcessor;
import io.wharfmq.remoting.netty.PeerWarningLimiter;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestGuard;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.RequestSignature;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.BatchAckBody;
import io.wharfmq.remoting.protocol.body.LockBatchBody;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupList;
import io.wharfmq.security.AccessControl;
import io.wharfmq.security.AccessRegistry;
import io.wharfmq.security.Action;
import io.wharfmq.security.FailureThrottle;
import io.wharfmq.security.Resource;
import io.wharfmq.security.Verdict;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native door's access control (docs/security.md, "Native door"): with {@code aclEnable=true}
 * every request must be signed as the official client's {@code AclClientRPCHook} signs, by a known
 * enabled user, and that user needs a permission for what the request does ({@link #needs}).
 * Anything else gets NO_PERMISSION with the reason, a rate-limited log line naming the peer and the
 * access key (never a secret), and after repeated wrong signatures from one address a slower answer
 * (an unsigned request guesses nothing and is answered at once). Thread-safe.
 */
public final class RemotingAccessGuard implements RequestGuard {
  private static final Logger log = LoggerFactory.getLogger(RemotingAccessGuard.class);

  private static final String RETRY_PREFIX = "%RETRY%";
  private static final String DLQ_PREFIX = "%DLQ%";

  /** The groups Wharf makes for queues and subscriptions (DestinationNames), in any vhost. */
  private static final java.util.regex.Pattern WHARF_GROUP =
      java.util.regex.Pattern.compile("([^|]*\\|)?amqp-(queue|sub|vsub|nd|browse)\\|.*");

  /** One thing a request needs: one of {@code actions} on {@code resource}. */
  record Need(Resource resource, Set<Action> actions) {
    static Need of(Resource r, Action a) {
      return new Need(r, EnumSet.of(a));
    }
  }

  private final AccessControl access;
  private final FailureThrottle throttle;
  private final PeerWarningLimiter warnings;

  public RemotingAccessGuard(AccessControl access, InstantSource clock) {
    this.access = access;
    this.throttle = FailureThrottle.defaults(clock);
    this.warnings =
        new PeerWarningLimiter(
            clock,
            PeerWarningLimiter.DEFAULT_PER_PEER,
            PeerWarningLimiter.DEFAULT_OVERALL,
            PeerWarningLimiter.DEFAULT_WINDOW_MILLIS);
  }

  @Override
  public Refusal check(RemotingChannel channel, RemotingCommand request) {
    if (!access.enabled()) {
      return null;
    }
    AccessRegistry registry = access.registry();
    String user = RequestSignature.accessKey(request);
    InetAddress from = address(channel);
    String source = from == null ? channel.remoteAddress() : from.getHostAddress();
    if (user == null) {
      return refuse(
          channel,
          request,
          null,
          "request code "
              + request.code()
              + " is not signed: this broker has aclEnable=true, so every request needs an access"
              + " key and signature (the official client's AclClientRPCHook)",
          0); // no secret is being guessed: a client without credentials, not slowed down
    }
    byte[] secret = registry.signingSecret(user);
    if (secret == null || !RequestSignature.verify(request, secret)) {
      return refuse(
          channel,
          request,
          user,
          "authentication failed for access key '"
              + user
              + "': unknown or disabled user, a user without a signing secret, or a wrong"
              + " signature",
          throttle.failed(source));
    }
    List<Need> needs;
    try {
      needs = needs(request);
    } catch (RuntimeException e) {
      // A body the processor would refuse as malformed: let it say why.
      return null;
    }
    for (Need n : needs) {
      Verdict v = null;
      for (Action a : n.actions()) {
        v = registry.authorize(user, n.resource(), a, from);
        if (v.allowed()) {
          break;
        }
      }
      if (v != null && !v.allowed()) {
        return refuse(channel, request, user, v.reason(), 0);
      }
    }
    return null;
  }

  private Refusal refuse(
      RemotingChannel channel, RemotingCommand request, String user, String why, long delay) {
    long held = warnings.admit(channel.remoteAddress());
    if (held >= 0) {
      log.warn(
          "Refused request code {} from {} (access key {}): {}{}",
          request.code(),
          channel.remoteAddress(),
          user == null ? "none" : "'" + user + "'",
          why,
          held > 0 ? " (" + held + " earlier refusals of this peer not logged)" : "");
    }
    return new Refusal(RemotingCommand.responseTo(request, ResponseCode.NO_PERMISSION, why), delay);
  }

  private static InetAddress address(RemotingChannel channel) {
    return channel.remoteSocketAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
  }

  /**
   * What a request needs, by code. Sending needs Pub on the topic; reading (pull, pop, ack,
   * offsets) Sub on the topic and on the group; creating and deleting topics and groups Create and
   * Delete on them; requests every client makes to stay connected (heartbeats, client IDs,
   * assignments) only a valid signature; every other request is administration and needs Admin on
   * the cluster. A retry or dead-letter topic stands for its group; the groups Wharf makes for JMS
   * and AMQP queues and subscriptions are not resources of their own (their topic is).
   */
  static List<Need> needs(RemotingCommand r) {
    List<Need> out = new ArrayList<>(2);
    switch (r.code()) {
      case RequestCode.SEND_MESSAGE, RequestCode.SEND_BATCH_MESSAGE -> pub(out, r.get("topic"));
      case RequestCode.SEND_MESSAGE_V2 -> pub(out, r.get("b"));
      case RequestCode.END_TRANSACTION -> {
        String topic = r.get("topic");
        if (topic != null) {
          pub(out, topic);
        }
      }
      case RequestCode.WHARF_SEND_TRANSACTION -> {
        for (String t : SendTransactionProcessor.topics(r)) {
          pub(out, t);
        }
      }
      case RequestCode.CONSUMER_SEND_MSG_BACK -> group(out, r.get("group"), Action.SUB);
      case RequestCode.PULL_MESSAGE,
          RequestCode.LITE_PULL_MESSAGE,
          RequestCode.POP_MESSAGE,
          RequestCode.ACK_MESSAGE,
          RequestCode.CHANGE_MESSAGE_INVISIBLETIME,
          RequestCode.QUERY_CONSUMER_OFFSET,
          RequestCode.UPDATE_CONSUMER_OFFSET,
          RequestCode.WHARF_ENSURE_SUBSCRIPTION -> {
        String group = r.get("consumerGroup") != null ? r.get("consumerGroup") : r.get("group");
        group(out, group, Action.SUB);
        sub(out, Headers.string(r, "topic"));
      }
      case RequestCode.BATCH_ACK_MESSAGE -> {
        var body = RemotingJson.decode(r.body(), BatchAckBody.class);
        if (body != null && body.acks() != null) {
          for (BatchAckBody.Entry ack : body.acks()) {
            group(out, ack.consumerGroup(), Action.SUB);
            sub(out, ack.topic());
          }
        }
      }
      case RequestCode.GET_CONSUMER_LIST_BY_GROUP ->
          group(out, Headers.string(r, "consumerGroup"), Action.SUB);
      case RequestCode.LOCK_BATCH_MQ, RequestCode.UNLOCK_BATCH_MQ ->
          group(
              out, RemotingJson.decode(r.body(), LockBatchBody.class).consumerGroup(), Action.SUB);
      case RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
              RequestCode.GET_MAX_OFFSET,
              RequestCode.GET_MIN_OFFSET,
              RequestCode.GET_EARLIEST_MSG_STORETIME,
              RequestCode.QUERY_MESSAGE,
              RequestCode.WHARF_PEEK_MESSAGE ->
          sub(out, Headers.string(r, "topic"));
      case RequestCode.WHARF_ENSURE_TOPIC ->
          out.add(
              new Need(
                  Resource.topic(Headers.string(r, "topic")),
                  EnumSet.of(Action.CREATE, Action.PUB, Action.SUB)));
      case RequestCode.UPDATE_AND_CREATE_TOPIC ->
          out.add(Need.of(Resource.topic(Headers.string(r, "topic")), Action.CREATE));
      case RequestCode.DELETE_TOPIC_IN_BROKER ->
          out.add(Need.of(Resource.topic(Headers.string(r, "topic")), Action.DELETE));
      case RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP ->
          out.add(
              Need.of(
                  Resource.group(
                      RemotingJson.decode(r.body(), SubscriptionGroupConfig.class).groupName()),
                  Action.CREATE));
      case RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST -> {
        for (SubscriptionGroupConfig c :
            RemotingJson.decode(r.body(), SubscriptionGroupList.class).groupConfigList()) {
          out.add(Need.of(Resource.group(c.groupName()), Action.CREATE));
        }
      }
      case RequestCode.DELETE_SUBSCRIPTIONGROUP ->
          out.add(Need.of(Resource.group(Headers.string(r, "groupName")), Action.DELETE));
      case RequestCode.HEART_BEAT,
          RequestCode.UNREGISTER_CLIENT,
          RequestCode.CHECK_CLIENT_CONFIG,
          RequestCode.QUERY_ASSIGNMENT,
          RequestCode.SET_MESSAGE_REQUEST_MODE,
          RequestCode.GET_TOPIC_CONFIG,
          RequestCode.WHARF_CLAIM_CLIENT_ID,
          RequestCode.WHARF_RELEASE_CLIENT_ID -> {
        // A valid signature is enough: the client's reads and writes are checked themselves.
      }
      default -> out.add(Need.of(Resource.cluster(), Action.ADMIN));
    }
    return out;
  }

  private static void pub(List<Need> out, String topic) {
    topic(out, topic, Action.PUB);
  }

  private static void sub(List<Need> out, String topic) {
    topic(out, topic, Action.SUB);
  }

  /** {@code action} on the topic, or Sub on the group a retry or dead-letter topic stands for. */
  private static void topic(List<Need> out, String topic, Action action) {
    if (topic == null) {
      throw new Headers.BadRequestException("no topic");
    }
    if (topic.startsWith(RETRY_PREFIX) || topic.startsWith(DLQ_PREFIX)) {
      group(out, groupOf(topic), Action.SUB);
    } else {
      out.add(Need.of(Resource.topic(topic), action));
    }
  }

  private static void group(List<Need> out, String group, Action a) {
    if (group == null) {
      throw new Headers.BadRequestException("no group");
    }
    if (!WHARF_GROUP.matcher(group).matches()) {
      out.add(Need.of(Resource.group(group), a));
    }
  }

  private static String groupOf(String topic) {
    return topic.substring(topic.startsWith(RETRY_PREFIX) ? 7 : 5);
  }
}
