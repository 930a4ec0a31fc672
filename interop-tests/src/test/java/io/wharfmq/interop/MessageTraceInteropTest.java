package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.trace.TraceView;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.topic.TopicValidator;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * RocketMQ's message trace against Wharf: the official producer and push consumer with
 * enableMsgTrace write Pub, SubBefore and SubAfter records to RMQ_SYS_TRACE_TOPIC, keyed by the
 * message's id, and {@code mqadmin queryMsgTraceById} finds and prints them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MessageTraceInteropTest {
  private static final String TRACE_TOPIC = TopicValidator.RMQ_SYS_TRACE_TOPIC;

  @TempDir Path dir;
  final OfficialClients clients = new OfficialClients();

  @AfterEach
  void stop() {
    clients.close();
  }

  @Test
  void traceTopicEnableCreatesTheTraceTopicAndMqadminShowsPubAndSubRecords() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    List<Broker> brokers = new ArrayList<>();
    for (String name : new String[] {"broker-a", "broker-b"}) {
      // Auto-creation off: only traceTopicEnable can have made the trace topic.
      brokers.add(
          cluster.startBroker(
              cluster.brokerConfig(name).traceTopicEnable(true).autoCreateTopicEnable(false)));
    }
    String ns = cluster.namesrvAddr();
    DefaultMQAdminExt admin = clients.admin(ns);
    for (Broker b : brokers) {
      admin.createAndUpdateTopicConfig(b.address(), new TopicConfig("Traced", 2, 2, 6));
    }
    List<QueueData> traceQueues = admin.examineTopicRouteInfo(TRACE_TOPIC).getQueueDatas();
    assertThat(traceQueues)
        .hasSize(2)
        .allSatisfy(
            q -> {
              assertThat(q.getReadQueueNums()).isEqualTo(1);
              assertThat(q.getWriteQueueNums()).isEqualTo(1);
            });

    DefaultMQProducer producer = new DefaultMQProducer("pg-traced", true, null);
    producer.setNamesrvAddr(ns);
    producer.setInstanceName(OfficialClients.unique("traced-producer"));
    producer.start();
    clients.track(producer::shutdown);
    Message m = new Message("Traced", "TagT", "order-7", "hi".getBytes(StandardCharsets.UTF_8));
    SendResult sent = producer.send(m);

    Map<String, MessageExt> received = new ConcurrentHashMap<>();
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("cg-traced", true, null);
    consumer.setNamesrvAddr(ns);
    consumer.setInstanceName(OfficialClients.unique("traced-consumer"));
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe("Traced", "*");
    consumer.registerMessageListener(
        (org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently)
            (msgs, ctx) -> {
              msgs.forEach(x -> received.put(x.getMsgId(), x));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    clients.start(consumer);
    Awaitility.await("consumed").atMost(Duration.ofSeconds(30)).until(() -> received.size() == 1);
    // The broker stores the region and trace switch with the message, as RocketMQ's broker does;
    // a tracing consumer writes no record for a message without a region.
    MessageExt got = received.get(sent.getMsgId());
    assertThat(got.getProperty("MSG_REGION")).isEqualTo("DefaultRegion");
    assertThat(got.getProperty("TRACE_ON")).isEqualTo("true");

    // Trace records are sent in batches, at the latest 5 s after they were made.
    Awaitility.await("Pub, SubBefore and SubAfter records in " + TRACE_TOPIC)
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              List<TraceView> views = new ArrayList<>();
              for (MessageExt t :
                  admin
                      .queryMessage(TRACE_TOPIC, sent.getMsgId(), 64, 0, Long.MAX_VALUE)
                      .getMessageList()) {
                views.addAll(TraceView.decodeFromTraceTransData(sent.getMsgId(), t));
              }
              assertThat(views)
                  .extracting(TraceView::getMsgType)
                  .contains("Pub", "SubBefore", "SubAfter");
              TraceView pub =
                  views.stream().filter(v -> v.getMsgType().equals("Pub")).findFirst().get();
              assertThat(pub.getGroupName()).isEqualTo("pg-traced");
              assertThat(pub.getTopic()).isEqualTo("Traced");
              assertThat(pub.getTags()).isEqualTo("TagT");
              assertThat(pub.getKeys()).isEqualTo("order-7");
              assertThat(pub.getOffSetMsgId()).isEqualTo(sent.getOffsetMsgId());
              assertThat(pub.getStatus()).isEqualTo("success");
              assertThat(views)
                  .filteredOn(v -> v.getMsgType().equals("SubAfter"))
                  .allSatisfy(
                      v -> {
                        assertThat(v.getGroupName()).isEqualTo("cg-traced");
                        assertThat(v.getStatus()).isEqualTo("success");
                      });
            });

    MqAdmin.Output trace = MqAdmin.run("queryMsgTraceById", "-n", ns, "-i", sent.getMsgId());
    assertThat(trace.err()).doesNotContain("Exception");
    assertThat(trace.out())
        .containsPattern("(?m)^#Type +#ProducerGroup")
        .containsPattern("(?m)^Pub +pg-traced +\\S+ +\\S+ \\S+ +\\d+ms +success")
        .containsPattern("(?m)^#Type +#ConsumerGroup")
        .containsPattern("(?m)^Sub +cg-traced +\\S+ +\\S+ \\S+ +\\d+ms +success");
    // The message key is a key of the trace record too, as RocketMQ's dispatcher writes it.
    assertThat(admin.queryMessage(TRACE_TOPIC, "order-7", 64, 0, Long.MAX_VALUE).getMessageList())
        .isNotEmpty();
  }

  @Test
  void withoutTraceTopicEnableTheFirstTraceRecordCreatesTheTopicFromTbw102() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    cluster.startBroker("broker-a");
    String ns = cluster.namesrvAddr();
    DefaultMQAdminExt admin = clients.admin(ns);

    DefaultMQProducer producer = new DefaultMQProducer("pg-auto", true, null);
    producer.setNamesrvAddr(ns);
    producer.setInstanceName(OfficialClients.unique("traced-producer"));
    producer.start();
    clients.track(producer::shutdown);
    SendResult sent =
        producer.send(new Message("AutoTraced", "m".getBytes(StandardCharsets.UTF_8)));

    Awaitility.await("the Pub record")
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(MqAdmin.run("queryMsgTraceById", "-n", ns, "-i", sent.getMsgId()).out())
                    .containsPattern("(?m)^Pub +pg-auto +"));
    assertThat(admin.examineTopicRouteInfo(TRACE_TOPIC).getQueueDatas()).hasSize(1);
  }

  @Test
  void traceOnFalseTurnsTracingOffForTheMessagesOfThatBroker() throws Exception {
    WharfCluster cluster = new WharfCluster(dir);
    clients.closeLast(cluster);
    Broker quiet = cluster.startBroker(cluster.brokerConfig("broker-quiet").traceOn(false));
    Broker loud = cluster.startBroker(cluster.brokerConfig("broker-loud").traceTopicEnable(true));
    String ns = cluster.namesrvAddr();
    DefaultMQAdminExt admin = clients.admin(ns);
    admin.createAndUpdateTopicConfig(quiet.address(), new TopicConfig("Quiet", 1, 1, 6));
    admin.createAndUpdateTopicConfig(loud.address(), new TopicConfig("Loud", 1, 1, 6));

    DefaultMQProducer producer = new DefaultMQProducer("pg-mixed", true, null);
    producer.setNamesrvAddr(ns);
    producer.setInstanceName(OfficialClients.unique("traced-producer"));
    producer.start();
    clients.track(producer::shutdown);
    SendResult silent = producer.send(new Message("Quiet", "q".getBytes(StandardCharsets.UTF_8)));
    assertThat(silent.isTraceOn()).isFalse();
    SendResult traced = producer.send(new Message("Loud", "l".getBytes(StandardCharsets.UTF_8)));

    Map<String, MessageExt> received = new ConcurrentHashMap<>();
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("cg-mixed", true, null);
    consumer.setNamesrvAddr(ns);
    consumer.setInstanceName(OfficialClients.unique("traced-consumer"));
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe("Quiet", "*");
    consumer.subscribe("Loud", "*");
    consumer.registerMessageListener(
        (org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently)
            (msgs, ctx) -> {
              msgs.forEach(x -> received.put(x.getMsgId(), x));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    clients.start(consumer);
    Awaitility.await("consumed").atMost(Duration.ofSeconds(30)).until(() -> received.size() == 2);
    assertThat(received.get(silent.getMsgId()).getProperty("TRACE_ON")).isEqualTo("false");

    // The records of the traced message arrive; the other message, sent and consumed before it by
    // the same clients, has none.
    Awaitility.await("Pub and SubAfter of the traced message")
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () -> assertThat(traceTypes(admin, traced.getMsgId())).contains("Pub", "SubAfter"));
    assertThat(traceTypes(admin, silent.getMsgId())).isEmpty();
  }

  /** The trace record types stored for {@code msgId} (none when the query finds nothing). */
  private static List<String> traceTypes(DefaultMQAdminExt admin, String msgId) throws Exception {
    List<String> types = new ArrayList<>();
    try {
      for (MessageExt t :
          admin.queryMessage(TRACE_TOPIC, msgId, 64, 0, Long.MAX_VALUE).getMessageList()) {
        TraceView.decodeFromTraceTransData(msgId, t).forEach(v -> types.add(v.getMsgType()));
      }
    } catch (org.apache.rocketmq.client.exception.MQClientException e) {
      assertThat(e.getMessage()).contains("query message by key finished, but no message");
    }
    return types;
  }
}
