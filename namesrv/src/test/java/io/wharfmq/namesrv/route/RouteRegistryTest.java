package io.wharfmq.namesrv.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.namesrv.ManualClock;
import io.wharfmq.remoting.protocol.body.ClusterInfo;
import io.wharfmq.remoting.protocol.body.QueueData;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.remoting.protocol.body.TopicRouteData;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The registry alone, with a hand-moved clock and no connections. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RouteRegistryTest {
  final ManualClock clock = new ManualClock();
  final RouteRegistry registry = new RouteRegistry(clock, 120_000);

  static Map<String, TopicConfig> topics(String... names) {
    Map<String, TopicConfig> m = new java.util.LinkedHashMap<>();
    for (String n : names) {
      m.put(n, TopicConfig.of(n, 4, 6));
    }
    return m;
  }

  @Test
  void aRetryTopicNoBrokerHasYetGetsAProvisionalRouteOverEveryMaster() {
    assertThat(registry.routeFor("%RETRY%group")).isNull(); // no broker at all
    registry.register("c1", "broker-a", "10.0.0.1:10911", 0, topics("T1"), null);
    registry.register("c1", "broker-b", "10.0.0.3:10911", 0, topics("T2"), null);
    var route = registry.routeFor("%RETRY%group");
    assertThat(route.brokerDatas()).hasSize(2);
    assertThat(route.queueDatas())
        .allSatisfy(
            q -> {
              assertThat(q.readQueueNums()).isEqualTo(1);
              assertThat(q.writeQueueNums()).isEqualTo(1);
              assertThat(q.perm()).isEqualTo(6);
            });
    assertThat(registry.routeFor("Unknown")).isNull();
    registry.register("c1", "broker-a", "10.0.0.1:10911", 0, topics("T1", "%RETRY%group"), null);
    assertThat(registry.routeFor("%RETRY%group").brokerDatas())
        .extracting(d -> d.brokerName())
        .containsExactly("broker-a");
  }

  @Test
  void onlyTheMastersTopicsCountAndSlavesAddAddresses() {
    registry.register("c1", "broker-a", "10.0.0.1:10911", 0, topics("T1"), null);
    registry.register("c1", "broker-a", "10.0.0.2:10911", 1, topics("IGNORED"), null);

    TopicRouteData route = registry.routeFor("T1");
    assertThat(route.queueDatas()).containsExactly(new QueueData("broker-a", 4, 4, 6, 0));
    assertThat(route.brokerDatas().get(0).brokerAddrs())
        .containsExactly(Map.entry("0", "10.0.0.1:10911"), Map.entry("1", "10.0.0.2:10911"));
    assertThat(registry.routeFor("IGNORED")).isNull();
    assertThat(registry.masterAddress("broker-a")).isEqualTo("10.0.0.1:10911");
  }

  @Test
  void expiryCountsFromTheLastRegistrationOfEachAddress() {
    registry.register("c1", "broker-a", "10.0.0.1:10911", 0, topics("T1"), null);
    registry.register("c1", "broker-b", "10.0.0.3:10911", 0, topics("T1"), null);
    clock.advance(Duration.ofSeconds(60));
    registry.register("c1", "broker-b", "10.0.0.3:10911", 0, topics("T1"), null);
    clock.advance(Duration.ofMillis(60_000));

    assertThat(registry.expire(clock.instant())).isZero(); // exactly at the limit: still alive
    clock.advance(Duration.ofMillis(1));
    assertThat(registry.expire(clock.instant())).isEqualTo(1);

    ClusterInfo info = registry.clusterInfo();
    assertThat(info.brokerAddrTable()).containsOnlyKeys("broker-b");
    assertThat(info.clusterAddrTable())
        .containsExactly(Map.entry("c1", java.util.Set.of("broker-b")));
  }

  @Test
  void unregisterNeedsTheMatchingAddress() {
    registry.register("c1", "broker-a", "10.0.0.1:10911", 0, topics("T1"), null);
    registry.unregister("c1", "broker-a", "10.9.9.9:10911", 0);
    assertThat(registry.allTopics()).containsExactly("T1");
    registry.unregister("c1", "broker-a", "10.0.0.1:10911", 0);
    assertThat(registry.allTopics()).isEmpty();
    assertThat(registry.clusterInfo().brokerAddrTable()).isEmpty();
  }

  @Test
  void anAddressThatChangesIdIsListedOnce() {
    registry.register("c1", "broker-a", "10.0.0.2:10911", 1, Map.of(), null);
    registry.register("c1", "broker-a", "10.0.0.2:10911", 0, topics("T1"), null);
    assertThat(registry.routeFor("T1").brokerDatas().get(0).brokerAddrs())
        .containsExactly(Map.entry("0", "10.0.0.2:10911"));
  }
}
