package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.retention.QueueRetentionPins;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.store.LoopMountedDisk;
import io.wharfmq.store.retention.DiskUsage;
import io.wharfmq.store.retention.RetentionPins;
import io.wharfmq.testing.RocketMqPopCalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.AckResult;
import org.apache.rocketmq.client.consumer.AckStatus;
import org.apache.rocketmq.client.consumer.PopResult;
import org.apache.rocketmq.client.consumer.PopStatus;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's retention test, on a real file system that fills: a 128 MiB ext4 image, loop-mounted
 * by the test, holds the broker's data. A consumer group with queue semantics (marked {@code
 * wharf.pinsRetention=true} through RocketMQ's admin API) pops the first message and goes away
 * without acknowledging it. Publishers (the official RocketMQ producer) send until the disk passes
 * diskSpaceWarningLevelRatio: retention, forced past diskSpaceCleanForciblyRatio, deletes nothing
 * the group has not finished, and the broker refuses the sends (SERVICE_NOT_AVAILABLE) instead. The
 * consumer returns (POP with the official client's API) and gets every accepted message,
 * acknowledging them while publishers are still refused; then retention frees the segments and
 * publishing resumes. Mounting needs root and loop devices; without them the test is skipped.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RetentionPinInteropTest {
  static final String TOPIC = "PinnedQueue";
  static final String GROUP = "cg-queue";

  @TempDir Path tmp;
  LoopMountedDisk disk;
  Path mount;
  WharfCluster cluster;
  final OfficialClients clients = new OfficialClients();

  @BeforeEach
  void mountSmallExt4() throws Exception {
    disk = LoopMountedDisk.mount(tmp, 128L * 1024 * 1024, 0);
    mount = disk.path();
  }

  @AfterEach
  void stopAndUnmount() throws Exception {
    clients.close();
    if (cluster != null) {
      cluster.close();
    }
    if (disk != null) {
      disk.close();
    }
  }

  @Test
  void aQueueWhoseConsumerIsAwayKeepsEveryMessageAndAFullDiskRefusesPublishers() throws Exception {
    cluster = new WharfCluster(mount);
    BrokerConfig config =
        cluster
            .brokerConfig("broker-a")
            .defaultTopicQueueNums(2)
            .timerRollWindowSlot(1000)
            .mappedFileSizeTimerLog(64 * 1024);
    int hour = Instant.now().atZone(ZoneId.systemDefault()).getHour();
    config
        .store()
        .mappedFileSizeCommitLog(1024 * 1024)
        .maxMessageSize(256 * 1024)
        .consumeQueueEntriesPerFile(5000)
        .maxHashSlotNum(1024)
        .maxIndexNum(8000)
        .flushIntervalCommitLog(20)
        .flushCommitLogThoroughInterval(50)
        .cleanResourceInterval(100)
        .deleteWhen((hour + 12) % 24); // only disk use can call for deletion
    Broker broker = cluster.startBroker(config);
    String addr = broker.address();

    DefaultMQAdminExt admin = clients.admin(cluster.namesrvAddr());
    SubscriptionGroupConfig group = new SubscriptionGroupConfig();
    group.setGroupName(GROUP);
    group.setAttributes(Map.of(QueueRetentionPins.ATTRIBUTE, "true"));
    admin.createAndUpdateSubscriptionGroupConfig(addr, group);

    DefaultMQProducer producer = clients.producer(cluster.namesrvAddr());
    producer.setRetryTimesWhenSendFailed(0);
    producer.setSendMsgTimeout(10_000);
    Set<String> accepted = new HashSet<>();
    assertThat(send(producer, "m0")).isNull();
    accepted.add("m0");
    @SuppressWarnings("deprecation") // getDefaultMQProducerImpl: the way to the client's API object
    MQClientAPIImpl api =
        producer.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl();

    // The consumer takes m0 (every queue gets the group's offset) and goes away without an ack.
    Map<String, MessageExt> first = new HashMap<>();
    Awaitility.await("the consumer pops m0")
        .atMost(Duration.ofSeconds(30))
        .until(() -> popInto(api, addr, first, 5_000) && first.containsKey("m0"));

    // Fill the disk to 70 % with a stranger's file, then publish 16 KiB messages until refused.
    disk.fillTo(70);
    byte[] pad = new byte[16 * 1024];
    new java.util.Random(12).nextBytes(pad); // the client compresses bodies: make it count
    int refusedCode = 0;
    for (int i = 1; i < 20_000 && refusedCode == 0; i++) {
      Integer code = send(producer, "m" + i, pad);
      if (code == null) {
        accepted.add("m" + i);
      } else {
        refusedCode = code;
      }
    }
    int use = DiskUsage.FILE_SYSTEM.usedPercent(mount);
    assertThat(refusedCode)
        .as("refused at %d%% disk use", use)
        .isEqualTo(ResponseCode.SERVICE_NOT_AVAILABLE);
    assertThat(use).isGreaterThan(config.store().effectiveDiskSpaceWarningLevelRatio());
    assertThat(broker.store().retention().writesRefused()).isTrue();
    // Retention ran past the forced ratio while the consumer was away and deleted nothing.
    Awaitility.await("a retention round held back by the group's pin")
        .atMost(Duration.ofSeconds(10))
        .until(() -> broker.store().retention().lastHoldingPin() != null);
    RetentionPins.Pin pin = broker.store().retention().lastHoldingPin();
    assertThat(pin.group()).isEqualTo(GROUP);
    assertThat(pin.topic()).isEqualTo(TOPIC);
    assertThat(broker.store().commitLogMinOffset()).isZero();
    assertThat(send(producer, "still-refused")).isEqualTo(ResponseCode.SERVICE_NOT_AVAILABLE);

    // The consumer returns and gets everything accepted (m0 again once its invisibility ends),
    // acknowledging as it goes, while publishers are still refused.
    Map<String, MessageExt> got = new HashMap<>();
    Awaitility.await("every accepted message consumed")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              Map<String, MessageExt> batch = new HashMap<>();
              popInto(api, addr, batch, 30_000);
              for (MessageExt m : batch.values()) {
                assertThat(ack(api, addr, m).getStatus()).isEqualTo(AckStatus.OK);
              }
              got.putAll(batch);
              return got.keySet().containsAll(accepted);
            });
    assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(accepted);
    assertThat(accepted.size()).isGreaterThan(1000);

    // Nothing pins any more: forced retention frees the consumed segments and publishing resumes.
    Awaitility.await("publishing resumes")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> send(producer, "after") == null);
    assertThat(broker.store().commitLogMinOffset()).isPositive();
    assertThat(broker.store().retention().writesRefused()).isFalse();
  }

  /** Sends one message; null when stored, else the broker's response code. */
  private static Integer send(DefaultMQProducer producer, String key) throws Exception {
    return send(producer, key, key.getBytes(StandardCharsets.UTF_8));
  }

  private static Integer send(DefaultMQProducer producer, String key, byte[] body)
      throws Exception {
    Message m = new Message(TOPIC, "T", body);
    m.setKeys(key);
    try {
      SendResult r = producer.send(m);
      return r.getSendStatus() == SendStatus.SEND_OK ? null : -1;
    } catch (MQBrokerException e) {
      return e.getResponseCode();
    } catch (MQClientException e) {
      if (e.getResponseCode() > 0) {
        return e.getResponseCode();
      }
      Throwable c = e.getCause();
      if (c instanceof MQBrokerException b) {
        return b.getResponseCode();
      }
      throw e;
    }
  }

  /** One pop of the group over every queue; adds what it found by key. */
  private static boolean popInto(
      MQClientAPIImpl api, String addr, Map<String, MessageExt> into, long invisibleMillis)
      throws Exception {
    PopResult r =
        RocketMqPopCalls.pop(
            api,
            "broker-a",
            addr,
            RocketMqPopCalls.request(GROUP, TOPIC, -1, invisibleMillis, 200),
            5000);
    if (r.getPopStatus() != PopStatus.FOUND) {
      return false;
    }
    for (MessageExt m : r.getMsgFoundList()) {
      into.put(m.getKeys(), m);
    }
    return true;
  }

  private static AckResult ack(MQClientAPIImpl api, String addr, MessageExt m) throws Exception {
    return RocketMqPopCalls.ack(api, addr, GROUP, m, 5000).get(10, TimeUnit.SECONDS);
  }
}
