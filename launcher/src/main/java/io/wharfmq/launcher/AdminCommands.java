package io.wharfmq.launcher;

import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.netty.RemotingException;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.BrokerData;
import io.wharfmq.remoting.protocol.body.ClusterInfo;
import io.wharfmq.remoting.protocol.body.QueueData;
import io.wharfmq.remoting.protocol.body.TopicList;
import io.wharfmq.remoting.protocol.body.TopicRouteData;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.RecordSequence;
import io.wharfmq.store.format.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wharf admin …}: operator commands over the RocketMQ remoting protocol, so they also work
 * against Apache RocketMQ where the request codes are the same. Each command opens one client,
 * talks to the name server and brokers, prints plain text and exits non-zero on failure.
 */
@Command(
    name = "admin",
    description = "Administer topics, consumer groups, vhosts, routes, offsets and messages.",
    subcommands = {
      AdminCommands.Topics.class,
      AdminCommands.CreateTopic.class,
      AdminCommands.DeleteTopic.class,
      AdminCommands.Route.class,
      AdminCommands.Offsets.class,
      AdminCommands.Lag.class,
      AdminCommands.Query.class,
      AdminCommands.ResendDlq.class,
      AdminCommands.ResetOffset.class,
      GroupCommands.Groups.class,
      GroupCommands.Show.class,
      GroupCommands.Update.class,
      GroupCommands.Delete.class,
      GroupCommands.Progress.class,
      GroupCommands.Cluster.class,
      VhostCommands.class
    })
final class AdminCommands implements Runnable {
  static final long TIMEOUT = 5000;

  @Override
  public void run() {
    picocli.CommandLine.usage(this, System.out);
  }

  /** Options and helpers every admin command shares. */
  abstract static class AdminCommand implements Callable<Integer> {
    @Option(names = "--namesrv", defaultValue = "127.0.0.1:9876", description = "Name server.")
    String namesrv;

    @picocli.CommandLine.Mixin TlsClientOptions tlsOptions = new TlsClientOptions();

    RemotingClient client;

    /** The TLS of the options, or null: for the native clients some commands use. */
    io.wharfmq.tls.ClientTls tls;

    @Override
    public final Integer call() throws Exception {
      try {
        tls = tlsOptions.clientTls();
      } catch (IllegalArgumentException e) {
        System.err.println("wharf admin: " + e.getMessage());
        return 1;
      }
      client = new RemotingClient("wharf-admin", tls);
      try {
        return execute();
      } catch (AdminFailure e) {
        System.err.println("wharf admin: " + e.getMessage());
        return 1;
      } finally {
        client.shutdown();
      }
    }

    abstract int execute() throws Exception;

    RemotingCommand call(String address, RemotingCommand request) throws Exception {
      try {
        return client.invokeSync(address, request, TIMEOUT);
      } catch (RemotingException e) {
        throw new AdminFailure(e.getMessage());
      }
    }

    RemotingCommand ok(String address, RemotingCommand request) throws Exception {
      RemotingCommand r = call(address, request);
      if (r.code() != ResponseCode.SUCCESS) {
        throw new AdminFailure(address + " answered " + r.code() + ": " + r.remark());
      }
      return r;
    }

    TopicRouteData route(String topic) throws Exception {
      RemotingCommand r =
          call(
              namesrv,
              RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC).put("topic", topic));
      if (r.code() != ResponseCode.SUCCESS) {
        throw new AdminFailure("no route for topic " + topic + ": " + r.remark());
      }
      return RemotingJson.decode(r.body(), TopicRouteData.class);
    }

    /** The name server's clusters and brokers (GET_BROKER_CLUSTER_INFO). */
    ClusterInfo clusterInfo() throws Exception {
      return RemotingJson.decode(
          ok(namesrv, RemotingCommand.request(RequestCode.GET_BROKER_CLUSTER_INFO)).body(),
          ClusterInfo.class);
    }

