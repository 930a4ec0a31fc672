package io.wharfmq.launcher;

import io.wharfmq.launcher.AdminCommands.AdminCommand;
import io.wharfmq.launcher.AdminCommands.AdminFailure;
import io.wharfmq.remoting.protocol.FastjsonText;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.BrokerData;
import io.wharfmq.remoting.protocol.body.ClusterInfo;
import io.wharfmq.remoting.protocol.body.MessageQueue;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupWrapper;
import io.wharfmq.remoting.protocol.body.TopicRouteData;
import io.wharfmq.service.DestinationNames;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wharf admin} commands for consumer groups, their progress and the cluster: the request
 * codes RocketMQ's own admin tools use (200, 201, 207, 208, 28), so they work against Apache
 * RocketMQ brokers too. Group settings go to every master unless {@code --broker} names one.
 */
final class GroupCommands {
  private GroupCommands() {}

  /** Commands that act on every master, or on the one --broker names. */
  abstract static class BrokersCommand extends AdminCommand {
    @Option(names = "--broker", description = "One broker address (default: every master).")
    String broker;

    List<String> targets() throws Exception {
      return broker != null ? List.of(broker) : masters();
    }
  }

  /** Commands on one group (--group), on every master or the one --broker names. */
  abstract static class OneGroupCommand extends BrokersCommand {
    @Option(names = "--group", required = true, description = "Consumer group.")
    String group;
  }

  @Command(
      name = "groups",
      description =
          "List the consumer groups of every broker, with their online consumers (RocketMQ clients"
              + " and AMQP links) and, for an AMQP/RabbitMQ-style queue's group, the queue.")
  static final class Groups extends BrokersCommand {
    @Override
    int execute() throws Exception {
      System.out.println(
          "broker group consumeEnable retryMaxTimes retryQueueNums orderly consumers queue");
      for (String address : targets()) {
        for (SubscriptionGroupConfig c : all(this, address).values()) {
          System.out.printf(
              "%s %s %s %d %d %s %d %s%n",
              address,
              c.groupName(),
              c.consumeEnable(),
              c.retryMaxTimes(),
              c.retryQueueNums(),
              c.consumeMessageOrderly(),
              consumers(this, address, c.groupName()),
              queueOf(c.groupName()));
        }
      }
      return 0;
    }
  }

  /**
   * How many consumers of the group are online on the broker (GET_CONSUMER_CONNECTION_LIST): its
   * RocketMQ clients and, on Wharf, its AMQP consumer links. 0 when none (CONSUMER_NOT_ONLINE).
   */
  static int consumers(AdminCommand cmd, String address, String group) throws Exception {
    RemotingCommand r =
        cmd.call(
            address,
            RemotingCommand.request(RequestCode.GET_CONSUMER_CONNECTION_LIST)
                .put("consumerGroup", group));
    if (r.code() != ResponseCode.SUCCESS || r.body() == null) {
      return 0;
    }
    Object body = FastjsonText.parse(r.body());
    Object set = body instanceof Map<?, ?> m ? m.get("connectionSet") : null;
    return set instanceof java.util.Collection<?> c ? c.size() : 0;
  }

  /**
   * The queue an AMQP queue group ({@code amqp-queue|TOPIC}) consumes, as {@code vhost=V
   * queue=NAME} (unescaped; {@code queue-topic=TOPIC} when its name was shortened), else "-".
   */
  static String queueOf(String group) {
    if (!group.startsWith(DestinationNames.QUEUE_GROUP)) {
      return "-";
    }
    String topic = group.substring(DestinationNames.QUEUE_GROUP.length());
    String[] vn = DestinationNames.vhostAndName(topic);
    return vn == null ? "queue-topic=" + topic : "vhost=" + vn[0] + " queue=" + vn[1];
  }

  /** Every group of one broker (GET_ALL_SUBSCRIPTIONGROUP_CONFIG). */
  static Map<String, SubscriptionGroupConfig> all(AdminCommand cmd, String address)
      throws Exception {
    SubscriptionGroupWrapper all =
        RemotingJson.decode(
            cmd.ok(address, RemotingCommand.request(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG))
                .body(),
            SubscriptionGroupWrapper.class);
    return all.subscriptionGroupTable() == null
        ? Map.of()
        : new TreeMap<>(all.subscriptionGroupTable());
  }

