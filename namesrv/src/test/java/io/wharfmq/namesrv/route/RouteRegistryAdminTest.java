package io.wharfmq.namesrv.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.remoting.protocol.body.BrokerData;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The registry's admin operations: topic deletion per cluster, and the system-topic list. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RouteRegistryAdminTest {
  final RouteRegistry registry =
      new RouteRegistry(InstantSource.fixed(Instant.ofEpochSecond(1_700_000_000)), 120_000);

  private void register(String cluster, String broker, String addr, String... topics) {
    Map<String, TopicConfig> table = new java.util.LinkedHashMap<>();
    for (String t : topics) {
      table.put(t, TopicConfig.of(t, 4, 6));
    }
    registry.register(cluster, broker, addr, 0, table, null);
  }

  @Test
  void deletesATopicInOneClusterOrEverywhere() {
    register("east", "east-1", "10.0.0.1:10911", "Orders", "Audit");
    register("east", "east-2", "10.0.0.2:10911", "Orders");
    register("west", "west-1", "10.0.1.1:10911", "Orders", "Audit");

    assertThat(registry.deleteTopic("Orders", "east")).isEqualTo(2);
    assertThat(registry.routeFor("Orders").brokerDatas())
        .extracting(BrokerData::brokerName)
        .containsExactly("west-1");
    assertThat(registry.topicsOfCluster("east")).containsExactly("Audit");

    assertThat(registry.deleteTopic("Audit", null)).isEqualTo(2);
    assertThat(registry.routeFor("Audit")).isNull();
    assertThat(registry.deleteTopic("Audit", "")).isZero();
    assertThat(registry.deleteTopic("NoSuchTopic", "east")).isZero();
    // The next registration of a broker that still has the topic brings it back, as in RocketMQ.
    register("west", "west-1", "10.0.1.1:10911", "Orders", "Audit");
    assertThat(registry.routeFor("Audit").brokerDatas()).hasSize(1);
  }

  @Test
  void systemTopicsAreTheClusterAndBrokerNames() {
    assertThat(registry.systemTopics().getKey()).isEmpty();
    assertThat(registry.systemTopics().getValue()).isNull();
    register("east", "east-1", "10.0.0.1:10911");
    register("west", "west-1", "10.0.1.1:10911");
    assertThat(registry.systemTopics().getKey())
        .containsExactlyInAnyOrder("east", "east-1", "west", "west-1");
    assertThat(registry.systemTopics().getValue()).isIn("10.0.0.1:10911", "10.0.1.1:10911");
  }
}
