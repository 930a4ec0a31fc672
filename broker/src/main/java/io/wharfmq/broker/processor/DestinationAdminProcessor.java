package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.service.ContainerClaims;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.service.FilterType;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.service.MessagingService;
import io.wharfmq.service.PeekCommand;
import io.wharfmq.service.PeekPosition;
import io.wharfmq.service.PeekResult;
import io.wharfmq.service.Result;
import io.wharfmq.service.Status;
import io.wharfmq.service.Subscription;
import io.wharfmq.service.TopicInfo;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wharf's destination requests for clients that need the AMQP door's semantics over the native
 * protocol (a JMS provider): WHARF_ENSURE_TOPIC (7010), WHARF_ENSURE_SUBSCRIPTION (7011),
 * WHARF_PEEK_MESSAGE (7012), WHARF_CLAIM_CLIENT_ID (7013) and WHARF_RELEASE_CLIENT_ID (7014)
 * (docs/protocol.md, "Wharf's own request codes"). Decodes, calls the {@link MessagingService},
 * encodes. What a connection makes for its own lifetime (temporary topics, non-durable groups,
 * client IDs) ends when the connection closes, whether the client closed it or vanished. Runs on
 * the manage pool; close hooks hand the service's blocking calls to its admin threads. Thread-safe.
 */