  /**
   * One group of one broker, or null. Read from the whole table, as DefaultMQAdminExt does: the
   * single-group code (352) creates the group on RocketMQ 5.3.3 and later brokers with
   * autoCreateSubscriptionGroup on, so it cannot tell whether a group exists.
   */
  static SubscriptionGroupConfig fetch(AdminCommand cmd, String address, String group)
      throws Exception {
    return all(cmd, address).get(group);
  }

  @Command(name = "group", description = "Show one consumer group's settings on every broker.")
  static final class Show extends OneGroupCommand {
    @Override
    int execute() throws Exception {
      int found = 0;
      for (String address : targets()) {
        SubscriptionGroupConfig c = fetch(this, address, group);
        if (c != null) {
          found++;
          System.out.println(
              address
                  + " "
                  + RemotingJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(c));
        }
      }
      if (found == 0) {
        throw new AdminFailure("no broker has group " + group);
      }
      return 0;
    }
  }

  @Command(
      name = "update-group",
      description = "Create a consumer group or change its settings; options left out keep theirs.")
  static final class Update extends OneGroupCommand {
    @Option(names = "--retry-max-times", description = "Deliveries before the DLQ.")
    Integer retryMaxTimes;

    @Option(names = "--retry-queues", description = "Queues of the retry topic.")
    Integer retryQueueNums;

    @Option(names = "--consume-enable", arity = "1", description = "false stops consumption.")
    Boolean consumeEnable;

    @Option(names = "--orderly", arity = "1")
    Boolean orderly;

    @Option(names = "--broadcast-enable", arity = "1")
    Boolean broadcastEnable;

    @Option(names = "--notify-ids-changed", arity = "1")
    Boolean notifyIdsChanged;

