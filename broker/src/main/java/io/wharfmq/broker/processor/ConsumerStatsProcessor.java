package io.wharfmq.broker.processor;

import io.wharfmq.broker.BrokerContext;
import io.wharfmq.broker.client.ClientRegistry.ConsumerClient;
import io.wharfmq.broker.client.ClientRegistry.ProducerClient;
import io.wharfmq.broker.client.DoorConsumers.DoorConsumer;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RequestProcessor;
import io.wharfmq.remoting.protocol.FastjsonText;
import io.wharfmq.remoting.protocol.Headers;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.ConsumerData;
import io.wharfmq.remoting.protocol.body.MessageQueue;
import io.wharfmq.remoting.protocol.body.SubscriptionData;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer progress and connections for admin tools: GET_CONSUME_STATS (208),
 * GET_CONSUMER_CONNECTION_LIST (203), QUERY_TOPIC_CONSUME_BY_WHO (300), GET_CONSUMER_RUNNING_INFO
 * (307, forwarded to the named client, whose answer is returned) and, for producers,
 * GET_PRODUCER_CONNECTION_LIST (204). Bodies are what RocketMQ's MQClientAPIImpl parses;
 * ConsumeStats has queue-keyed maps in fastjson's form ({@link FastjsonText}). Thread-safe.
 */
public final class ConsumerStatsProcessor implements RequestProcessor {
  private static final Logger log = LoggerFactory.getLogger(ConsumerStatsProcessor.class);
  private static final long CLIENT_CALL_TIMEOUT_MILLIS = 5_000;

  /** The request codes this processor serves. */
  public static final int[] CODES = {
    RequestCode.GET_CONSUME_STATS,
    RequestCode.GET_CONSUMER_CONNECTION_LIST,
    RequestCode.QUERY_TOPIC_CONSUME_BY_WHO,
    RequestCode.GET_CONSUMER_RUNNING_INFO,
    RequestCode.GET_PRODUCER_CONNECTION_LIST
  };

  /** One queue's progress (RocketMQ OffsetWrapper). */
  record OffsetWrapper(
      long brokerOffset, long consumerOffset, long pullOffset, long lastTimestamp) {}

  /** One client connection (RocketMQ Connection). */
  record Connection(String clientId, String clientAddr, String language, int version) {}

  /** A group's members and subscriptions (RocketMQ ConsumerConnection). */
  record ConsumerConnection(
      List<Connection> connectionSet,
      Map<String, SubscriptionData> subscriptionTable,
      String consumeType,
      String messageModel,
      String consumeFromWhere) {}

  /** A producer group's connections (RocketMQ ProducerConnection). */
  record ProducerConnection(List<Connection> connectionSet) {}

  /** Groups consuming a topic (RocketMQ GroupList). */
  record GroupList(Set<String> groupList) {}

  private final BrokerContext ctx;

