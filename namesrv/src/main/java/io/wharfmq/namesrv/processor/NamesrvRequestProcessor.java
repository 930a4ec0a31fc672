package io.wharfmq.namesrv.processor;

import io.wharfmq.namesrv.kv.KvConfigTable;
import io.wharfmq.namesrv.route.RouteRegistry;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.RegisterBrokerBody;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.remoting.protocol.body.TopicList;
import io.wharfmq.remoting.protocol.body.TopicRouteData;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the name server's request codes (see docs/protocol-namesrv.md): broker registration and
 * unregistration, route and cluster lookups, the topic list. Bad input gets SYSTEM_ERROR with a
 * remark saying what was wrong, and a log line naming the peer. Thread-safe (state lives in the
 * {@link RouteRegistry}).
 */
public final class NamesrvRequestProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(NamesrvRequestProcessor.class);

  /** The request codes this processor serves. */
  public static final int[] CODES = {
    RequestCode.REGISTER_BROKER,
    RequestCode.UNREGISTER_BROKER,
    RequestCode.GET_ROUTEINFO_BY_TOPIC,
    RequestCode.GET_BROKER_CLUSTER_INFO,
    RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
    RequestCode.GET_TOPICS_BY_CLUSTER,
    RequestCode.DELETE_TOPIC_IN_NAMESRV,
    RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS,
    RequestCode.PUT_KV_CONFIG,
    RequestCode.GET_KV_CONFIG,
    RequestCode.DELETE_KV_CONFIG,
    RequestCode.GET_KVLIST_BY_NAMESPACE
  };

  private final RouteRegistry registry;
  private final KvConfigTable kvConfig = new KvConfigTable();

  public NamesrvRequestProcessor(RouteRegistry registry) {
    this.registry = registry;
  }

  /** The body of GET_KVLIST_BY_NAMESPACE (RocketMQ KVTable). */
  record KvTable(Map<String, String> table) {}

  /** The request was malformed; the message goes back to the peer as the remark. */
  private static final class BadRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    BadRequestException(String message) {
      super(message);
    }
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    try {
      return switch (request.code()) {
        case RequestCode.REGISTER_BROKER -> registerBroker(channel, request);
        case RequestCode.UNREGISTER_BROKER -> unregisterBroker(request);
        case RequestCode.GET_ROUTEINFO_BY_TOPIC -> routeInfo(request);
        case RequestCode.GET_BROKER_CLUSTER_INFO -> success(request, registry.clusterInfo());
        case RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER ->
            success(request, new TopicList(registry.allTopics(), null));
        case RequestCode.GET_TOPICS_BY_CLUSTER ->
            success(
                request,
                new TopicList(registry.topicsOfCluster(required(request, "cluster")), null));
        case RequestCode.DELETE_TOPIC_IN_NAMESRV -> deleteTopic(channel, request);
        case RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS -> systemTopics(request);
        case RequestCode.PUT_KV_CONFIG -> putKvConfig(channel, request);
        case RequestCode.GET_KV_CONFIG -> getKvConfig(request);
        case RequestCode.DELETE_KV_CONFIG -> deleteKvConfig(channel, request);
        case RequestCode.GET_KVLIST_BY_NAMESPACE -> kvList(request);
        default ->
            RemotingCommand.responseTo(
                request,
                ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
                " request type " + request.code() + " not supported");
      };
    } catch (BadRequestException e) {
      log.warn(
          "namesrv: rejected request code {} from {}: {}",
          request.code(),
          channel.remoteAddress(),
          e.getMessage());
      return RemotingCommand.responseTo(request, ResponseCode.SYSTEM_ERROR, e.getMessage());
    }
  }

  private RemotingCommand registerBroker(RemotingChannel channel, RemotingCommand request)
      throws BadRequestException {
    String clusterName = required(request, "clusterName");
    String brokerName = required(request, "brokerName");
    String brokerAddr = required(request, "brokerAddr");
    long brokerId = longField(request, "brokerId");
    if (brokerId < 0) {
      throw bad("REGISTER_BROKER header brokerId must be >= 0, is " + brokerId);
    }
    if (Boolean.parseBoolean(request.get("compressed"))) {
      throw bad("REGISTER_BROKER with a compressed body is not supported; send compressed=false");
    }
    byte[] body = request.body();
    String crc = request.get("bodyCrc32");
    if (crc != null && !crc.isEmpty() && !crc.equals("0")) {
      long expected = longField(request, "bodyCrc32");
      long actual = crc32(body);
      if (expected != actual) {
        throw bad(
            "REGISTER_BROKER body crc32 does not match: header bodyCrc32 "
                + expected
                + ", body "
                + actual);
      }
    }
    Map<String, TopicConfig> topics = topicConfigs(body);
    registry.register(clusterName, brokerName, brokerAddr, brokerId, topics, channel);
    RemotingCommand response = RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
    if (brokerId != 0) {
      // A slave learns its master from the answer; a master gets no header fields, as in RocketMQ.
      response.put("masterAddr", registry.masterAddress(brokerName));
    }
    return response;
  }

  /** The topics of a REGISTER_BROKER body; an absent body means none. */
  private static Map<String, TopicConfig> topicConfigs(byte[] body) throws BadRequestException {
    if (body == null || body.length == 0) {
      return Map.of();
    }
    RegisterBrokerBody parsed;
    try {
      parsed = RemotingJson.decode(body, RegisterBrokerBody.class);
    } catch (IllegalArgumentException e) {
      throw bad("REGISTER_BROKER " + e.getMessage());
    }
    if (parsed == null
        || parsed.topicConfigSerializeWrapper() == null
        || parsed.topicConfigSerializeWrapper().topicConfigTable() == null) {
      return Map.of();
    }
    Map<String, TopicConfig> topics = new LinkedHashMap<>();
    for (Map.Entry<String, TopicConfig> e :
        parsed.topicConfigSerializeWrapper().topicConfigTable().entrySet()) {
      String name = e.getKey();
      TopicConfig tc = e.getValue();
      if (name == null || name.isBlank() || tc == null) {
        throw bad("REGISTER_BROKER body has an empty topic name or config in topicConfigTable");
      }
      if (tc.readQueueNums() < 0 || tc.writeQueueNums() < 0) {
        throw bad(
            "REGISTER_BROKER body: topic "
                + name
                + " has negative queue numbers (read "
                + tc.readQueueNums()
                + ", write "
                + tc.writeQueueNums()
                + ")");
      }
      topics.put(name, tc);
    }
    return topics;
  }

  private RemotingCommand unregisterBroker(RemotingCommand request) throws BadRequestException {
    registry.unregister(
        required(request, "clusterName"),
        required(request, "brokerName"),
        required(request, "brokerAddr"),
        longField(request, "brokerId"));
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  private RemotingCommand deleteTopic(RemotingChannel channel, RemotingCommand request)
      throws BadRequestException {
    String topic = required(request, "topic");
    String cluster = request.get("clusterName");
    int groups = registry.deleteTopic(topic, cluster);
    log.info(
        "namesrv: {} asked to delete topic {}{}: {} broker groups had it",
        channel.remoteAddress(),
        topic,
        cluster == null || cluster.isEmpty() ? "" : " in cluster " + cluster,
        groups);
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  private RemotingCommand systemTopics(RemotingCommand request) {
    Map.Entry<java.util.Set<String>, String> topics = registry.systemTopics();
    return success(request, new TopicList(topics.getKey(), topics.getValue()));
  }

  private RemotingCommand putKvConfig(RemotingChannel channel, RemotingCommand request)
      throws BadRequestException {
    String namespace = required(request, "namespace");
    String key = required(request, "key");
    String value = request.get("value");
    if (value == null) {
      throw bad(codeName(request.code()) + " needs header field value");
    }
    kvConfig.put(namespace, key, value);
    log.info(
        "namesrv: {} set KV config {} {} = {}", channel.remoteAddress(), namespace, key, value);
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  private RemotingCommand getKvConfig(RemotingCommand request) throws BadRequestException {
    String namespace = required(request, "namespace");
    String key = required(request, "key");
    String value = kvConfig.get(namespace, key);
    if (value == null) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.QUERY_NOT_FOUND,
          "No config item, Namespace: " + namespace + " Key: " + key);
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null).put("value", value);
  }

  private RemotingCommand deleteKvConfig(RemotingChannel channel, RemotingCommand request)
      throws BadRequestException {
    String namespace = required(request, "namespace");
    String key = required(request, "key");
    if (kvConfig.delete(namespace, key)) {
      log.info("namesrv: {} deleted KV config {} {}", channel.remoteAddress(), namespace, key);
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null);
  }

  private RemotingCommand kvList(RemotingCommand request) throws BadRequestException {
    String namespace = required(request, "namespace");
    Map<String, String> table = kvConfig.namespace(namespace);
    if (table == null) {
      return RemotingCommand.responseTo(
          request, ResponseCode.QUERY_NOT_FOUND, "No config item, Namespace: " + namespace);
    }
    return success(request, new KvTable(table));
  }

  private RemotingCommand routeInfo(RemotingCommand request) throws BadRequestException {
    String topic = required(request, "topic");
    TopicRouteData route = registry.routeFor(topic);
    if (route == null) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.TOPIC_NOT_EXIST,
          "No topic route info in name server for the topic: " + topic);
    }
    return success(request, route);
  }

  private static RemotingCommand success(RemotingCommand request, Object body) {
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .body(RemotingJson.encode(body));
  }

  /** CRC32 of the body masked to 31 bits, as RocketMQ's UtilAll.crc32; 0 for no body. */
  static long crc32(byte[] body) {
    if (body == null || body.length == 0) {
      return 0;
    }
    CRC32 crc = new CRC32();
    crc.update(body);
    return crc.getValue() & 0x7FFFFFFF;
  }

  private static String required(RemotingCommand request, String key) throws BadRequestException {
    String v = request.get(key);
    if (v == null || v.isBlank()) {
      throw bad(codeName(request.code()) + " needs header field " + key);
    }
    return v;
  }

  private static long longField(RemotingCommand request, String key) throws BadRequestException {
    String v = required(request, key);
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw bad(codeName(request.code()) + " header " + key + " is not a number: " + v);
    }
  }

  private static String codeName(int code) {
    return switch (code) {
      case RequestCode.REGISTER_BROKER -> "REGISTER_BROKER";
      case RequestCode.UNREGISTER_BROKER -> "UNREGISTER_BROKER";
      case RequestCode.GET_ROUTEINFO_BY_TOPIC -> "GET_ROUTEINFO_BY_TOPIC";
      case RequestCode.GET_TOPICS_BY_CLUSTER -> "GET_TOPICS_BY_CLUSTER";
      case RequestCode.DELETE_TOPIC_IN_NAMESRV -> "DELETE_TOPIC_IN_NAMESRV";
      case RequestCode.PUT_KV_CONFIG -> "PUT_KV_CONFIG";
      case RequestCode.GET_KV_CONFIG -> "GET_KV_CONFIG";
      case RequestCode.DELETE_KV_CONFIG -> "DELETE_KV_CONFIG";
      case RequestCode.GET_KVLIST_BY_NAMESPACE -> "GET_KVLIST_BY_NAMESPACE";
      default -> "request code " + code;
    };
  }

  private static BadRequestException bad(String message) {
    return new BadRequestException(message);
  }
}
