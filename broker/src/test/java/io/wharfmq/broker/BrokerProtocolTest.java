package io.wharfmq.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.protocol.MessageIds;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.ConsumerData;
import io.wharfmq.remoting.protocol.body.ConsumerIdList;
import io.wharfmq.remoting.protocol.body.HeartbeatData;
import io.wharfmq.remoting.protocol.body.ProducerData;
import io.wharfmq.remoting.protocol.body.SubscriptionData;
import io.wharfmq.store.format.MessageProperties;
import io.wharfmq.store.format.RecordSequence;
import io.wharfmq.store.format.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The broker's requests over a real socket, spoken by hand with the remoting client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BrokerProtocolTest {
  @TempDir Path dir;
  Broker broker;
  RemotingClient client;
  String addr;

  @BeforeEach
  void start() throws Exception {
    BrokerConfig config =
        new BrokerConfig(dir).listenPort(0).bindAddress("127.0.0.1").brokerIP1("127.0.0.1");
    config.store().mappedFileSizeCommitLog(16 * 1024 * 1024).maxHashSlotNum(256).maxIndexNum(4000);
    broker = Broker.start(config, InstantSource.system());
    client = new RemotingClient("test");
    addr = "127.0.0.1:" + broker.port();
  }

  @AfterEach
  void stop() throws Exception {
    client.shutdown();
    broker.close();
  }

  RemotingCommand send(String topic, int queueId, String tag, String keys, String body)
      throws Exception {
    return client.invokeSync(addr, sendRequest(topic, queueId, tag, keys, body), 5000);
  }

  static RemotingCommand sendRequest(
      String topic, int queueId, String tag, String keys, String body) {
    Map<String, String> props = new LinkedHashMap<>();
    if (tag != null) {
      props.put("TAGS", tag);
    }
    if (keys != null) {
      props.put("KEYS", keys);
    }
    props.put("UNIQ_KEY", "ID-" + body);
    return RemotingCommand.request(RequestCode.SEND_MESSAGE_V2)
        .put("a", "pg")
        .put("b", topic)
        .put("c", "TBW102")
        .put("d", 4)
        .put("e", queueId)
        .put("f", 0)
        .put("g", System.currentTimeMillis())
        .put("h", 0)
        .put("i", MessageProperties.encode(props))
        .put("j", 0)
        .put("k", false)
        .put("m", false)
        .body(body.getBytes(StandardCharsets.UTF_8));
  }

  RemotingCommand pull(
      String topic, int queueId, long offset, String subscription, long suspendMs) {
    return RemotingCommand.request(RequestCode.PULL_MESSAGE)
        .put("consumerGroup", "cg")
        .put("topic", topic)
        .put("queueId", queueId)
        .put("queueOffset", offset)
        .put("maxMsgNums", 32)
        .put("sysFlag", 0x2 | 0x4)
        .put("commitOffset", 0)
        .put("suspendTimeoutMillis", suspendMs)
        .put("subscription", subscription)
        .put("subVersion", 0)
        .put("expressionType", "TAG");
  }

  static List<StoredMessage> records(byte[] body) {
    RecordSequence.Decoded decoded = RecordSequence.decode(body);
    assertThat(decoded.malformed()).isNull();
    return decoded.records();
  }

  @Test
  void sendThenPullReturnsStoredRecordsAndOffsetsMoveOn() throws Exception {
    RemotingCommand sent = send("Orders", 1, "TagA", "k1", "hello");
    assertThat(sent.code()).isEqualTo(ResponseCode.SUCCESS);
    assertThat(sent.get("queueId")).isEqualTo("1");
    assertThat(sent.get("queueOffset")).isEqualTo("0");
    long physical = MessageIds.decode(sent.get("msgId")).physicalOffset();
    send("Orders", 1, "TagB", null, "world");
    // Consume queues are built asynchronously from the log (as in RocketMQ).
    assertThat(broker.store().awaitDispatched(java.time.Duration.ofSeconds(5))).isTrue();

    RemotingCommand r = client.invokeSync(addr, pull("Orders", 1, 0, "*", 1000), 5000);
    assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
    assertThat(r.get("nextBeginOffset")).isEqualTo("2");
    assertThat(r.get("minOffset")).isEqualTo("0");
    assertThat(r.get("maxOffset")).isEqualTo("2");
    List<StoredMessage> got = records(r.body());
    assertThat(got)
        .extracting(m -> new String(m.body(), StandardCharsets.UTF_8))
        .containsExactly("hello", "world");
    assertThat(got.get(0).physicalOffset()).isEqualTo(physical);

    RemotingCommand tagged = client.invokeSync(addr, pull("Orders", 1, 0, "TagB", 1000), 5000);
    assertThat(records(tagged.body())).extracting(StoredMessage::topic).hasSize(1);

    RemotingCommand view =
        client.invokeSync(
            addr,
            RemotingCommand.request(RequestCode.VIEW_MESSAGE_BY_ID)
                .put("topic", "Orders")
                .put("offset", physical),
            5000);
    assertThat(records(view.body()).get(0).physicalOffset()).isEqualTo(physical);
    RemotingCommand bogus =
        client.invokeSync(
            addr,
            RemotingCommand.request(RequestCode.VIEW_MESSAGE_BY_ID)
                .put("topic", "Orders")
                .put("offset", physical + 1),
            5000);
    assertThat(bogus.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);

    RemotingCommand byKey =
        client.invokeSync(
            addr,
            RemotingCommand.request(RequestCode.QUERY_MESSAGE)
                .put("topic", "Orders")
                .put("key", "k1")
                .put("maxNum", 10)
                .put("beginTimestamp", 0)
                .put("endTimestamp", Long.MAX_VALUE),
            5000);
    assertThat(byKey.code()).isEqualTo(ResponseCode.SUCCESS);
    assertThat(records(byKey.body())).hasSize(1);
  }

  @Test
  void pullsFarBehindTheTailAndAtTheTailReturnTheSameRecords() throws Exception {
    // More entries than pullHotTailEntries (the default): a pull from the start goes to the pull
    // executor, one near the end runs on the I/O thread; both read the same log.
    int n = (int) broker.config().pullHotTailEntries() + 100;
    // The first send creates the topic; the rest, pipelined on one connection to an existing
    // topic, are stored in the order they were sent.
    assertThat(sendAsync("Lag", 0, "m0").get(30, TimeUnit.SECONDS).code())
        .isEqualTo(ResponseCode.SUCCESS);
    List<CompletableFuture<RemotingCommand>> sends = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      sends.add(sendAsync("Lag", 0, "m" + i));
    }
    for (CompletableFuture<RemotingCommand> f : sends) {
      assertThat(f.get(30, TimeUnit.SECONDS).code()).isEqualTo(ResponseCode.SUCCESS);
    }
    assertThat(broker.store().awaitDispatched(java.time.Duration.ofSeconds(10))).isTrue();
    for (long from : new long[] {0, n - 40, n - 1}) {
      RemotingCommand r = client.invokeSync(addr, pull("Lag", 0, from, "*", 1000), 5000);
      assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
      List<StoredMessage> got = records(r.body());
      assertThat(got).hasSize((int) Math.min(32, n - from));
      for (int i = 0; i < got.size(); i++) {
        assertThat(new String(got.get(i).body(), StandardCharsets.UTF_8))
            .isEqualTo("m" + (from + i));
        assertThat(got.get(i).queueOffset()).isEqualTo(from + i);
      }
    }
  }

  CompletableFuture<RemotingCommand> sendAsync(String topic, int queueId, String body) {
    return client.invokeAsync(addr, sendRequest(topic, queueId, null, null, body), 30_000);
  }

  @Test
  void anEmptyPullIsHeldUntilItsTimeoutAndReleasedAtOnceByAMessage() throws Exception {
    send("Held", 0, "TagA", null, "first");
    assertThat(broker.store().awaitDispatched(java.time.Duration.ofSeconds(5))).isTrue();
    long t0 = System.nanoTime();
    RemotingCommand empty = client.invokeSync(addr, pull("Held", 0, 1, "*", 1000), 5000);
    long heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(empty.code()).isEqualTo(ResponseCode.PULL_NOT_FOUND);
    assertThat(empty.get("nextBeginOffset")).isEqualTo("1");
    assertThat(heldMs).as("held, not answered in a tight loop").isGreaterThanOrEqualTo(900);

    CompletableFuture<RemotingCommand> waiting =
        client.invokeAsync(addr, pull("Held", 0, 1, "TagA", 20_000), 30_000);
    Awaitility.await("the pull is held")
        .atMost(java.time.Duration.ofSeconds(5))
        .until(() -> broker.heldPullCount() == 1);
    send("Held", 0, "TagB", null, "not for this pull"); // a message the filter rejects
    assertThat(broker.store().awaitDispatched(java.time.Duration.ofSeconds(5))).isTrue();
    assertThat(waiting).isNotDone();
    long sentAt = System.nanoTime();
    send("Held", 0, "TagA", null, "wake up");
    RemotingCommand woken = waiting.get(5, TimeUnit.SECONDS);
    long wakeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt);
    assertThat(woken.code()).isEqualTo(ResponseCode.SUCCESS);
    assertThat(records(woken.body()))
        .extracting(m -> new String(m.body(), StandardCharsets.UTF_8))
        .containsExactly("wake up");
    assertThat(wakeMs).as("released by the arrival, well before the 20 s suspend").isLessThan(3000);
  }

  @Test
  void offsetsAreCommittedQueriedAndSurviveARestart() throws Exception {
    send("Off", 0, null, null, "m0");
    assertThat(broker.store().awaitDispatched(java.time.Duration.ofSeconds(5))).isTrue();
    RemotingCommand young =
        client.invokeSync(
            addr,
            RemotingCommand.request(RequestCode.QUERY_CONSUMER_OFFSET)
                .put("consumerGroup", "g")
                .put("topic", "Off")
                .put("queueId", 0),
            5000);
    assertThat(young.code()).isEqualTo(ResponseCode.SUCCESS);
    assertThat(young.get("offset")).isEqualTo("0");
    client.invokeOneway(
        addr,
        RemotingCommand.request(RequestCode.UPDATE_CONSUMER_OFFSET)
            .put("consumerGroup", "g")
            .put("topic", "Off")
            .put("queueId", 0)
            .put("commitOffset", 1));
    Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .until(
            () ->
                "1"
                    .equals(
                        client
                            .invokeSync(
                                addr,
                                RemotingCommand.request(RequestCode.QUERY_CONSUMER_OFFSET)
                                    .put("consumerGroup", "g")
                                    .put("topic", "Off")
                                    .put("queueId", 0),
                                5000)
                            .get("offset")));
    RemotingCommand max =
        client.invokeSync(
            addr,
            RemotingCommand.request(RequestCode.GET_MAX_OFFSET)
                .put("topic", "Off")
                .put("queueId", 0),
            5000);
    assertThat(max.get("offset")).isEqualTo("1");

    BrokerConfig config = broker.config();
    broker.close();
    broker = Broker.start(config, InstantSource.system());
    addr = "127.0.0.1:" + broker.port();
    RemotingCommand after =
        client.invokeSync(
            addr,
            RemotingCommand.request(RequestCode.QUERY_CONSUMER_OFFSET)
                .put("consumerGroup", "g")
                .put("topic", "Off")
                .put("queueId", 0),
            5000);
    assertThat(after.get("offset")).isEqualTo("1");
  }

  @Test
  void heartbeatsRegisterMembersCreateTheRetryTopicAndNotifyOnChange() throws Exception {
    List<String> notified = new CopyOnWriteArrayList<>();
    client.registerProcessor(
        RequestCode.NOTIFY_CONSUMER_IDS_CHANGED,
        (ch, req) -> {
          notified.add(req.get("consumerGroup"));
          return null;
        },
        Executors.newSingleThreadExecutor());
    send("Members", 0, null, null, "x");
    assertThat(broker.store().awaitDispatched(java.time.Duration.ofSeconds(5))).isTrue();
    HeartbeatData hb =
        new HeartbeatData(
            "client-1",
            Set.of(new ProducerData("pg")),
            Set.of(
                new ConsumerData(
                    "cg-members",
                    "CONSUME_PASSIVELY",
                    "CLUSTERING",
                    "CONSUME_FROM_LAST_OFFSET",
                    Set.of(
                        new SubscriptionData("Members", "*", Set.of(), Set.of(), 1, "TAG", false)),
                    false)),
            0,
            false);
    RemotingCommand r =
        client.invokeSync(
            addr,
            RemotingCommand.request(RequestCode.HEART_BEAT).body(RemotingJson.encode(hb)),
            5000);
    assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
    assertThat(r.version()).isEqualTo(RemotingCommand.VERSION);
    assertThat(broker.store()).isNotNull();
    RemotingCommand ids =
        client.invokeSync(
            addr,
            RemotingCommand.request(RequestCode.GET_CONSUMER_LIST_BY_GROUP)
                .put("consumerGroup", "cg-members"),
            5000);
    assertThat(RemotingJson.decode(ids.body(), ConsumerIdList.class).consumerIdList())
        .containsExactly("client-1");
    Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .until(() -> notified.contains("cg-members"));
    RemotingCommand retry =
        client.invokeSync(addr, RemotingCommand.request(RequestCode.GET_ALL_TOPIC_CONFIG), 5000);
    assertThat(new String(retry.body(), StandardCharsets.UTF_8)).contains("%RETRY%cg-members");

    RemotingCommand pullBySub =
        RemotingCommand.request(RequestCode.PULL_MESSAGE)
            .put("consumerGroup", "cg-members")
            .put("topic", "Members")
            .put("queueId", 0)
            .put("queueOffset", 0)
            .put("maxMsgNums", 32)
            .put("sysFlag", 0)
            .put("subVersion", 1);
    assertThat(client.invokeSync(addr, pullBySub, 5000).code()).isEqualTo(ResponseCode.SUCCESS);
    pullBySub.put("subVersion", 2);
    RemotingCommand stale =
        client.invokeSync(
            addr,
            RemotingCommand.request(RequestCode.PULL_MESSAGE)
                .extFields(new LinkedHashMap<>(pullBySub.extFields())),
            5000);
    // A heartbeat older than the pull: a TAG subscription is served unfiltered (the client filters
    // tags itself) instead of stalling the queue until the next heartbeat.
    assertThat(stale.code()).isEqualTo(ResponseCode.SUCCESS);
  }

  @Test
  void badRequestsGetPreciseErrors() throws Exception {
    assertThat(client.invokeSync(addr, RemotingCommand.request(9999), 5000).code())
        .isEqualTo(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    assertThat(send("bad topic!", 0, null, null, "x").code())
        .isEqualTo(ResponseCode.MESSAGE_ILLEGAL);
    assertThat(send("Small", 99, null, null, "x").code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
    RemotingCommand missing =
        client.invokeSync(addr, RemotingCommand.request(RequestCode.PULL_MESSAGE), 5000);
    assertThat(missing.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
    assertThat(missing.remark()).contains("consumerGroup");
    RemotingCommand noTopic = client.invokeSync(addr, pull("Nope", 0, 0, "*", 0), 5000);
    assertThat(noTopic.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
    RemotingCommand badHeartbeat =
        client.invokeSync(
            addr,
            RemotingCommand.request(RequestCode.HEART_BEAT)
                .body("{not json".getBytes(StandardCharsets.UTF_8)),
            5000);
    assertThat(badHeartbeat.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
    assertThat(send("Small", 0, null, null, "still serving").code())
        .isEqualTo(ResponseCode.SUCCESS);
  }
}