  public ConsumerStatsProcessor(BrokerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public RemotingCommand process(RemotingChannel channel, RemotingCommand request) {
    return switch (request.code()) {
      case RequestCode.GET_CONSUME_STATS -> consumeStats(request);
      case RequestCode.GET_CONSUMER_CONNECTION_LIST -> connections(request);
      case RequestCode.QUERY_TOPIC_CONSUME_BY_WHO -> consumedBy(request);
      case RequestCode.GET_CONSUMER_RUNNING_INFO -> runningInfo(channel, request);
      case RequestCode.GET_PRODUCER_CONNECTION_LIST -> producerConnections(request);
      default -> throw new IllegalArgumentException("not a consumer-stats code: " + request.code());
    };
  }

  /**
   * Per queue of each topic: the queue's max offset, the group's committed offset (0 if none, as
   * RocketMQ) and the store time of the last consumed message. Without a topic header: every topic
   * the group has offsets on. Topics an online group does not subscribe to are left out.
   */
  private RemotingCommand consumeStats(RemotingCommand request) {
    String group = Headers.string(request, "consumerGroup");
    String topicHeader = request.get("topic");
    Set<String> topics =
        topicHeader == null || topicHeader.isBlank()
            ? ctx.offsets().topicsOf(group)
            : Set.of(topicHeader);
    ConsumerData online = ctx.clients().consumerData(group);
    boolean subscribes =
        online != null
            && online.subscriptionDataSet() != null
            && !online.subscriptionDataSet().isEmpty();
    Map<MessageQueue, OffsetWrapper> table = new LinkedHashMap<>();
    for (String topic : new TreeSet<>(topics)) {
      TopicConfig config = ctx.topics().get(topic);
      if (config == null || (subscribes && ctx.clients().subscription(group, topic) == null)) {
        continue;
      }
      for (int q = 0; q < config.readQueueNums(); q++) {
        long brokerOffset = Math.max(0, ctx.store().maxOffset(topic, q));
        long consumerOffset = Math.max(0, ctx.offsets().query(group, topic, q));
        long last = consumerOffset > 0 ? ctx.store().storeTimeAt(topic, q, consumerOffset - 1) : 0;
        table.put(
            new MessageQueue(topic, ctx.config().brokerName(), q),
            new OffsetWrapper(brokerOffset, consumerOffset, consumerOffset, Math.max(0, last)));
      }
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .body(FastjsonText.withQueueTable("offsetTable", table, Map.of("consumeTps", 0.0)));
  }

  /**
   * The group's RocketMQ members, then its consumers of other doors (AMQP links: language OTHER,
   * version 0, client id {@code amqp:CONTAINER/LINK}). A group with only the latter answers their
   * connections with the consume settings of a POP consumer.
   */
  private RemotingCommand connections(RemotingCommand request) {
    String group = Headers.string(request, "consumerGroup");
    List<ConsumerClient> members = ctx.clients().consumers(group);
    ConsumerData data = ctx.clients().consumerData(group);
    List<DoorConsumer> doors = ctx.clients().doors().of(group);
    if ((members.isEmpty() || data == null) && doors.isEmpty()) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.CONSUMER_NOT_ONLINE,
          "the consumer group[" + group + "] not online");
    }
    List<Connection> connections = new ArrayList<>();
    Map<String, SubscriptionData> subscriptions = new TreeMap<>();
    for (ConsumerClient c : data == null ? List.<ConsumerClient>of() : members) {
      connections.add(
          new Connection(c.clientId(), c.channel().remoteAddress(), c.language(), c.version()));
      if (c.data().subscriptionDataSet() != null) {
        for (SubscriptionData s : c.data().subscriptionDataSet()) {
          subscriptions.merge(s.topic(), s, (a, b) -> a.subVersion() >= b.subVersion() ? a : b);
        }
      }
    }
    for (DoorConsumer d : doors) {
      connections.add(new Connection(d.clientId(), d.address(), "OTHER", 0));
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .body(
            RemotingJson.encode(
                new ConsumerConnection(
                    connections,
                    subscriptions,
                    data != null ? data.consumeType() : "CONSUME_POP",
                    data != null ? data.messageModel() : "CLUSTERING",
                    data != null ? data.consumeFromWhere() : "CONSUME_FROM_LAST_OFFSET")));
  }

  /**
   * The producers of a group that heartbeat to this broker, as RocketMQ: SYSTEM_ERROR when the
   * group has never had one here, an empty set when none is connected now.
   */
  private RemotingCommand producerConnections(RemotingCommand request) {
    String group = Headers.string(request, "producerGroup");
    List<ProducerClient> producers = ctx.clients().producers(group);
    if (producers == null) {
      return RemotingCommand.responseTo(
          request, ResponseCode.SYSTEM_ERROR, "the producer group[" + group + "] not exist");
    }
    List<Connection> connections = new ArrayList<>();
    for (ProducerClient p : producers) {
      connections.add(
          new Connection(p.clientId(), p.channel().remoteAddress(), p.language(), p.version()));
    }
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .body(RemotingJson.encode(new ProducerConnection(connections)));
  }

  /** Online groups subscribed to the topic and groups with offsets on it (as RocketMQ). */
  private RemotingCommand consumedBy(RemotingCommand request) {
    String topic = Headers.string(request, "topic");
    Set<String> groups = new TreeSet<>(ctx.clients().groupsSubscribing(topic));
    groups.addAll(ctx.offsets().groupsOf(topic));
    return RemotingCommand.responseTo(request, ResponseCode.SUCCESS, null)
        .body(RemotingJson.encode(new GroupList(groups)));
  }

  /** Forwards the request to the client and answers with its response. */
  private RemotingCommand runningInfo(RemotingChannel channel, RemotingCommand request) {
    String group = Headers.string(request, "consumerGroup");
    String clientId = Headers.string(request, "clientId");
    RemotingChannel client = null;
    for (ConsumerClient c : ctx.clients().consumers(group)) {
      if (c.clientId().equals(clientId) && c.channel().isActive()) {
        client = c.channel();
      }
    }
    if (client == null) {
      return RemotingCommand.responseTo(
          request,
          ResponseCode.SYSTEM_ERROR,
          "The Consumer <" + group + "> <" + clientId + "> not online");
    }
    RemotingCommand forward = RemotingCommand.request(RequestCode.GET_CONSUMER_RUNNING_INFO);
    forward.extFields(new LinkedHashMap<>(request.extFields()));
    forward.body(request.body());
    client
        .invoke(forward, CLIENT_CALL_TIMEOUT_MILLIS)
        .whenComplete(
            (answer, failure) -> {
              RemotingCommand response;
              if (failure != null) {
                log.warn(
                    "Consumer {} of {} did not answer running info: {}",
                    clientId,
                    group,
                    failure.toString());
                response =
                    RemotingCommand.responseTo(
                        request,
                        ResponseCode.SYSTEM_ERROR,
                        "invoke consumer " + clientId + " failed: " + failure);
              } else {
                response =
                    RemotingCommand.responseTo(request, answer.code(), answer.remark())
                        .body(answer.body());
                if (answer.hasExtFields()) {
                  response.extFields(new LinkedHashMap<>(answer.extFields()));
                }
              }
              channel.writeResponse(response);
            });
    return null;
  }
}