    @Override
    int execute() throws Exception {
      for (String address : targets()) {
        SubscriptionGroupConfig old = fetch(this, address, group);
        SubscriptionGroupConfig c =
            old != null
                ? old
                : SubscriptionGroupConfig.defaults(
                    group, SubscriptionGroupConfig.DEFAULT_RETRY_MAX_TIMES);
        SubscriptionGroupConfig updated =
            new SubscriptionGroupConfig(
                group,
                consumeEnable != null ? consumeEnable : c.consumeEnable(),
                c.consumeFromMinEnable(),
                broadcastEnable != null ? broadcastEnable : c.consumeBroadcastEnable(),
                orderly != null ? orderly : c.consumeMessageOrderly(),
                retryQueueNums != null ? retryQueueNums : c.retryQueueNums(),
                retryMaxTimes != null ? retryMaxTimes : c.retryMaxTimes(),
                c.groupRetryPolicy(),
                c.brokerId(),
                c.whichBrokerWhenConsumeSlowly(),
                notifyIdsChanged != null ? notifyIdsChanged : c.notifyConsumerIdsChangedEnable(),
                c.groupSysFlag(),
                c.consumeTimeoutMinute(),
                c.subscriptionDataSet(),
                c.attributes());
        String problem = updated.problem();
        if (problem != null) {
          throw new AdminFailure(problem);
        }
        ok(
            address,
            RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP)
                .body(RemotingJson.encode(updated)));
        System.out.printf(
            "%s group %s on %s: consumeEnable=%s retryMaxTimes=%d retryQueueNums=%d%n",
            old == null ? "created" : "updated",
            group,
            address,
            updated.consumeEnable(),
            updated.retryMaxTimes(),
            updated.retryQueueNums());
      }
      return 0;
    }
  }

  @Command(name = "delete-group", description = "Delete a consumer group on every broker.")
  static final class Delete extends OneGroupCommand {
    @Option(names = "--clean-offset", description = "Also forget the group's offsets.")
    boolean cleanOffset;

    @Override
    int execute() throws Exception {
      for (String address : targets()) {
        ok(
            address,
            RemotingCommand.request(RequestCode.DELETE_SUBSCRIPTIONGROUP)
                .put("groupName", group)
                .put("cleanOffset", cleanOffset));
        System.out.println("deleted group " + group + " on " + address);
      }
      return 0;
    }
  }

  @Command(
      name = "progress",
      description =
          "A group's progress per queue (GET_CONSUME_STATS): broker offset, consumer offset, lag.")
  static final class Progress extends AdminCommand {
    @Option(names = "--group", required = true, description = "Consumer group.")
    String group;

    @Option(names = "--topic", description = "Only this topic (default: every topic consumed).")
    String topic;

    /**
     * Without --topic, brokers are found through the route of the group's retry topic; an AMQP
     * queue's group has none (its consumers pop), so through its queue's topic.
     */
    private static String defaultTopic(String group) {
      return group.startsWith(DestinationNames.QUEUE_GROUP)
          ? group.substring(DestinationNames.QUEUE_GROUP.length())
          : "%RETRY%" + group;
    }

    /** One queue's figures as parsed. */
    record Row(long brokerOffset, long consumerOffset, long lastTimestamp) {}

    @Override
    int execute() throws Exception {
      TopicRouteData route = route(topic != null ? topic : defaultTopic(group));
      Map<MessageQueue, Row> rows = new TreeMap<>(QUEUE_ORDER);
      for (BrokerData b : route.brokerDatas()) {
        RemotingCommand request =
            RemotingCommand.request(RequestCode.GET_CONSUME_STATS).put("consumerGroup", group);
        if (topic != null) {
          request.put("topic", topic);
        }
        Object stats = FastjsonText.parse(ok(b.masterAddress(), request).body());
        Object table = stats instanceof Map<?, ?> m ? m.get("offsetTable") : null;
        rows.putAll(
            FastjsonText.queueTable(
                table,
                v ->
                    new Row(
                        FastjsonText.number(v.get("brokerOffset")).longValue(),
                        FastjsonText.number(v.get("consumerOffset")).longValue(),
                        FastjsonText.number(v.get("lastTimestamp")).longValue())));
      }
      System.out.println("topic broker queue brokerOffset consumerOffset lag lastConsumed");
      long total = 0;
      for (Map.Entry<MessageQueue, Row> e : rows.entrySet()) {
        Row r = e.getValue();
        long lag = Math.max(0, r.brokerOffset() - r.consumerOffset());
        total += lag;
        System.out.printf(
            "%s %s %d %d %d %d %s%n",
            e.getKey().topic(),
            e.getKey().brokerName(),
            e.getKey().queueId(),
            r.brokerOffset(),
            r.consumerOffset(),
            lag,
            r.lastTimestamp() > 0 ? Instant.ofEpochMilli(r.lastTimestamp()).toString() : "-");
      }
      System.out.println("total lag " + total);
      return 0;
    }
  }

  static final java.util.Comparator<MessageQueue> QUEUE_ORDER =
      java.util.Comparator.comparing(MessageQueue::topic)
          .thenComparing(MessageQueue::brokerName)
          .thenComparingInt(MessageQueue::queueId);

  @Command(name = "cluster", description = "Brokers of every cluster with their runtime figures.")
  static final class Cluster extends AdminCommand {
    @Override
    int execute() throws Exception {
      ClusterInfo info = clusterInfo();
      System.out.println("cluster broker id address version putTps getTps stored delivered");
      for (Map.Entry<String, java.util.Set<String>> c :
          new TreeMap<>(info.clusterAddrTable()).entrySet()) {
        for (String name : new java.util.TreeSet<>(c.getValue())) {
          BrokerData b = info.brokerAddrTable().get(name);
          if (b == null) {
            continue;
          }
          for (Map.Entry<String, String> a : new TreeMap<>(b.brokerAddrs()).entrySet()) {
            Map<String, String> kv = runtimeInfo(a.getValue());
            System.out.printf(
                "%s %s %s %s %s %s %s %s %s%n",
                c.getKey(),
                name,
                a.getKey(),
                a.getValue(),
                kv.getOrDefault("brokerVersionDesc", "-"),
                first(kv.get("putTps")),
                first(kv.get("getTransferredTps")),
                kv.getOrDefault("msgPutTotalTodayNow", "-"),
                kv.getOrDefault("msgGetTotalTodayNow", "-"));
          }
        }
      }
      return 0;
    }

    private Map<String, String> runtimeInfo(String address) throws Exception {
      RemotingCommand r =
          call(address, RemotingCommand.request(RequestCode.GET_BROKER_RUNTIME_INFO));
      if (r.code() != ResponseCode.SUCCESS || r.body() == null) {
        return Map.of();
      }
      RuntimeTable t = RemotingJson.decode(r.body(), RuntimeTable.class);
      return t.table() == null ? Map.of() : t.table();
    }

    private static String first(String tps) {
      return tps == null || tps.isBlank() ? "-" : tps.trim().split(" ")[0];
    }
  }

  /** GET_BROKER_RUNTIME_INFO's body (RocketMQ KVTable). */
  record RuntimeTable(Map<String, String> table) {}
}
