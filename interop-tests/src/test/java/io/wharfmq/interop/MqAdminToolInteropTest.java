package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.protocol.admin.ConsumeStats;
import org.apache.rocketmq.remoting.protocol.admin.OffsetWrapper;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache RocketMQ's {@code mqadmin} (MQAdminStartup of rocketmq-tools 5.3.1, run in this JVM)
 * against a real Wharf cluster: a name server and two brokers, broker-a and broker-b, of cluster
 * DefaultCluster. Each command's output is checked for the values that matter. docs/admin.md
 * ("mqadmin against Wharf") lists the commands and what each gives.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MqAdminToolInteropTest {
  private static final String CLUSTER = "DefaultCluster";

  @TempDir Path dir;
  final OfficialClients clients = new OfficialClients();
  Broker a;
  Broker b;
  String ns;
  DefaultMQAdminExt admin;

  @BeforeEach
  void startCluster() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    a = cluster.startBroker("broker-a");
    b = cluster.startBroker("broker-b");
    ns = cluster.namesrvAddr();
    admin = clients.admin(ns);
  }

  @AfterEach
  void stop() {
    clients.close();
  }

  /** The tool in its own JVM, as an operator runs it (sendMessage, consumeMessage). */
  private String okInChildJvm(String command, String... args) throws Exception {
    String[] full = new String[args.length + 3];
    full[0] = command;
    full[1] = "-n";
    full[2] = ns;
    System.arraycopy(args, 0, full, 3, args.length);
    MqAdmin.Output o = MqAdmin.runInChildJvm(dir.resolve("tool"), full);
    assertThat(o.err()).as(o.toString()).doesNotContain("Exception");
    return o.out();
  }

  private MqAdmin.Output mqadmin(String command, String... args) {
    String[] full = new String[args.length + 3];
    full[0] = command;
    full[1] = "-n";
    full[2] = ns;
    System.arraycopy(args, 0, full, 3, args.length);
    return MqAdmin.run(full);
  }

  /** Runs a command that must succeed: nothing on stderr. */
  private String ok(String command, String... args) {
    MqAdmin.Output o = mqadmin(command, args);
    assertThat(o.err()).as(o.toString()).doesNotContain("Exception");
    return o.out();
  }

  @Test
  void clusterListBrokerStatusAndBrokerConfig() throws Exception {
    assertThat(ok("clusterList"))
        .containsPattern(row(CLUSTER, "broker-a", "0", a.address(), "V5_3_1"))
        .containsPattern(row(CLUSTER, "broker-b", "0", b.address(), "V5_3_1"));

    DefaultMQProducer producer = clients.producer(ns);
    for (int i = 0; i < 3; i++) {
      producer.send(
          new Message("Counted", "m".getBytes(StandardCharsets.UTF_8)), queueOn("broker-a"), null);
    }
    String status = ok("brokerStatus", "-b", a.address());
    assertThat(status)
        .containsPattern("(?m)^brokerName +: broker-a$")
        .containsPattern("(?m)^brokerClusterName +: DefaultCluster$")
        .containsPattern("(?m)^brokerVersionDesc +: V5_3_1$");
    assertThat(field(status, "msgPutTotalTodayNow")).isGreaterThanOrEqualTo(3);
    assertThat(ok("brokerStatus", "-c", CLUSTER))
        .contains(a.address())
        .contains(b.address())
        .containsPattern("brokerName +: broker-b");

    String config = ok("getBrokerConfig", "-c", CLUSTER);
    assertThat(config)
        .contains("============Master: " + a.address() + "============")
        .contains("============Master: " + b.address() + "============")
        .containsPattern("(?m)^brokerName +=  broker-a$")
        .containsPattern("(?m)^brokerName +=  broker-b$");
    assertThat(ok("getBrokerConfig", "-b", b.address()))
        .containsPattern("(?m)^brokerName +=  broker-b$")
        .doesNotContain("broker-a");

    assertThat(ok("updateBrokerConfig", "-c", CLUSTER, "-k", "maxPullBatchSize", "-v", "16"))
        .contains("update broker config success, " + a.address())
        .contains("update broker config success, " + b.address());
    assertThat(admin.getBrokerConfig(a.address()).getProperty("maxPullBatchSize")).isEqualTo("16");
    assertThat(admin.getBrokerConfig(b.address()).getProperty("maxPullBatchSize")).isEqualTo("16");
    assertThat(ok("updateBrokerConfig", "-b", b.address(), "-k", "maxPullBatchSize", "-v", "8"))
        .contains("update broker config success, " + b.address());
    assertThat(admin.getBrokerConfig(b.address()).getProperty("maxPullBatchSize")).isEqualTo("8");
    // A key Wharf reads only at startup: refused with the reason, nothing changes.
    MqAdmin.Output refused =
        mqadmin("updateBrokerConfig", "-b", a.address(), "-k", "brokerName", "-v", "z");
    assertThat(refused.all()).contains("cannot change brokerName");
    assertThat(admin.getBrokerConfig(a.address()).getProperty("brokerName")).isEqualTo("broker-a");
  }

  @Test
  void topicCommands() throws Exception {
    assertThat(ok("updateTopic", "-c", CLUSTER, "-t", "Orders", "-r", "4", "-w", "4"))
        .contains("create topic to " + a.address() + " success.")
        .contains("create topic to " + b.address() + " success.");
    assertThat(ok("updateTopic", "-b", b.address(), "-t", "OnlyB", "-r", "2", "-w", "2"))
        .contains("create topic to " + b.address() + " success.")
        .doesNotContain(a.address());
    assertThat(admin.examineTopicConfig(a.address(), "Orders").getWriteQueueNums()).isEqualTo(4);
    assertThat(admin.examineTopicConfig(b.address(), "OnlyB").getReadQueueNums()).isEqualTo(2);

    assertThat(ok("topicList")).containsPattern("(?m)^Orders$").containsPattern("(?m)^OnlyB$");
    assertThat(ok("topicList", "-c"))
        .containsPattern(row(CLUSTER, "Orders"))
        .containsPattern(row(CLUSTER, "OnlyB"));

    String route = ok("topicRoute", "-t", "Orders");
    assertThat(route)
        .contains("\"brokerName\":\"broker-a\"")
        .contains("\"brokerName\":\"broker-b\"")
        .contains("\"readQueueNums\":4")
        .contains(a.address())
        .contains(b.address());
    assertThat(ok("topicRoute", "-t", "OnlyB"))
        .contains("\"brokerName\":\"broker-b\"")
        .doesNotContain("broker-a");
    assertThat(ok("topicClusterList", "-t", "Orders").trim()).isEqualTo(CLUSTER);

    DefaultMQProducer producer = clients.producer(ns);
    for (int i = 0; i < 5; i++) {
      producer.send(
          new Message("Orders", "m".getBytes(StandardCharsets.UTF_8)),
          queueOn("broker-a", 1),
          null);
    }
    producer.send(
        new Message("Orders", "m".getBytes(StandardCharsets.UTF_8)), queueOn("broker-b", 3), null);
    // Max offsets count dispatched messages; the consume queues follow the commit log shortly.
    a.store().awaitDispatched(Duration.ofSeconds(10));
    b.store().awaitDispatched(Duration.ofSeconds(10));
    String status = ok("topicStatus", "-t", "Orders");
    assertThat(status)
        .containsPattern("(?m)^broker-a +1 +0 +5 +\\d{4}-\\d\\d-\\d\\d ")
        .containsPattern("(?m)^broker-b +3 +0 +1 +\\d{4}-\\d\\d-\\d\\d ")
        .containsPattern("(?m)^broker-a +0 +0 +0 *$");
    assertThat(status.lines().filter(l -> l.matches("broker-[ab] .*"))).hasSize(8);
  }

  @Test
  void deleteTopicAndDeleteSubGroupRemoveThemEverywhere() throws Exception {
    ok("updateTopic", "-c", CLUSTER, "-t", "Doomed", "-r", "2", "-w", "2");
    assertThat(ok("updateSubGroup", "-c", CLUSTER, "-g", "cg-doomed"))
        .contains("create subscription group to " + a.address() + " success.")
        .contains("create subscription group to " + b.address() + " success.");
    assertThat(admin.examineSubscriptionGroupConfig(b.address(), "cg-doomed")).isNotNull();

    assertThat(ok("deleteSubGroup", "-c", CLUSTER, "-g", "cg-doomed"))
        .contains(
            "delete subscription group [cg-doomed] from broker ["
                + a.address()
                + "] in cluster [DefaultCluster] success.")
        .contains(
            "delete subscription group [cg-doomed] from broker ["
                + b.address()
                + "] in cluster [DefaultCluster] success.");
    assertThat(admin.getAllSubscriptionGroup(a.address(), 3000).getSubscriptionGroupTable())
        .doesNotContainKey("cg-doomed");

    assertThat(ok("deleteTopic", "-c", CLUSTER, "-t", "Doomed"))
        .contains("delete topic [Doomed] from cluster [DefaultCluster] success.");
    assertThat(ok("topicList")).doesNotContainPattern("(?m)^Doomed$");
    assertThat(admin.getAllTopicConfig(a.address(), 3000).getTopicConfigTable())
        .doesNotContainKey("Doomed");
  }

  @Test
  void groupsConsumersProducersAndStats() throws Exception {
    ok("updateTopic", "-c", CLUSTER, "-t", "Orders", "-r", "2", "-w", "2");
    assertThat(ok("updateSubGroup", "-c", CLUSTER, "-g", "cg-tool", "-r", "5"))
        .contains("create subscription group to " + a.address() + " success.")
        .contains("create subscription group to " + b.address() + " success.");
    assertThat(admin.examineSubscriptionGroupConfig(a.address(), "cg-tool").getRetryMaxTimes())
        .isEqualTo(5);
    assertThat(admin.examineSubscriptionGroupConfig(b.address(), "cg-tool").getRetryMaxTimes())
        .isEqualTo(5);

    DefaultMQProducer producer = clients.producer(ns);
    SendResult first = producer.send(new Message("Orders", "m0".getBytes(StandardCharsets.UTF_8)));
    for (int i = 1; i < 6; i++) {
      producer.send(new Message("Orders", ("m" + i).getBytes(StandardCharsets.UTF_8)));
    }
    Map<String, Boolean> seen = new ConcurrentHashMap<>();
    DefaultMQPushConsumer consumer =
        clients.pushConsumer(
            ns,
            "cg-tool",
            "Orders",
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            (msgs, ctx) -> {
              msgs.forEach(m -> seen.put(new String(m.getBody(), StandardCharsets.UTF_8), true));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    consumer.setPersistConsumerOffsetInterval(500);
    clients.start(consumer);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 6);

    Awaitility.await("consumerProgress shows the group caught up")
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(ok("consumerProgress", "-g", "cg-tool"))
                    .containsPattern("(?m)^Orders +broker-a +0 ")
                    .containsPattern("(?m)^Orders +broker-b +1 ")
                    .contains("Consume Diff Total: 0"));
    // queryMsgById's message track: the group is online and has committed past the message.
    assertThat(ok("queryMsgById", "-t", "Orders", "-i", first.getOffsetMsgId()))
        .contains("consumerGroup=cg-tool, trackType=CONSUMED");
    String connection = ok("consumerConnection", "-g", "cg-tool");
    assertThat(connection)
        .containsPattern(
            "(?m)^\\S+@"
                + Pattern.quote(consumer.getInstanceName())
                + " +127\\.0\\.0\\.1:\\d+ +JAVA +V5_3_1")
        .containsPattern("(?m)^Orders +\\*")
        .contains("MessageModel: CLUSTERING")
        .contains("ConsumeFromWhere: CONSUME_FROM_FIRST_OFFSET");
    // Accumulation 0, in and out TPS over the last minute, messages in and out over the last day.
    assertThat(ok("statsAll", "-t", "Orders"))
        .containsPattern("(?m)^Orders +cg-tool +0 +\\d+\\.\\d\\d +\\d+\\.\\d\\d +6 +6$");

    consumer.shutdown();
    producer.send(new Message("Orders", "late".getBytes(StandardCharsets.UTF_8)));
    for (int i = 0; i < 2; i++) {
      producer.send(
          new Message("Unconsumed", "u".getBytes(StandardCharsets.UTF_8)),
          queueOn("broker-a"),
          null);
    }
    assertThat(ok("consumerProgress", "-g", "cg-tool")).contains("Consume Diff Total: 1");
    assertThat(ok("statsAll", "-t", "Orders"))
        .containsPattern("(?m)^Orders +cg-tool +1 +\\d+\\.\\d\\d +\\d+\\.\\d\\d +7 +6$");
    assertThat(ok("statsAll", "-t", "Unconsumed"))
        .containsPattern("(?m)^Unconsumed +0 +\\d+\\.\\d\\d +2 +NO_CONSUMER$");
    // RocketMQ's broker answers CONSUMER_NOT_ONLINE the same way.
    assertThat(mqadmin("consumerConnection", "-g", "cg-tool").all())
        .contains("CODE: 206")
        .contains("the consumer group[cg-tool] not online");
  }

  @Test
  void producerConnectionListsTheProducersOfAGroup() throws Exception {
    ok("updateTopic", "-c", CLUSTER, "-t", "Orders", "-r", "2", "-w", "2");
    DefaultMQProducer producer = clients.producer(ns);
    producer.send(new Message("Orders", "m".getBytes(StandardCharsets.UTF_8)));
    // A producer is known to a broker once its heartbeat reached it (at start, then every 30 s);
    // the tool asks one broker of the topic's route, chosen at random. As with RocketMQ.
    Awaitility.await("the producer's heartbeat reached both brokers")
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              for (Broker broker : List.of(a, b)) {
                assertThat(
                        admin
                            .getDefaultMQAdminExtImpl()
                            .getMqClientInstance()
                            .getMQClientAPIImpl()
                            .getProducerConnectionList(
                                broker.address(), producer.getProducerGroup(), 3000)
                            .getConnectionSet())
                    .as(broker.address())
                    .isNotEmpty();
              }
            });
    String out = ok("producerConnection", "-g", producer.getProducerGroup(), "-t", "Orders");
    assertThat(out)
        .containsPattern(
            "(?m)^0001 +\\S+@"
                + Pattern.quote(producer.getInstanceName())
                + " +127\\.0\\.0\\.1:\\d+ +JAVA +V5_3_1");
    MqAdmin.Output unknown = mqadmin("producerConnection", "-g", "pg-nobody", "-t", "Orders");
    assertThat(unknown.all()).contains("the producer group[pg-nobody] not exist");
  }

  @Test
  void sendQueryPrintAndConsumeMessages() throws Exception {
    ok("updateTopic", "-c", CLUSTER, "-t", "Orders", "-r", "4", "-w", "4");
    String sentByTool =
        okInChildJvm(
            "sendMessage", "-t", "Orders", "-p", "hello-tool", "-k", "tool-key", "-c", "TagT");
    Matcher sendRow =
        Pattern.compile("(?m)^(broker-[ab]) +(\\d) +SEND_OK +([0-9A-F]{32,})").matcher(sentByTool);
    assertThat(sendRow.find()).as(sentByTool).isTrue();
    String toolMsgId = sendRow.group(3);
    assertThat(
            okInChildJvm("sendMessage", "-t", "Orders", "-p", "to-a2", "-b", "broker-a", "-i", "2"))
        .containsPattern("(?m)^broker-a +2 +SEND_OK +[0-9A-F]{32,}");

    DefaultMQProducer producer = clients.producer(ns);
    SendResult r =
        producer.send(
            new Message("Orders", "TagA", "k1 k2", "body-1".getBytes(StandardCharsets.UTF_8)),
            queueOn("broker-b", 1),
            null);
    String brokerName = r.getMessageQueue().getBrokerName();
    int queueId = r.getMessageQueue().getQueueId();

    String byOffsetId = ok("queryMsgById", "-t", "Orders", "-i", r.getOffsetMsgId());
    assertThat(byOffsetId)
        .containsPattern("(?m)^OffsetID: +" + r.getOffsetMsgId() + "$")
        .containsPattern("(?m)^Topic: +Orders$")
        .containsPattern("(?m)^Tags: +\\[TagA\\]$")
        .containsPattern("(?m)^Keys: +\\[k1 k2\\]$")
        .containsPattern("(?m)^Queue ID: +" + queueId + "$")
        .containsPattern("(?m)^Queue Offset: +" + r.getQueueOffset() + "$")
        .containsPattern("(?m)^Store Host: +" + Pattern.quote(b.address()) + "$")
        .contains("UNIQ_KEY=" + r.getMsgId());
    // A message id (UNIQ_KEY) is found through the key index, which the broker builds behind the
    // commit log: under load the send can answer before the index has it.
    Awaitility.await("the message id is in the broker's index")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                !mqadmin("queryMsgById", "-t", "Orders", "-i", r.getMsgId(), "-f", "UTF-8")
                    .err()
                    .contains("Exception"));
    assertThat(ok("queryMsgById", "-t", "Orders", "-i", r.getMsgId(), "-f", "UTF-8"))
        .containsPattern("(?m)^OffsetID: +" + r.getOffsetMsgId() + "$")
        .containsPattern("(?m)^Message Body: +body-1$");

    assertThat(ok("queryMsgByKey", "-t", "Orders", "-k", "k2"))
        .containsPattern("(?m)^" + r.getMsgId() + " +" + queueId + " +" + r.getQueueOffset() + "$");
    assertThat(ok("queryMsgByKey", "-t", "Orders", "-k", "tool-key"))
        .containsPattern("(?m)^" + toolMsgId + " +\\d +0$");
    assertThat(mqadmin("queryMsgByKey", "-t", "Orders", "-k", "no-such-key").all())
        .contains("query message by key finished, but no message.");

    assertThat(okInChildJvm("queryMsgByUniqueKey", "-t", "Orders", "-i", r.getMsgId()))
        .containsPattern("(?m)^Topic: +Orders$")
        .containsPattern("(?m)^Keys: +\\[k1 k2\\]$")
        .containsPattern("(?m)^CommitLog Offset: +\\d+$")
        .containsPattern("(?m)^Queue Offset: +" + r.getQueueOffset() + "$");
    assertThat(okInChildJvm("queryMsgByUniqueKey", "-t", "Orders", "-i", toolMsgId))
        .containsPattern("(?m)^Keys: +\\[tool-key\\]$")
        .containsPattern("(?m)^Tags: +\\[TagT\\]$");

    assertThat(
            ok(
                "queryMsgByOffset",
                "-t",
                "Orders",
                "-b",
                brokerName,
                "-i",
                String.valueOf(queueId),
                "-o",
                String.valueOf(r.getQueueOffset())))
        .containsPattern("(?m)^OffsetID: +" + r.getOffsetMsgId() + "$")
        .containsPattern("(?m)^Keys: +\\[k1 k2\\]$");

    String printed = ok("printMsg", "-t", "Orders", "-d", "true");
    assertThat(printed)
        .containsPattern(
            "minOffset=0, maxOffset=[12], MessageQueue \\[topic=Orders, brokerName=broker-b,"
                + " queueId=1\\]")
        .containsPattern(
            "minOffset=0, maxOffset=[12], MessageQueue \\[topic=Orders, brokerName=broker-a,"
                + " queueId=2\\]")
        .containsPattern("MSGID: " + r.getMsgId() + " .* BODY: body-1")
        .containsPattern("MSGID: " + toolMsgId + " .* BODY: hello-tool")
        .contains("BODY: to-a2");
    assertThat(printed.lines().filter(l -> l.startsWith("minOffset="))).hasSize(8);

    String consumed = okInChildJvm("consumeMessage", "-t", "Orders", "-b", "broker-b", "-i", "1");
    assertThat(consumed)
        .contains("Consume ok")
        .containsPattern("MSGID: " + r.getMsgId() + " .* BODY: body-1");
    assertThat(
            okInChildJvm("consumeMessage", "-t", "Orders", "-b", "broker-a", "-i", "2", "-o", "0"))
        .contains("BODY: to-a2")
        .doesNotContain("body-1");
  }

  @Test
  void resetOffsetByTimeWithALiveConsumerAndWithNone() throws Exception {
    ok("updateTopic", "-c", CLUSTER, "-t", "Replay", "-r", "2", "-w", "2");
    ok("updateSubGroup", "-c", CLUSTER, "-g", "cg-live");
    ok("updateSubGroup", "-c", CLUSTER, "-g", "cg-idle");
    DefaultMQProducer producer = clients.producer(ns);
    for (int i = 0; i < 6; i++) {
      producer.send(new Message("Replay", ("old" + i).getBytes(StandardCharsets.UTF_8)));
    }
    long cut = System.currentTimeMillis() + 1;
    Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> System.currentTimeMillis() > cut);
    for (int i = 0; i < 4; i++) {
      producer.send(new Message("Replay", ("new" + i).getBytes(StandardCharsets.UTF_8)));
    }

    List<String> bodies = new CopyOnWriteArrayList<>();
    DefaultMQPushConsumer consumer =
        clients.pushConsumer(
            ns,
            "cg-live",
            "Replay",
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            (msgs, ctx) -> {
              msgs.forEach(m -> bodies.add(new String(m.getBody(), StandardCharsets.UTF_8)));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    consumer.setPersistConsumerOffsetInterval(500);
    clients.start(consumer);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> bodies.size() == 10);

    String live =
        ok("resetOffsetByTime", "-g", "cg-live", "-t", "Replay", "-s", String.valueOf(cut));
    assertThat(live)
        .contains("start reset consumer offset by specified, group[cg-live], topic[Replay]")
        .containsPattern("(?m)^broker-a +0 +\\d+ *$")
        .containsPattern("(?m)^broker-b +1 +\\d+ *$");
    assertThat(live.lines().filter(l -> l.matches("broker-[ab] .*"))).hasSize(4);
    // The live member replays exactly the messages stored after the time.
    Awaitility.await("the consumer replays the 4 later messages")
        .atMost(Duration.ofSeconds(60))
        .until(() -> bodies.size() == 14);
    assertThat(bodies.subList(10, 14)).containsExactlyInAnyOrder("new0", "new1", "new2", "new3");

    // No consumer online: the committed offsets move all the same.
    String idle =
        ok("resetOffsetByTime", "-g", "cg-idle", "-t", "Replay", "-s", String.valueOf(cut));
    assertThat(idle.lines().filter(l -> l.matches("broker-[ab] .*"))).hasSize(4);
    ConsumeStats stats = admin.examineConsumeStats("cg-idle");
    assertThat(stats.computeTotalDiff()).isEqualTo(4);
    assertThat(ok("consumerProgress", "-g", "cg-idle")).contains("Consume Diff Total: 4");
    ok("resetOffsetByTime", "-g", "cg-idle", "-t", "Replay", "-s", "now");
    assertThat(admin.examineConsumeStats("cg-idle").computeTotalDiff()).isZero();

    // One queue to an offset.
    MqAdmin.Output one =
        mqadmin(
            "resetOffsetByTime",
            "-g",
            "cg-idle",
            "-t",
            "Replay",
            "-s",
            "0",
            "-b",
            a.address(),
            "-q",
            "0",
            "-o",
            "1");
    assertThat(one.all()).contains("reset consumer offset to 1");
    OffsetWrapper q0 =
        admin.examineConsumeStats("cg-idle").getOffsetTable().entrySet().stream()
            .filter(
                e -> e.getKey().getBrokerName().equals("broker-a") && e.getKey().getQueueId() == 0)
            .findFirst()
            .orElseThrow()
            .getValue();
    assertThat(q0.getConsumerOffset()).isEqualTo(1);

    // A group the brokers do not know: RocketMQ's answer, nothing created.
    MqAdmin.Output unknown =
        mqadmin("resetOffsetByTime", "-g", "cg-unknown", "-t", "Replay", "-s", "0");
    assertThat(unknown.all()).contains("CODE: 26").contains("Group cg-unknown does not exist");
    assertThat(admin.getAllSubscriptionGroup(a.address(), 3000).getSubscriptionGroupTable())
        .doesNotContainKey("cg-unknown");
  }

  @Test
  void commandsForReplicationAndControllersSayWharfHasNone() {
    MqAdmin.Output ha = mqadmin("haStatus", "-b", a.address());
    assertThat(ha.all())
        .contains("CODE: 3")
        .contains("request type 907 not supported: GET_BROKER_HA_STATUS: Wharf has no replication");
    MqAdmin.Output syncState = mqadmin("getSyncStateSet", "-a", a.address(), "-b", "broker-a");
    assertThat(syncState.all())
        .contains("CODE: 3")
        .contains("not supported: CONTROLLER_GET_METADATA_INFO: Wharf has no controller");
    // ACL 2.0's user and ACL commands are served: AclAdminToolInteropTest.
  }

  /** A selector that sends to one queue of one broker (broker name, queue id). */
  private static org.apache.rocketmq.client.producer.MessageQueueSelector queueOn(
      String brokerName, int queueId) {
    return (mqs, msg, arg) ->
        mqs.stream()
            .filter(q -> q.getBrokerName().equals(brokerName) && q.getQueueId() == queueId)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no queue " + brokerName + "/" + queueId + " in " + mqs));
  }

  private static org.apache.rocketmq.client.producer.MessageQueueSelector queueOn(
      String brokerName) {
    return queueOn(brokerName, 0);
  }

  /** A table row: the cells in order, separated by spaces. */
  private static String row(String... cells) {
    StringBuilder b = new StringBuilder("(?m)^");
    for (int i = 0; i < cells.length; i++) {
      b.append(i == 0 ? "" : " +").append(Pattern.quote(cells[i]));
    }
    return b.append("( |$)").toString();
  }

  /** A "key : value" line's number. */
  private static long field(String out, String key) {
    Matcher m = Pattern.compile("(?m)^" + key + " +: (\\d+)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return Long.parseLong(m.group(1));
  }
}
