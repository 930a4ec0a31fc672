package io.wharfmq.namesrv;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharfmq.remoting.netty.RemotingChannel;
import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.ClusterInfo;
import io.wharfmq.remoting.protocol.body.DataVersion;
import io.wharfmq.remoting.protocol.body.QueueData;
import io.wharfmq.remoting.protocol.body.RegisterBrokerBody;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.remoting.protocol.body.TopicConfigWrapper;
import io.wharfmq.remoting.protocol.body.TopicList;
import io.wharfmq.remoting.protocol.body.TopicRouteData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real name server on a free port, with real remoting clients playing brokers (one connection
 * each, as real brokers have) and a route-looking-up client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NameServerTest {
  /**
   * An answer takes milliseconds; the margin is for the first requests of a fresh JVM on a loaded
   * 2-core CI machine, where 3 s was missed while the test was only checking what is accepted.
   */
  private static final long RPC_TIMEOUT_MILLIS = 15_000;

  static final String CLUSTER = "DefaultCluster";

  final ManualClock clock = new ManualClock();
  final List<RemotingClient> clients = new ArrayList<>();
  final List<NameServer> servers = new ArrayList<>();
  NameServer namesrv;
  String namesrvAddr;
  RemotingClient client;

  /** A broker as the name server sees it: one connection, periodic registrations. */
  final class FakeBroker {
    final RemotingClient remoting = newClient("broker");
    final String name;
    final String addr;
    final long id;

    FakeBroker(String name, String addr, long id) {
      this.name = name;
      this.addr = addr;
      this.id = id;
    }

    RemotingCommand register(String namesrv, TopicConfig... topics) throws Exception {
      Map<String, TopicConfig> table = new LinkedHashMap<>();
      for (TopicConfig t : topics) {
        table.put(t.topicName(), t);
      }
      byte[] body =
          RemotingJson.encode(
              new RegisterBrokerBody(
                  new TopicConfigWrapper(table, new DataVersion(1, 1, 0)), List.of()));
      return remoting.invokeSync(namesrv, registerRequest(body, crc32(body)), RPC_TIMEOUT_MILLIS);
    }

    RemotingCommand registerRequest(byte[] body, long crc) {
      RemotingCommand req =
          RemotingCommand.request(RequestCode.REGISTER_BROKER)
              .put("brokerName", name)
              .put("brokerAddr", addr)
              .put("clusterName", CLUSTER)
              .put("haServerAddr", addr.replace(":10911", ":10912"))
              .put("brokerId", id)
              .put("enableActingMaster", false)
              .put("compressed", false)
              .put("bodyCrc32", crc);
      return req.body(body);
    }

    RemotingCommand unregister(String namesrv) throws Exception {
      RemotingCommand req =
          RemotingCommand.request(RequestCode.UNREGISTER_BROKER)
              .put("brokerName", name)
              .put("brokerAddr", addr)
              .put("clusterName", CLUSTER)
              .put("brokerId", id);
      return remoting.invokeSync(namesrv, req, RPC_TIMEOUT_MILLIS);
    }

    /** Closes the connection, as a crashed broker's socket would be. */
    void disconnect(String namesrv) {
      remoting.closeChannel(namesrv);
    }
  }

  static long crc32(byte[] body) {
    CRC32 crc = new CRC32();
    crc.update(body);
    return crc.getValue() & 0x7FFFFFFF;
  }

  RemotingClient newClient(String name) {
    RemotingClient c = new RemotingClient(name);
    clients.add(c);
    return c;
  }

  NameServer startNameServer() throws Exception {
    NameServer s =
        new NameServer(new NamesrvConfig().listenPort(0).bindAddress("127.0.0.1"), clock);
    servers.add(s);
    s.start();
    return s;
  }

  @BeforeEach
  void start() throws Exception {
    namesrv = startNameServer();
    namesrvAddr = "127.0.0.1:" + namesrv.port();
    client = newClient("client");
  }

  @AfterEach
  void stop() throws Exception {
    for (RemotingClient c : clients) {
      c.shutdown();
    }
    for (NameServer s : servers) {
      s.shutdown();
    }
  }

  RemotingCommand call(String addr, RemotingCommand request) throws Exception {
    return client.invokeSync(addr, request, RPC_TIMEOUT_MILLIS);
  }

  RemotingCommand routeResponse(String addr, String topic) throws Exception {
    return call(
        addr, RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC).put("topic", topic));
  }

  TopicRouteData route(String topic) throws Exception {
    RemotingCommand r = routeResponse(namesrvAddr, topic);
    assertThat(r.code()).as("route of %s: %s", topic, r.remark()).isEqualTo(ResponseCode.SUCCESS);
    return RemotingJson.decode(r.body(), TopicRouteData.class);
  }

  boolean routable(String addr, String topic) throws Exception {
    return routeResponse(addr, topic).code() == ResponseCode.SUCCESS;
  }

  Set<String> allTopics() throws Exception {
    RemotingCommand r =
        call(namesrvAddr, RemotingCommand.request(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER));
    assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
    return RemotingJson.decode(r.body(), TopicList.class).topicList();
  }

  ClusterInfo clusterInfo() throws Exception {
    RemotingCommand r =
        call(namesrvAddr, RemotingCommand.request(RequestCode.GET_BROKER_CLUSTER_INFO));
    assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
    return RemotingJson.decode(r.body(), ClusterInfo.class);
  }

  @Test
  void routeListsEveryBrokerServingTheTopic() throws Exception {
    FakeBroker a = new FakeBroker("broker-a", "10.0.0.1:10911", 0);
    FakeBroker b = new FakeBroker("broker-b", "10.0.0.2:10911", 0);
    RemotingCommand ra = a.register(namesrvAddr, TopicConfig.of("TopicA", 4, 6));
    assertThat(ra.code()).isEqualTo(ResponseCode.SUCCESS);
    assertThat(ra.get("masterAddr")).isNull();
    b.register(namesrvAddr, TopicConfig.of("TopicA", 8, 6), TopicConfig.of("TopicB", 2, 4));

    TopicRouteData route = route("TopicA");
    assertThat(route.queueDatas())
        .containsExactly(
            new QueueData("broker-a", 4, 4, 6, 0), new QueueData("broker-b", 8, 8, 6, 0));
    assertThat(route.brokerDatas())
        .extracting(bd -> bd.cluster() + "/" + bd.brokerName() + "/" + bd.brokerAddrs())
        .containsExactly(
            "DefaultCluster/broker-a/{0=10.0.0.1:10911}",
            "DefaultCluster/broker-b/{0=10.0.0.2:10911}");
    assertThat(route.filterServerTable()).isEmpty();

    TopicRouteData routeB = route("TopicB");
    assertThat(routeB.queueDatas()).containsExactly(new QueueData("broker-b", 2, 2, 4, 0));
    assertThat(routeB.brokerDatas())
        .singleElement()
        .extracting(bd -> bd.masterAddress())
        .isEqualTo("10.0.0.2:10911");

    ClusterInfo info = clusterInfo();
    assertThat(info.clusterAddrTable())
        .containsExactly(Map.entry(CLUSTER, Set.of("broker-a", "broker-b")));
    assertThat(info.brokerAddrTable()).containsOnlyKeys("broker-a", "broker-b");
    assertThat(info.brokerAddrTable().get("broker-b").brokerAddrs())
        .containsExactly(Map.entry("0", "10.0.0.2:10911"));

    assertThat(allTopics()).containsExactlyInAnyOrder("TopicA", "TopicB");
  }

  @Test
  void routeJsonIsStandardJsonWithTheFieldsTheRocketMqClientReads() throws Exception {
    new FakeBroker("broker-a", "127.0.0.1:10911", 0)
        .register(namesrvAddr, TopicConfig.of("TBW102", 8, 7));
    RemotingCommand r = routeResponse(namesrvAddr, "TBW102");
    assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
    String json = new String(r.body(), StandardCharsets.UTF_8);

    // A strict parser: quoted keys only, no comments or single quotes.
    JsonNode root = new ObjectMapper().readTree(json);
    assertThat(fieldNames(root))
        .containsExactlyInAnyOrder("brokerDatas", "filterServerTable", "queueDatas");
    assertThat(root.get("filterServerTable").isObject()).isTrue();
    assertThat(root.get("filterServerTable").size()).isZero();

    JsonNode bd = root.get("brokerDatas").get(0);
    assertThat(fieldNames(bd))
        .containsExactlyInAnyOrder("brokerAddrs", "brokerName", "cluster", "enableActingMaster");
    assertThat(bd.get("brokerAddrs").get("0").asText()).isEqualTo("127.0.0.1:10911");
    assertThat(bd.get("brokerName").asText()).isEqualTo("broker-a");
    assertThat(bd.get("cluster").asText()).isEqualTo(CLUSTER);
    assertThat(bd.get("enableActingMaster").isBoolean()).isTrue();

    JsonNode qd = root.get("queueDatas").get(0);
    assertThat(fieldNames(qd))
        .containsExactlyInAnyOrder(
            "brokerName", "perm", "readQueueNums", "topicSysFlag", "writeQueueNums");
    assertThat(qd.get("perm").isInt()).isTrue();
    assertThat(qd.get("perm").asInt()).isEqualTo(7);
    assertThat(qd.get("readQueueNums").asInt()).isEqualTo(8);
    assertThat(qd.get("writeQueueNums").asInt()).isEqualTo(8);
    assertThat(qd.get("topicSysFlag").asInt()).isZero();

    // Same content as the body the real 5.3.1 name server sent (reference §2.3), key order aside.
    JsonNode observed =
        new ObjectMapper()
            .readTree(
                "{\"brokerDatas\":[{\"brokerAddrs\":{\"0\":\"127.0.0.1:10911\"},\"brokerName\":\"broker-a\","
                    + "\"cluster\":\"DefaultCluster\",\"enableActingMaster\":false}],\"filterServerTable\":{},"
                    + "\"queueDatas\":[{\"brokerName\":\"broker-a\",\"perm\":7,\"readQueueNums\":8,"
                    + "\"topicSysFlag\":0,\"writeQueueNums\":8}]}");
    assertThat(root).isEqualTo(observed);
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void reRegistrationReplacesTheTopics() throws Exception {
    FakeBroker a = new FakeBroker("broker-a", "10.0.0.1:10911", 0);
    a.register(namesrvAddr, TopicConfig.of("Old", 4, 6), TopicConfig.of("Kept", 4, 6));
    assertThat(allTopics()).containsExactlyInAnyOrder("Old", "Kept");

    a.register(namesrvAddr, TopicConfig.of("Kept", 16, 6), TopicConfig.of("New", 1, 6));
    assertThat(allTopics()).containsExactlyInAnyOrder("Kept", "New");
    assertThat(routable(namesrvAddr, "Old")).isFalse();
    assertThat(route("Kept").queueDatas()).containsExactly(new QueueData("broker-a", 16, 16, 6, 0));
  }

  @Test
  void unknownTopicIsTopicNotExistWithRocketMqsRemark() throws Exception {
    RemotingCommand r = routeResponse(namesrvAddr, "Nope");
    assertThat(r.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST).isEqualTo(17);
    assertThat(r.remark()).isEqualTo("No topic route info in name server for the topic: Nope");
    assertThat(r.body()).isNullOrEmpty();
  }

  @Test
  void aSilentBrokerExpiresAndItsConnectionIsClosed() throws Exception {
    FakeBroker a = new FakeBroker("broker-a", "10.0.0.1:10911", 0);
    FakeBroker b = new FakeBroker("broker-b", "10.0.0.2:10911", 0);
    a.register(namesrvAddr, TopicConfig.of("TopicA", 4, 6));
    b.register(namesrvAddr, TopicConfig.of("TopicA", 4, 6));
    RemotingChannel aConnection = a.remoting.channel(namesrvAddr);

    clock.advance(Duration.ofSeconds(60));
    b.register(namesrvAddr, TopicConfig.of("TopicA", 4, 6)); // b keeps registering, a is silent
    clock.advance(Duration.ofSeconds(60));
    assertThat(namesrv.scanExpiredBrokers()).isZero(); // 120 s is not more than 120 s
    clock.advance(Duration.ofMillis(1));
    assertThat(namesrv.scanExpiredBrokers()).isEqualTo(1);

    assertThat(route("TopicA").brokerDatas())
        .extracting(bd -> bd.brokerName())
        .containsExactly("broker-b");
    assertThat(clusterInfo().brokerAddrTable()).containsOnlyKeys("broker-b");
    Awaitility.await("expired broker's connection closed by the name server")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !aConnection.isActive());
  }

  @Test
  void closingTheBrokersConnectionRemovesItAtOnce() throws Exception {
    FakeBroker a = new FakeBroker("broker-a", "10.0.0.1:10911", 0);
    FakeBroker b = new FakeBroker("broker-b", "10.0.0.2:10911", 0);
    a.register(namesrvAddr, TopicConfig.of("TopicA", 4, 6), TopicConfig.of("OnlyA", 4, 6));
    b.register(namesrvAddr, TopicConfig.of("TopicA", 4, 6));

    a.disconnect(namesrvAddr);

    Awaitility.await("broker-a dropped after its connection closed")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !routable(namesrvAddr, "OnlyA"));
    assertThat(route("TopicA").brokerDatas())
        .extracting(bd -> bd.brokerName())
        .containsExactly("broker-b");
    assertThat(allTopics()).containsExactly("TopicA");
  }

  @Test
  void unregisterRemovesTheBroker() throws Exception {
    FakeBroker a = new FakeBroker("broker-a", "10.0.0.1:10911", 0);
    FakeBroker slave = new FakeBroker("broker-a", "10.0.0.9:10911", 1);
    a.register(namesrvAddr, TopicConfig.of("TopicA", 4, 6));
    RemotingCommand rs = slave.register(namesrvAddr);
    assertThat(rs.get("masterAddr")).isEqualTo("10.0.0.1:10911");
    assertThat(route("TopicA").brokerDatas().get(0).brokerAddrs()).containsOnlyKeys("0", "1");

    assertThat(slave.unregister(namesrvAddr).code()).isEqualTo(ResponseCode.SUCCESS);
    assertThat(route("TopicA").brokerDatas().get(0).brokerAddrs()).containsOnlyKeys("0");

    assertThat(a.unregister(namesrvAddr).code()).isEqualTo(ResponseCode.SUCCESS);
    assertThat(routable(namesrvAddr, "TopicA")).isFalse();
    assertThat(clusterInfo().brokerAddrTable()).isEmpty();
  }

  @Test
  void twoNameServersEachAnswerForTheirOwnBrokers() throws Exception {
    NameServer other = startNameServer();
    String otherAddr = "127.0.0.1:" + other.port();
    new FakeBroker("broker-a", "10.0.0.1:10911", 0)
        .register(namesrvAddr, TopicConfig.of("TopicA", 4, 6));
    new FakeBroker("broker-b", "10.0.0.2:10911", 0)
        .register(otherAddr, TopicConfig.of("TopicB", 4, 6));

    assertThat(routable(namesrvAddr, "TopicA")).isTrue();
    assertThat(routable(namesrvAddr, "TopicB")).isFalse();
    assertThat(routable(otherAddr, "TopicB")).isTrue();
    assertThat(routable(otherAddr, "TopicA")).isFalse();
    assertThat(other.routes().clusterInfo().brokerAddrTable()).containsOnlyKeys("broker-b");
  }

  @Test
  void badRegistrationsGetAnErrorAndTheServerGoesOn() throws Exception {
    FakeBroker a = new FakeBroker("broker-a", "10.0.0.1:10911", 0);
    byte[] garbage = "{\"topicConfigSerializeWrapper\": [not json".getBytes(StandardCharsets.UTF_8);

    RemotingCommand notJson =
        a.remoting.invokeSync(namesrvAddr, a.registerRequest(garbage, 0), RPC_TIMEOUT_MILLIS);
    assertThat(notJson.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
    assertThat(notJson.remark()).contains("REGISTER_BROKER", "RegisterBrokerBody");

    RemotingCommand badCrc =
        a.remoting.invokeSync(
            namesrvAddr, a.registerRequest(garbage, crc32(garbage) ^ 1), RPC_TIMEOUT_MILLIS);
    assertThat(badCrc.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
    assertThat(badCrc.remark()).contains("crc32");

    RemotingCommand noName = a.registerRequest(new byte[0], 0);
    noName.extFields().remove("brokerName");
    RemotingCommand missing = a.remoting.invokeSync(namesrvAddr, noName, RPC_TIMEOUT_MILLIS);
    assertThat(missing.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
    assertThat(missing.remark()).isEqualTo("REGISTER_BROKER needs header field brokerName");

    RemotingCommand badId = a.registerRequest(new byte[0], 0).put("brokerId", "master");
    assertThat(a.remoting.invokeSync(namesrvAddr, badId, RPC_TIMEOUT_MILLIS).remark())
        .isEqualTo("REGISTER_BROKER header brokerId is not a number: master");

    assertThat(clusterInfo().brokerAddrTable()).isEmpty();
    assertThat(a.register(namesrvAddr, TopicConfig.of("TopicA", 4, 6)).code())
        .isEqualTo(ResponseCode.SUCCESS);
    assertThat(route("TopicA").queueDatas()).hasSize(1);
  }

  @Test
  void acceptsTheRegistrationBodyARealRocketMqBrokerSends() throws Exception {
    // Shape observed from the 5.3.1 broker (reference §2.3), including fields Wharf ignores.
    String observed =
        "{\"filterServerList\":[],\"topicConfigSerializeWrapper\":{\"dataVersion\":{\"counter\":3,"
            + "\"stateVersion\":0,\"timestamp\":1700000000000},\"mappingDataVersion\":{\"counter\":0,"
            + "\"stateVersion\":0,\"timestamp\":1700000000000},\"topicConfigTable\":{\"TopicTest\":"
            + "{\"attributes\":{},\"order\":false,\"perm\":6,\"readQueueNums\":4,"
            + "\"topicFilterType\":\"SINGLE_TAG\",\"topicName\":\"TopicTest\",\"topicSysFlag\":0,"
            + "\"writeQueueNums\":4}},\"topicQueueMappingDetailMap\":{},\"topicQueueMappingInfoMap\":{}}}";
    byte[] body = observed.getBytes(StandardCharsets.UTF_8);
    FakeBroker a = new FakeBroker("broker-a", "127.0.0.1:10911", 0);
    RemotingCommand r =
        a.remoting.invokeSync(
            namesrvAddr, a.registerRequest(body, crc32(body)), RPC_TIMEOUT_MILLIS);
    assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
    assertThat(route("TopicTest").queueDatas())
        .containsExactly(new QueueData("broker-a", 4, 4, 6, 0));
  }
}