public final class DestinationAdminProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(DestinationAdminProcessor.class);

  /** The request codes this processor serves. */
  public static final int[] CODES = {
    RequestCode.WHARF_ENSURE_TOPIC,
    RequestCode.WHARF_ENSURE_SUBSCRIPTION,
    RequestCode.WHARF_PEEK_MESSAGE,
    RequestCode.WHARF_CLAIM_CLIENT_ID,
    RequestCode.WHARF_RELEASE_CLIENT_ID
  };

  /** The most messages one peek answers (as a pop). */
  static final int MAX_PEEK = 32;

  /** Deliveries before a message goes to the dead-letter destination, when the header is absent. */
  static final int DEFAULT_MAX_DELIVERIES = 17;

  /** Something one connection made for its lifetime: a close hook is registered once per item. */
  private record Owned(RemotingChannel channel, String kind, String name) {}

  private final BrokerContext ctx;
  private final MessagingService service;
  private final ContainerClaims clientIds;
  private final Set<Owned> owned = ConcurrentHashMap.newKeySet();
  private final Set<Owned> heldClientIds = ConcurrentHashMap.newKeySet();

  /** The connections that made each non-durable group: it ends with the last of them. */
  private final Map<String, Set<RemotingChannel>> nonDurableHolders = new ConcurrentHashMap<>();

  /**
   * @param clientIds the container-ids the AMQP door claims in too, so that a JMS ClientID is held
   *     once across both protocols
   */
  public DestinationAdminProcessor(
      BrokerContext ctx, MessagingService service, ContainerClaims clientIds) {
    this.ctx = ctx;
    this.service = service;
    this.clientIds = clientIds;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    return switch (request.code()) {
      case RequestCode.WHARF_ENSURE_TOPIC -> ensureTopic(channel, request);
      case RequestCode.WHARF_ENSURE_SUBSCRIPTION -> ensureSubscription(channel, request);
      case RequestCode.WHARF_PEEK_MESSAGE -> peek(channel, request);
      case RequestCode.WHARF_CLAIM_CLIENT_ID -> claim(channel, request);
      case RequestCode.WHARF_RELEASE_CLIENT_ID -> release(channel, request);
      default -> throw new IllegalArgumentException("not a destination code: " + request.code());
    };
  }

  private RemotingCommand ensureTopic(RemotingChannel channel, RemotingCommand request) {
    String topic = Headers.string(request, "topic");
    boolean temporary = Headers.bool(request, "temporary", false);
    boolean existed = service.topic(topic) != null;
    if (temporary && existed && !owned.contains(new Owned(channel, "topic", topic))) {
      return refuse(
          channel,
          request,
          ResponseCode.TOPIC_EXIST_ALREADY,
          "temporary topic " + topic + " exists already");
    }
    Result<TopicInfo> r = service.ensureTopic(topic);
    if (!r.isOk()) {
      return refuse(channel, request, ResponseCodes.of(r.status()), r.detail());
    }
    if (!existed) {
      ctx.registerNow().run(); // the caller looks the route up next
    }
    if (temporary) {
      atClose(channel, "topic", topic, () -> deleteTemporaryTopic(topic, channel));
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  private void deleteTemporaryTopic(String topic, RemotingChannel channel) {
    service.deleteGroup(DestinationNames.queueGroup(topic));
    service.deleteTopic(topic);
    ctx.registerNow().run();
    log.info("Temporary topic {} of {} deleted: its connection closed", topic, channel);
  }

  /** As the AMQP door's Nodes.prepare: the topic, the group with Wharf's settings, the filter. */
  private RemotingCommand ensureSubscription(RemotingChannel channel, RemotingCommand request) {
    String topic = Headers.string(request, "topic");
    String group = Headers.string(request, "group");
    FilterType type = filterType(request);
    String expression = Headers.string(request, "expression", "*");
    int maxDeliveries = Headers.integer(request, "maxDeliveries", DEFAULT_MAX_DELIVERIES);
    boolean startAtTail = Headers.bool(request, "startAtTail", true);
    boolean durable = Headers.bool(request, "durable", true);
    if (maxDeliveries < 1) {
      return refuse(
          channel, request, ResponseCode.SYSTEM_ERROR, "maxDeliveries must be at least 1");
    }
    if (Headers.bool(request, "createTopic", false)) {
      Result<TopicInfo> t = service.ensureTopic(topic);
      if (!t.isOk()) {
        return refuse(channel, request, ResponseCodes.of(t.status()), t.detail());
      }
    } else if (service.topic(topic) == null) {
      return refuse(
          channel, request, ResponseCode.TOPIC_NOT_EXIST, "topic[" + topic + "] not exist");
    }
    boolean newGroup = service.group(group) == null;
    GroupSettings settings =
        new GroupSettings(
            group,
            maxDeliveries,
            startAtTail,
            Headers.bool(request, "pinsRetention", false),
            durable);
    Result<Void> g = service.ensureGroup(settings);
    if (!g.isOk()) {
      int code =
          g.status() == Status.ILLEGAL
              ? ResponseCode.MESSAGE_ILLEGAL
              : ResponseCodes.of(g.status());
      return refuse(channel, request, code, "group " + group + ": " + g.detail());
    }
    Result<Void> s =
        service.subscribe(new Subscription(group, topic, type, expression, startAtTail));
    if (!s.isOk()) {
      if (newGroup) {
        service.deleteGroup(group); // a refused request makes nothing
      }
      int code =
          switch (s.status()) {
            case ILLEGAL -> ResponseCode.SUBSCRIPTION_PARSE_FAILED;
            case NOT_FOUND -> ResponseCode.TOPIC_NOT_EXIST;
            default -> ResponseCodes.of(s.status());
          };
      return refuse(channel, request, code, s.detail());
    }
    if (durable) {
      // the receipts of deliveries made before a restart died with their holders
      service.returnDeliveriesFromBeforeStart(group);
    } else {
      nonDurableHolders.computeIfAbsent(group, k -> ConcurrentHashMap.newKeySet()).add(channel);
      atClose(channel, "group", group, () -> leaveGroup(group, channel));
    }
    log.info("Group {} subscribed to {} ({} {}) by {}", group, topic, type, expression, channel);
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  /**
   * Deletes a non-durable group when the last connection that made it closed (a shared non-durable
   * subscription lives while any of its connections does).
   */
  private void leaveGroup(String group, RemotingChannel channel) {
    Set<RemotingChannel> left =
        nonDurableHolders.computeIfPresent(
            group, (g, holders) -> holders.remove(channel) && holders.isEmpty() ? null : holders);
    if (left == null) {
      service.deleteGroup(group);
      log.info("Non-durable group {} deleted: {}, its last connection, closed", group, channel);
    }
  }

  private static FilterType filterType(RemotingCommand request) {
    String type = Headers.string(request, "filterType", "TAG");
    try {
      return FilterType.valueOf(type);
    } catch (IllegalArgumentException e) {
      throw new Headers.BadRequestException("filterType must be TAG or SQL92, is " + type);
    }
  }

  private RemotingCommand peek(RemotingChannel channel, RemotingCommand request) {
    int max = Headers.integer(request, "max", MAX_PEEK);
    if (max < 1 || max > MAX_PEEK) {
      return refuse(
          channel, request, ResponseCode.SYSTEM_ERROR, "max must be 1.." + MAX_PEEK + ": " + max);
    }
    String after = Headers.string(request, "after", "");
    PeekCommand command =
        new PeekCommand(
            Headers.string(request, "group"),
            Headers.string(request, "topic"),
            max,
            filterType(request),
            Headers.string(request, "expression", "*"),
            after.isEmpty() ? null : position(after));
    service
        .peek(command)
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                log.error("Peek of {} for {} failed", command.topic(), channel, e);
                channel.writeResponse(
                    RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, e.toString()));
              } else if (r.status() != Status.OK) {
                int code =
                    r.status() == Status.ILLEGAL
                        ? ResponseCode.SUBSCRIPTION_PARSE_FAILED
                        : ResponseCodes.of(r.status());
                channel.writeResponse(refuse(channel, request, code, r.detail()));
              } else {
                channel.writeResponse(peeked(request, r));
              }
            });
    return null;
  }

  private static PeekPosition position(String csv) {
    try {
      return new PeekPosition(Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray());
    } catch (NumberFormatException e) {
      throw new Headers.BadRequestException("after is not a list of offsets: " + csv);
    }
  }

  /** The records back to back, as a pop answers them, and where the next peek goes on. */
  private static RemotingCommand peeked(RemotingCommand request, PeekResult r) {
    String next =
        Arrays.stream(r.next().nextOffsets())
            .mapToObj(Long::toString)
            .collect(Collectors.joining(","));
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .put("next", next)
        .put("count", r.messages().size())
        .body(PopMessageProcessor.records(r.messages()));
  }

  /** A client ID is a sole claim of a container-id in the default vhost (the AMQP door's too). */
  private RemotingCommand claim(RemotingChannel channel, RemotingCommand request) {
    String clientId = Headers.string(request, "clientId");
    Owned held = new Owned(channel, "clientId", clientId);
    if (!heldClientIds.contains(held)) {
      if (!clientIds.claim(DestinationNames.DEFAULT_VHOST, clientId, true)) {
        return refuse(
            channel,
            request,
            ResponseCode.WHARF_CLIENT_ID_IN_USE,
            "client ID " + clientId + " is in use by another connection");
      }
      heldClientIds.add(held);
    }
    atClose(channel, "clientId", clientId, () -> releaseClientId(held));
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  private RemotingCommand release(RemotingChannel channel, RemotingCommand request) {
    releaseClientId(new Owned(channel, "clientId", Headers.string(request, "clientId")));
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  private void releaseClientId(Owned held) {
    if (heldClientIds.remove(held)) {
      clientIds.release(DestinationNames.DEFAULT_VHOST, held.name());
    }
  }

  /**
   * Runs {@code action} on the service's admin threads once the connection closes (it may block:
   * the close hook runs on the connection's I/O thread); once per connection and item.
   */
  private void atClose(RemotingChannel channel, String kind, String name, Runnable action) {
    Owned key = new Owned(channel, kind, name);
    if (!owned.add(key)) {
      return;
    }
    channel.onClose(
        () ->
            service
                .administer(
                    () -> {
                      owned.remove(key);
                      action.run();
                      return null;
                    })
                .exceptionally(
                    e -> {
                      log.error("Clean-up of {} {} of closed {} failed", kind, name, channel, e);
                      return null;
                    }));
  }

  private static RemotingCommand refuse(
      RemotingChannel channel, RemotingCommand request, int code, String why) {
    log.warn("Refused request {} from {}: {}", request.code(), channel.remoteAddress(), why);
    return RemotingCommand.responseTo(request, code, why);
  }
}