    List<String> masters() throws Exception {
      List<String> out = new ArrayList<>();
      for (BrokerData b : clusterInfo().brokerAddrTable().values()) {
        if (b.masterAddress() != null) {
          out.add(b.masterAddress());
        }
      }
      return out;
    }

    String master(TopicRouteData route, String brokerName) {
      for (BrokerData b : route.brokerDatas()) {
        if (b.brokerName().equals(brokerName)) {
          return b.masterAddress();
        }
      }
      throw new AdminFailure("no master address for broker " + brokerName);
    }

    /** Visits every readable queue of a route, with its broker's master address. */
    void forEachQueue(TopicRouteData route, QueueVisitor visitor) throws Exception {
      for (QueueData q : route.queueDatas()) {
        String address = master(route, q.brokerName());
        for (int i = 0; i < q.readQueueNums(); i++) {
          visitor.visit(q.brokerName(), address, i);
        }
      }
    }

    long number(String address, int code, String topic, int queueId, String field)
        throws Exception {
      return Long.parseLong(
          ok(address, RemotingCommand.request(code).put("topic", topic).put("queueId", queueId))
              .get(field));
    }
  }

  /** One queue of a route. */
  @FunctionalInterface
  interface QueueVisitor {
    void visit(String brokerName, String address, int queueId) throws Exception;
  }

  /** A failure to report in one line. */
  static final class AdminFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AdminFailure(String message) {
      super(message);
    }
  }

  @Command(name = "topics", description = "List every topic the name server routes.")
  static final class Topics extends AdminCommand {
    @Override
    int execute() throws Exception {
      TopicList list =
          RemotingJson.decode(
              ok(namesrv, RemotingCommand.request(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER))
                  .body(),
              TopicList.class);
      new TreeSet<>(list.topicList()).forEach(System.out::println);
      return 0;
    }
  }

  @Command(name = "create-topic", description = "Create or update a topic on every broker.")
  static final class CreateTopic extends AdminCommand {
    @Option(names = "--topic", required = true, description = "Topic.")
    String topic;

    @Option(names = "--queues", defaultValue = "8", description = "Queues per broker.")
    int queues;

    @Option(names = "--perm", defaultValue = "6", description = "4 read, 2 write, 6 both.")
    int perm;

    @Option(names = "--order", defaultValue = "false", description = "Ordered topic.")
    boolean order;

    @Override
    int execute() throws Exception {
      for (String broker : masters()) {
        ok(
            broker,
            RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_TOPIC)
                .put("topic", topic)
                .put("defaultTopic", "TBW102")
                .put("readQueueNums", queues)
                .put("writeQueueNums", queues)
                .put("perm", perm)
                .put("topicFilterType", "SINGLE_TAG")
                .put("topicSysFlag", 0)
                .put("order", order));
        System.out.println("created " + topic + " with " + queues + " queues on " + broker);
      }
      return 0;
    }
  }

  @Command(name = "delete-topic", description = "Delete a topic on every broker.")
  static final class DeleteTopic extends AdminCommand {
    @Option(names = "--topic", required = true, description = "Topic.")
    String topic;

    @Override
    int execute() throws Exception {
      for (String broker : masters()) {
        ok(broker, RemotingCommand.request(RequestCode.DELETE_TOPIC_IN_BROKER).put("topic", topic));
        System.out.println("deleted " + topic + " on " + broker);
      }
      return 0;
    }
  }

  @Command(name = "route", description = "Show a topic's brokers and queues.")
  static final class Route extends AdminCommand {
    @Option(names = "--topic", required = true, description = "Topic.")
    String topic;

    @Override
    int execute() throws Exception {
      TopicRouteData route = route(topic);
      for (QueueData q : route.queueDatas()) {
        System.out.printf(
            "%s %s read=%d write=%d perm=%d%n",
            q.brokerName(),
            master(route, q.brokerName()),
            q.readQueueNums(),
            q.writeQueueNums(),
            q.perm());
      }
      return 0;
    }
  }

  @Command(name = "offsets", description = "Min and max offset of every queue of a topic.")
  static final class Offsets extends AdminCommand {
    @Option(names = "--topic", required = true, description = "Topic.")
    String topic;

    @Override
    int execute() throws Exception {
      System.out.println("broker queue min max");
      forEachQueue(
          route(topic),
          (broker, address, queue) -> {
            long min = number(address, RequestCode.GET_MIN_OFFSET, topic, queue, "offset");
            long max = number(address, RequestCode.GET_MAX_OFFSET, topic, queue, "offset");
            System.out.printf("%s %d %d %d%n", broker, queue, min, max);
          });
      return 0;
    }
  }

  @Command(name = "lag", description = "A consumer group's committed offsets and lag per queue.")
  static final class Lag extends AdminCommand {
    @Option(names = "--topic", required = true, description = "Topic.")
    String topic;

    @Option(names = "--group", required = true, description = "Consumer group.")
    String group;

    @Override
    int execute() throws Exception {
      long[] total = {0};
      System.out.println("broker queue committed max lag");
      forEachQueue(
          route(topic),
          (broker, address, queue) -> {
            long max = number(address, RequestCode.GET_MAX_OFFSET, topic, queue, "offset");
            RemotingCommand r =
                call(
                    address,
                    RemotingCommand.request(RequestCode.QUERY_CONSUMER_OFFSET)
                        .put("consumerGroup", group)
                        .put("topic", topic)
                        .put("queueId", queue)
                        .put("setZeroIfNotFound", false));
            long committed =
                r.code() == ResponseCode.SUCCESS ? Long.parseLong(r.get("offset")) : -1;
            long lag = committed < 0 ? max : Math.max(0, max - committed);
            total[0] += lag;
            System.out.printf(
                "%s %d %s %d %d%n",
                broker, queue, committed < 0 ? "-" : Long.toString(committed), max, lag);
          });
      System.out.println("total lag " + total[0]);
      return 0;
    }
  }

  @Command(name = "query", description = "Find messages by key or by unique id (msgId).")
  static final class Query extends AdminCommand {
    @Option(names = "--topic", required = true, description = "Topic.")
    String topic;

    @Option(names = "--key", description = "A KEYS value.")
    String key;

    @Option(names = "--id", description = "A message id (UNIQ_KEY).")
    String id;

    @Override
    int execute() throws Exception {
      if ((key == null) == (id == null)) {
        throw new AdminFailure("give exactly one of --key and --id");
      }
      TopicRouteData route = route(topic);
      int found = 0;
      for (BrokerData b : route.brokerDatas()) {
        RemotingCommand r =
            call(
                b.masterAddress(),
                RemotingCommand.request(RequestCode.QUERY_MESSAGE)
                    .put("topic", topic)
                    .put("key", key != null ? key : id)
                    .put("maxNum", 32)
                    .put("beginTimestamp", 0)
                    .put("endTimestamp", Long.MAX_VALUE)
                    .put("_UNIQUE_KEY_QUERY", id != null));
        if (r.code() != ResponseCode.SUCCESS || r.body() == null) {
          continue;
        }
        RecordSequence.Decoded decoded = RecordSequence.decode(r.body());
        if (decoded.malformed() != null) {
          System.err.println(
              "wharf admin: malformed answer from " + b.brokerName() + ": " + decoded.malformed());
        }
        for (StoredMessage m : decoded.records()) {
          found++;
          System.out.printf(
              "%s queue=%d offset=%d msgId=%s keys=%s body=%s%n",
              b.brokerName(),
              m.queueId(),
              m.queueOffset(),
              MessageProperties.find(m.properties(), MessageProperties.UNIQ_KEY),
              MessageProperties.find(m.properties(), MessageProperties.KEYS),
              new String(m.body(), StandardCharsets.UTF_8));
        }
      }
      if (found == 0) {
        throw new AdminFailure("no message found");
      }
      return 0;
    }
  }

  @Command(
      name = "resend-dlq",
      description = "Send a group's dead letters back to their original topics.")
  static final class ResendDlq extends AdminCommand {
    /** Properties the broker or client sets; a re-sent message gets fresh ones. */
    private static final java.util.Set<String> SYSTEM =
        java.util.Set.of(
            "TAGS",
            "KEYS",
            "UNIQ_KEY",
            "RETRY_TOPIC",
            "DELAY",
            "REAL_TOPIC",
            "REAL_QID",
            "WAIT",
            "MIN_OFFSET",
            "MAX_OFFSET",
            "CLUSTER",
            "MSG_REGION",
            "TRACE_ON");

    @Option(names = "--group", required = true, description = "Consumer group.")
    String group;

    @Option(names = "--max", defaultValue = "10000", description = "Re-send at most this many.")
    int max;

    @Override
    int execute() throws Exception {
      String dlq = "%DLQ%" + group;
      List<io.wharfmq.client.MessageQueue> queues = new ArrayList<>();
      forEachQueue(
          route(dlq),
          (broker, address, queue) ->
              queues.add(new io.wharfmq.client.MessageQueue(dlq, broker, queue)));
      int resent = 0;
      try (io.wharfmq.client.LitePullConsumer reader =
              io.wharfmq.client.LitePullConsumer.builder()
                  .namesrvAddr(namesrv)
                  .tls(tls)
                  .consumerGroup("wharf-dlq-resend-" + group)
                  .consumeFrom(io.wharfmq.client.ConsumeFrom.FIRST)
                  .autoCommit(false)
                  .build();
          io.wharfmq.client.Producer producer =
              io.wharfmq.client.Producer.builder()
                  .namesrvAddr(namesrv)
                  .tls(tls)
                  .producerGroup("wharf-dlq-resend")
                  .build()) {
        reader.assign(queues);
        while (resent < max) {
          List<io.wharfmq.client.MessageView> batch = reader.poll(java.time.Duration.ofSeconds(2));
          if (batch.isEmpty()) {
            break;
          }
          for (io.wharfmq.client.MessageView m : batch) {
            String target = m.properties().get("RETRY_TOPIC");
            if (target == null || resent >= max) {
              continue;
            }
            java.util.Map<String, String> props = new java.util.LinkedHashMap<>(m.properties());
            props.keySet().removeAll(SYSTEM);
            producer.send(
                new io.wharfmq.client.Message(target, m.tags(), m.keys(), m.body(), props));
            resent++;
          }
        }
        reader.commit();
      }
      System.out.println("resent " + resent + " message(s) from " + dlq);
      return 0;
    }
  }

  @Command(
      name = "reset-offset",
      description =
          "Move a group's offsets on a topic to a time, while its consumers run (they replay).")
  static final class ResetOffset extends AdminCommand {
    @Option(names = "--topic", required = true, description = "Topic.")
    String topic;

    @Option(names = "--group", required = true, description = "Consumer group.")
    String group;

    @Option(
        names = "--time",
        required = true,
        description = "ISO-8601 instant (2026-11-21T10:00:00Z), epoch milliseconds, or 'end'.")
    String time;

    @Override
    int execute() throws Exception {
      long timestamp;
      if (time.equals("end")) {
        timestamp = -1;
      } else if (time.matches("\\d+")) {
        timestamp = Long.parseLong(time);
      } else {
        try {
          timestamp = java.time.Instant.parse(time).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
          throw new AdminFailure("--time must be an ISO-8601 instant, epoch ms or 'end': " + time);
        }
      }
      TopicRouteData route = route(topic);
      for (BrokerData b : route.brokerDatas()) {
        RemotingCommand r =
            ok(
                b.masterAddress(),
                RemotingCommand.request(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET)
                    .put("topic", topic)
                    .put("group", group)
                    .put("timestamp", timestamp)
                    .put("isForce", true));
        System.out.println(b.brokerName() + ": " + new String(r.body(), StandardCharsets.UTF_8));
      }
      return 0;
    }
  }
}
