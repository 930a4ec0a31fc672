package io.wharfmq.broker.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.body.SubscriptionGroupConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SubscriptionGroupManagerTest {
  @TempDir Path dir;
  final InstantSource clock = InstantSource.fixed(Instant.parse("2026-11-21T08:00:00Z"));

  @Test
  void groupsAreAutoCreatedPersistedAndReloaded() throws Exception {
    SubscriptionGroupManager groups = new SubscriptionGroupManager(dir, clock, true, 9);
    groups.load();
    assertThat(groups.get("cg")).isNull();
    assertThat(groups.maxReconsumeTimes("cg")).isEqualTo(9);
    assertThat(groups.findOrCreate("cg").retryMaxTimes()).isEqualTo(9);
    assertThat(
            groups.put(
                SubscriptionGroupConfig.of(
                    "cg-2", false, null, null, true, 3, 2, null, null, null, null, null, null, null,
                    null)))
        .isNull();
    assertThat(groups.maxReconsumeTimes("cg-2")).isEqualTo(2);
    assertThat(groups.delete("cg")).isTrue();

    SubscriptionGroupManager reloaded = new SubscriptionGroupManager(dir, clock, false, 16);
    reloaded.load();
    assertThat(reloaded.get("cg")).isNull();
    assertThat(reloaded.findOrCreate("cg")).isNull();
    SubscriptionGroupConfig c = reloaded.get("cg-2");
    assertThat(c.consumeEnable()).isFalse();
    assertThat(c.consumeMessageOrderly()).isTrue();
    assertThat(c.retryQueueNums()).isEqualTo(3);
    assertThat(c.consumeFromMinEnable()).isTrue();
    assertThat(reloaded.get("TOOLS_CONSUMER")).isNotNull();
    assertThat(reloaded.snapshot().dataVersion().counter()).isEqualTo(3);
    assertThat(Files.readString(dir.resolve("subscriptionGroup.json")))
        .contains("\"subscriptionGroupTable\"")
        .contains("\"groupRetryPolicy\":{\"type\":\"CUSTOMIZED\"}");
  }

  @Test
  void badConfigsAreRefusedWithTheReason() throws Exception {
    SubscriptionGroupManager groups = new SubscriptionGroupManager(dir, clock, true, 16);
    groups.load();
    SubscriptionGroupConfig bad =
        RemotingJson.decode(
            "{\"groupName\":\"a b\",\"retryQueueNums\":1}".getBytes(),
            SubscriptionGroupConfig.class);
    assertThat(groups.put(bad)).contains("group name 'a b'");
    SubscriptionGroupConfig negative =
        RemotingJson.decode(
            "{\"groupName\":\"ok\",\"retryQueueNums\":-1}".getBytes(),
            SubscriptionGroupConfig.class);
    assertThat(groups.put(negative)).contains("retryQueueNums");
    assertThat(groups.get("ok")).isNull();
  }
}
