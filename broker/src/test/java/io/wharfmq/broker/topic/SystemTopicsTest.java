package io.wharfmq.broker.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.remoting.protocol.body.TopicConfigWrapper;
import io.wharfmq.remoting.protocol.body.TopicList;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The broker's system topics over a real socket: which exist, their permissions, and refusals. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SystemTopicsTest {
  @TempDir Path dir;
  final RemotingClient client = new RemotingClient("test");
  Broker broker;

  @AfterEach
  void stop() throws Exception {
    client.shutdown();
    if (broker != null) {
      broker.close();
    }
  }

  private String start(boolean clusterTopicEnable, boolean traceTopicEnable) throws Exception {
    BrokerConfig config =
        new BrokerConfig(dir)
            .listenPort(0)
            .bindAddress("127.0.0.1")
            .brokerIP1("127.0.0.1")
            .brokerClusterName("east")
            .brokerName("east-1")
            .clusterTopicEnable(clusterTopicEnable)
            .traceTopicEnable(traceTopicEnable);
    config.store().mappedFileSizeCommitLog(16 * 1024 * 1024).maxHashSlotNum(256).maxIndexNum(4000);
    broker = Broker.start(config, InstantSource.system());
    return broker.address();
  }

  private Map<String, TopicConfig> topics(String addr) throws Exception {
    RemotingCommand r =
        client.invokeSync(addr, RemotingCommand.request(RequestCode.GET_ALL_TOPIC_CONFIG), 5000);
    return RemotingJson.decode(r.body(), TopicConfigWrapper.class).topicConfigTable();
  }

  private RemotingCommand send(String addr, String topic) throws Exception {
    return client.invokeSync(
        addr,
        RemotingCommand.request(RequestCode.SEND_MESSAGE_V2)
            .put("a", "pg")
            .put("b", topic)
            .put("c", "TBW102")
            .put("d", 4)
            .put("e", 0)
            .put("f", 0)
            .put("g", System.currentTimeMillis())
            .put("h", 0)
            .put("i", "")
            .put("j", 0)
            .put("k", false)
            .put("m", false)
            .body("x".getBytes(StandardCharsets.UTF_8)),
        5000);
  }

  @Test
  void keepsRocketMqsSystemTopicsWithTheirPermissionsFromTheConfiguration() throws Exception {
    String addr = start(false, true);
    Map<String, TopicConfig> topics = topics(addr);
    assertThat(topics.get("east").perm()).isEqualTo(TopicConfig.PERM_INHERIT);
    assertThat(topics.get("east").writeQueueNums()).isEqualTo(16);
    assertThat(topics.get("east-1").perm()).isEqualTo(7);
    assertThat(topics.get("east-1").writeQueueNums()).isEqualTo(1);
    for (String t :
        new String[] {
          "SELF_TEST_TOPIC", "OFFSET_MOVED_EVENT", "RMQ_SYS_TRACE_TOPIC", "RMQ_SYS_TRANS_HALF_TOPIC"
        }) {
      assertThat(topics.get(t).writeQueueNums()).as(t).isEqualTo(1);
      assertThat(topics.get(t).perm()).as(t).isEqualTo(6);
    }
    assertThat(topics.get("SCHEDULE_TOPIC_XXXX").writeQueueNums()).isEqualTo(18);

    // The cluster topic is not writable while clusterTopicEnable is off; the broker topic is.
    assertThat(send(addr, "east").code()).isEqualTo(ResponseCode.NO_PERMISSION);
    assertThat(send(addr, "east-1").code()).isEqualTo(ResponseCode.SUCCESS);
    // Topics only the broker writes refuse every client, whatever their permission.
    RemotingCommand schedule = send(addr, "SCHEDULE_TOPIC_XXXX");
    assertThat(schedule.code()).isEqualTo(ResponseCode.NO_PERMISSION);
    assertThat(schedule.remark())
        .isEqualTo("Sending message to topic[SCHEDULE_TOPIC_XXXX] is forbidden.");

    RemotingCommand list =
        client.invokeSync(
            addr, RemotingCommand.request(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER), 5000);
    assertThat(RemotingJson.decode(list.body(), TopicList.class).topicList())
        .contains("east", "east-1", "TBW102", "SELF_TEST_TOPIC", "rmq_sys_wheel_timer")
        .doesNotContain("%RETRY%x");

    // Turned on at the next start, although topics.json has the old permission.
    broker.close();
    broker = null;
    addr = start(true, false);
    topics = topics(addr);
    assertThat(topics.get("east").perm()).isEqualTo(7);
    // A trace topic once created stays (it may hold records).
    assertThat(topics).containsKey("RMQ_SYS_TRACE_TOPIC");
    assertThat(send(addr, "east").code()).isEqualTo(ResponseCode.SUCCESS);
  }

  @Test
  void adminRequestsLeaveSystemTopicsAlone() throws Exception {
    String addr = start(true, false);
    for (String t : new String[] {"east", "east-1", "TBW102", "rmq_sys_mine", "BenchmarkTest"}) {
      RemotingCommand create =
          client.invokeSync(
              addr,
              RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_TOPIC)
                  .put("topic", t)
                  .put("readQueueNums", 2)
                  .put("writeQueueNums", 2)
                  .put("perm", 6),
              5000);
      assertThat(create.code()).as(t).isEqualTo(ResponseCode.SYSTEM_ERROR);
      assertThat(create.remark()).isEqualTo("The topic[" + t + "] is conflict with system topic.");
      RemotingCommand delete =
          client.invokeSync(
              addr,
              RemotingCommand.request(RequestCode.DELETE_TOPIC_IN_BROKER).put("topic", t),
              5000);
      assertThat(delete.code()).as(t).isEqualTo(ResponseCode.SYSTEM_ERROR);
    }
    assertThat(topics(addr).get("east").writeQueueNums()).isEqualTo(16);
  }
}
