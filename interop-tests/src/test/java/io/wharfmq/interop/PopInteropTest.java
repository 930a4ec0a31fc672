package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharfmq.broker.Broker;
import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.testing.RocketMqPopCalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.AckResult;
import org.apache.rocketmq.client.consumer.AckStatus;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.PopResult;
import org.apache.rocketmq.client.consumer.PopStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.message.MessageRequestMode;
import org.apache.rocketmq.remoting.protocol.header.ExtraInfoUtil;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * POP consumption with the unchanged official RocketMQ client: push consumers switched to POP with
 * DefaultMQAdminExt#setMessageRequestMode and broker-side assignment, and MQClientAPIImpl's pop,
 * ack and change-invisible-time calls (redelivery, dead letters, errors).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PopInteropTest {
  @TempDir Path dir;
  WharfCluster cluster;
  Broker broker;
  final OfficialClients clients = new OfficialClients();

  @BeforeEach
  void start() throws Exception {
    cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    broker = cluster.startBroker(cluster.brokerConfig("broker-a").maxReconsumeTimes(1));
  }

  @AfterEach
  void stop() {
    clients.close();
  }

  @Test
  void pushConsumersInPopModeShareTheQueuesAndAckEveryMessage() throws Exception {
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    for (int i = 0; i < 200; i++) {
      Message m = new Message("PopOrders", "T", ("o" + i).getBytes(StandardCharsets.UTF_8));
      m.setKeys("o" + i);
      producer.send(m);
    }
    DefaultMQAdminExt admin = new DefaultMQAdminExt();
    admin.setNamesrvAddr(cluster.namesrvAddr());
    admin.setInstanceName(OfficialClients.unique("admin"));
    admin.start();
    clients.track(admin::shutdown);
    admin.setMessageRequestMode(
        broker.address(), "PopOrders", "cg-pop", MessageRequestMode.POP, 0, 5000);

    Map<String, AtomicInteger> consumed = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> perConsumer = new ConcurrentHashMap<>();
    for (String name : List.of("c1", "c2")) {
      DefaultMQPushConsumer c =
          clients.pushConsumer(
              cluster.namesrvAddr(),
              "cg-pop",
              "PopOrders",
              "*",
              MessageModel.CLUSTERING,
              ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
              (msgs, ctx) -> {
                for (MessageExt m : msgs) {
                  assertThat(m.getTopic()).isEqualTo("PopOrders");
                  assertThat(m.getProperty(MessageConst.PROPERTY_POP_CK)).isNotBlank();
                  consumed.computeIfAbsent(m.getKeys(), k -> new AtomicInteger()).incrementAndGet();
                  perConsumer.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
                }
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
              });
      c.setClientRebalance(false); // the broker assigns: POP, every queue shared
      clients.start(c);
    }
    Awaitility.await("all 200 consumed")
        .atMost(Duration.ofSeconds(60))
        .until(() -> consumed.size() == 200);
    Awaitility.await("every pop acknowledged")
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              int inFlight = 0;
              for (int q = 0; q < 8; q++) {
                inFlight += broker.pops().inFlight("cg-pop", "PopOrders", q);
              }
              return inFlight == 0;
            });
    assertThat(consumed.values()).allSatisfy(n -> assertThat(n).hasValue(1));
  }

  @Test
  @SuppressWarnings("deprecation") // getDefaultMQProducerImpl: the way to the client's API object
  void popAckChangeInvisibleTimeRedeliveryAndDeadLetters() throws Exception {
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    for (String body : List.of("a", "b", "poison")) {
      producer.send(new Message("PopApi", "T", body.getBytes(StandardCharsets.UTF_8)));
    }
    MQClientAPIImpl api =
        producer.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl();
    String addr = broker.address();

    Map<String, MessageExt> first = popUntil(api, addr, "PopApi", 3, 1000);
    assertThat(first.keySet()).containsExactlyInAnyOrder("a", "b", "poison");
    for (MessageExt m : first.values()) {
      String[] info = ExtraInfoUtil.split(m.getProperty(MessageConst.PROPERTY_POP_CK));
      assertThat(ExtraInfoUtil.getQueueOffset(info)).isEqualTo(m.getQueueOffset());
      assertThat(ExtraInfoUtil.getBrokerName(info)).isEqualTo("broker-a");
      assertThat(m.getReconsumeTimes()).isZero();
    }
    assertThat(ack(api, addr, first.get("a")).getStatus()).isEqualTo(AckStatus.OK);
    AckResult changed = changeInvisible(api, addr, first.get("b"), 300);
    assertThat(changed.getStatus()).isEqualTo(AckStatus.OK);
    // The old handle no longer acknowledges "b" while the new delivery is invisible.
    assertThat(ack(api, addr, first.get("b")).getStatus()).isEqualTo(AckStatus.NO_EXIST);

    Map<String, MessageExt> second = popUntil(api, addr, "PopApi", 2, 1000);
    assertThat(second.keySet()).containsExactlyInAnyOrder("b", "poison");
    assertThat(second.values()).allSatisfy(m -> assertThat(m.getReconsumeTimes()).isEqualTo(1));
    assertThat(ack(api, addr, second.get("b")).getStatus()).isEqualTo(AckStatus.OK);
    // "poison" is left: delivered maxReconsumeTimes + 1 = 2 times, it goes to the DLQ.

    DefaultLitePullConsumer dlq = clients.litePull(cluster.namesrvAddr(), "cg-dlq-reader");
    MessageQueue q = new MessageQueue("%DLQ%cg-api", "broker-a", 0);
    Awaitility.await("poison in the DLQ")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              try {
                return dlq.fetchMessageQueues("%DLQ%cg-api").contains(q);
              } catch (Exception e) {
                return false;
              }
            });
    dlq.assign(List.of(q));
    OfficialClients.seekUntilRun(dlq, q, 0, List.of("poison"));
    assertThat(pop(api, addr, "PopApi", -1, 0).getPopStatus()).isNotEqualTo(PopStatus.FOUND);

    assertThatThrownBy(() -> pop(api, addr, "NoSuchTopic", -1, 0))
        .hasCauseInstanceOf(MQBrokerException.class)
        .cause()
        .satisfies(
            e ->
                assertThat(((MQBrokerException) e).getResponseCode())
                    .isEqualTo(ResponseCode.TOPIC_NOT_EXIST));
    assertThatThrownBy(() -> pop(api, addr, "PopApi", 99, 0))
        .cause()
        .satisfies(
            e ->
                assertThat(((MQBrokerException) e).getResponseCode())
                    .isEqualTo(ResponseCode.SYSTEM_ERROR));
  }

  @Test
  @SuppressWarnings("deprecation") // getDefaultMQProducerImpl: the way to the client's API object
  void batchAckOfTheOfficialClientAcknowledgesAndLeavesTheRestToComeBack() throws Exception {
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    for (int i = 0; i < 20; i++) {
      producer.send(new Message("PopBatch", "T", ("m" + i).getBytes(StandardCharsets.UTF_8)));
    }
    MQClientAPIImpl api =
        producer.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl();
    String addr = broker.address();
    Map<String, MessageExt> first = popUntil(api, addr, "PopBatch", 20, 1500);
    List<MessageExt> acked = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    first.forEach(
        (body, m) -> {
          if (body.endsWith("3") || body.endsWith("7")) {
            kept.add(body);
          } else {
            acked.add(m);
          }
        });
    AckResult r =
        RocketMqPopCalls.batchAck(api, addr, "cg-api", "PopBatch", acked, 5000)
            .get(10, TimeUnit.SECONDS);
    assertThat(r.getStatus()).isEqualTo(AckStatus.OK);
    // Only the unacknowledged ones come back after their invisible time, once each.
    Map<String, MessageExt> again = popUntil(api, addr, "PopBatch", kept.size(), 60_000);
    assertThat(again.keySet()).containsExactlyInAnyOrderElementsOf(kept);
    assertThat(again.values()).allSatisfy(m -> assertThat(m.getReconsumeTimes()).isEqualTo(1));
    RocketMqPopCalls.batchAck(api, addr, "cg-api", "PopBatch", List.copyOf(again.values()), 5000)
        .get(10, TimeUnit.SECONDS);
    Awaitility.await("nothing in flight")
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              int inFlight = 0;
              for (int q = 0; q < 8; q++) {
                inFlight += broker.pops().inFlight("cg-api", "PopBatch", q);
              }
              return inFlight == 0;
            });
  }

  @Test
  void malformedPopRequestsGetPreciseErrors() throws Exception {
    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    producer.send(new Message("PopBad", "T", "x".getBytes(StandardCharsets.UTF_8)));
    RemotingClient raw = new RemotingClient("pop-test");
    clients.track(raw::shutdown);
    String addr = broker.address();
    RemotingCommand badHandle =
        RemotingCommand.request(RequestCode.ACK_MESSAGE)
            .put("consumerGroup", "g")
            .put("topic", "PopBad")
            .put("queueId", 0)
            .put("offset", 0)
            .put("extraInfo", "garbage");
    assertThat(raw.invokeSync(addr, badHandle, 3000).code())
        .isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
    RemotingCommand beyond =
        RemotingCommand.request(RequestCode.ACK_MESSAGE)
            .put("consumerGroup", "g")
            .put("topic", "PopBad")
            .put("queueId", 0)
            .put("offset", 1_000_000)
            .put("extraInfo", "0 1 1000 0 0 broker-a 0 1000000");
    assertThat(raw.invokeSync(addr, beyond, 3000).code()).isEqualTo(ResponseCode.NO_MESSAGE);
    RemotingCommand r;
    RemotingCommand emptyBatch = RemotingCommand.request(RequestCode.BATCH_ACK_MESSAGE);
    assertThat(raw.invokeSync(addr, emptyBatch, 3000).code()).isEqualTo(ResponseCode.NO_MESSAGE);
    RemotingCommand badBatch =
        RemotingCommand.request(RequestCode.BATCH_ACK_MESSAGE)
            .body("{\"acks\":[{\"so\":\"x\"}]".getBytes(StandardCharsets.UTF_8));
    assertThat(raw.invokeSync(addr, badBatch, 3000).code()).isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
    // RocketMQ's short names and fastjson2's bit set (an array of numbers): offset 0 of queue 0 is
    // not in flight for group g, so it is counted as refused and the answer is still SUCCESS.
    RemotingCommand notInFlight =
        RemotingCommand.request(RequestCode.BATCH_ACK_MESSAGE)
            .body(
                ("{\"brokerName\":\"broker-a\",\"acks\":[{\"c\":\"g\",\"t\":\"PopBad\","
                        + "\"r\":\"0\",\"so\":0,\"q\":0,\"rq\":0,\"pt\":1,\"it\":1000,"
                        + "\"b\":[1]}]}")
                    .getBytes(StandardCharsets.UTF_8));
    r = raw.invokeSync(addr, notInFlight, 3000);
    assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
    assertThat(r.get("refused")).isEqualTo("1");
    RemotingCommand tooMany =
        RemotingCommand.request(RequestCode.POP_MESSAGE)
            .put("consumerGroup", "g")
            .put("topic", "PopBad")
            .put("queueId", -1)
            .put("maxMsgNums", 33)
            .put("invisibleTime", 1000)
            .put("pollTime", 0)
            .put("bornTime", 0)
            .put("initMode", 0);
    r = raw.invokeSync(addr, tooMany, 3000);
    assertThat(r.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
    assertThat(r.remark()).contains("maxMsgNums");
    RemotingCommand missing = RemotingCommand.request(RequestCode.POP_MESSAGE).put("topic", "x");
    assertThat(raw.invokeSync(addr, missing, 3000).code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
    RemotingCommand badMode =
        RemotingCommand.request(RequestCode.SET_MESSAGE_REQUEST_MODE)
            .body(
                "{\"topic\":\"PopBad\",\"consumerGroup\":\"g\",\"mode\":\"PUSH\"}"
                    .getBytes(StandardCharsets.UTF_8));
    r = raw.invokeSync(addr, badMode, 3000);
    assertThat(r.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
    assertThat(r.remark()).contains("PULL or POP");
    RemotingCommand badAssignment =
        RemotingCommand.request(RequestCode.QUERY_ASSIGNMENT)
            .body("{".getBytes(StandardCharsets.UTF_8));
    assertThat(raw.invokeSync(addr, badAssignment, 3000).code())
        .isEqualTo(ResponseCode.SYSTEM_ERROR);
  }

  private static Map<String, MessageExt> popUntil(
      MQClientAPIImpl api, String addr, String topic, int n, long invisibleMillis) {
    Map<String, MessageExt> got = new HashMap<>();
    Awaitility.await("pop " + n + " of " + topic)
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              PopResult r = pop(api, addr, topic, -1, invisibleMillis);
              if (r.getPopStatus() == PopStatus.FOUND) {
                for (MessageExt m : r.getMsgFoundList()) {
                  got.put(new String(m.getBody(), StandardCharsets.UTF_8), m);
                }
              }
              return got.size() >= n;
            });
    return got;
  }

  private static PopResult pop(
      MQClientAPIImpl api, String addr, String topic, int queueId, long invisibleMillis)
      throws Exception {
    return RocketMqPopCalls.pop(
        api,
        "broker-a",
        addr,
        RocketMqPopCalls.request(
            "cg-api", topic, queueId, invisibleMillis <= 0 ? 1000 : invisibleMillis, 500),
        5000);
  }

  private static AckResult ack(MQClientAPIImpl api, String addr, MessageExt m) throws Exception {
    return RocketMqPopCalls.ack(api, addr, "cg-api", m, 5000).get(10, TimeUnit.SECONDS);
  }

  private static AckResult changeInvisible(
      MQClientAPIImpl api, String addr, MessageExt m, long invisibleMillis) throws Exception {
    return RocketMqPopCalls.changeInvisibleTime(
            api, "broker-a", addr, "cg-api", m, invisibleMillis, 5000)
        .get(10, TimeUnit.SECONDS);
  }
}
