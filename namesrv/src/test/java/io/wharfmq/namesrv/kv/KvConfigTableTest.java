package io.wharfmq.namesrv.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class KvConfigTableTest {
  @Test
  void putGetListAndDelete() {
    KvConfigTable kv = new KvConfigTable();
    assertThat(kv.get("ORDER_TOPIC_CONFIG", "T")).isNull();
    assertThat(kv.namespace("ORDER_TOPIC_CONFIG")).isNull();
    kv.put("ORDER_TOPIC_CONFIG", "T", "broker-a:4");
    kv.put("ORDER_TOPIC_CONFIG", "U", "broker-b:2");
    kv.put("ORDER_TOPIC_CONFIG", "T", "broker-a:8");
    assertThat(kv.get("ORDER_TOPIC_CONFIG", "T")).isEqualTo("broker-a:8");
    assertThat(kv.namespace("ORDER_TOPIC_CONFIG"))
        .isEqualTo(Map.of("T", "broker-a:8", "U", "broker-b:2"));
    assertThat(kv.delete("ORDER_TOPIC_CONFIG", "T")).isTrue();
    assertThat(kv.delete("ORDER_TOPIC_CONFIG", "T")).isFalse();
    assertThat(kv.delete("ORDER_TOPIC_CONFIG", "U")).isTrue();
    // An emptied namespace is gone, as an unknown one.
    assertThat(kv.namespace("ORDER_TOPIC_CONFIG")).isNull();
  }
}
