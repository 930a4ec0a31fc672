package io.wharfmq.bench.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.RocketMqConfigKeys;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Wharf's list of Apache RocketMQ's configuration keys (broker's rocketmq-config-keys.txt) against
 * the configuration classes of the official broker and name server on this module's test class path
 * (rocketmq-broker and rocketmq-namesrv at the benchmark baseline version, with their store,
 * remoting, auth, tiered-store and controller classes). A RocketMQ upgrade that adds a key fails
 * here with the missing names, so that Wharf never refuses a key RocketMQ accepts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RocketMqConfigKeysTest {
  /** What BrokerStartup and NamesrvStartup hand to MixAll.properties2Object from the file. */
  private static final Set<String> READ_FROM_FILES =
      Set.of(
          "org.apache.rocketmq.common.BrokerConfig",
          "org.apache.rocketmq.store.config.MessageStoreConfig",
          "org.apache.rocketmq.remoting.netty.NettyServerConfig",
          "org.apache.rocketmq.remoting.netty.NettyClientConfig",
          "org.apache.rocketmq.auth.config.AuthConfig",
          "org.apache.rocketmq.tieredstore.MessageStoreConfig",
          "org.apache.rocketmq.common.namesrv.NamesrvConfig",
          "org.apache.rocketmq.common.ControllerConfig",
          "org.apache.rocketmq.common.JraftConfig");

  /**
   * Parameter types MixAll.properties2Object converts a value to; setters of others are skipped.
   */
  private static final Set<String> CONVERTED =
      Set.of(
          "int", "Integer", "long", "Long", "double", "Double", "boolean", "Boolean", "float",
          "Float", "String");

  @Test
  void everyKeyTheOfficialConfigurationClassesAcceptIsListed() throws Exception {
    Map<String, Set<String>> listed = RocketMqConfigKeys.get().byClass();
    assertThat(listed.keySet()).containsAll(READ_FROM_FILES);
    Map<String, Set<String>> missing = new TreeMap<>();
    for (String className : READ_FROM_FILES) {
      Set<String> official = settableKeys(Class.forName(className));
      assertThat(official).as("keys of %s", className).hasSizeGreaterThan(5);
      Set<String> absent = new TreeSet<>(official);
      absent.removeAll(listed.get(className));
      if (!absent.isEmpty()) {
        missing.put(className, absent);
      }
    }
    assertThat(missing)
        .as(
            "RocketMQ keys missing from broker/src/main/resources/io/wharfmq/broker/%s",
            RocketMqConfigKeys.RESOURCE)
        .isEmpty();
  }

  @Test
  void theKeysOfTheIssueAreKnown() {
    RocketMqConfigKeys keys = RocketMqConfigKeys.get();
    for (String k :
        new String[] {
          "brokerRole", "enablePropertyFilter", "aclEnable", "enableDLegerCommitLog",
          "enableControllerMode", "fileReservedTime", "listenPort", "namesrvAddr"
        }) {
      assertThat(keys.contains(k)).as(k).isTrue();
    }
    assertThat(keys.contains("brokerNmae")).isFalse();
  }

  /** The keys MixAll.properties2Object sets on an object of {@code type}, derived as it does. */
  static Set<String> settableKeys(Class<?> type) {
    Set<String> keys = new TreeSet<>();
    for (Method m : type.getMethods()) {
      String name = m.getName();
      if (!name.startsWith("set") || name.length() < 4 || m.getParameterCount() != 1) {
        continue;
      }
      if (CONVERTED.contains(m.getParameterTypes()[0].getSimpleName())) {
        keys.add(name.substring(3, 4).toLowerCase(Locale.ROOT) + name.substring(4));
      }
    }
    return keys;
  }
}
