package io.wharfmq.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.BrokerRole;
import io.wharfmq.broker.ConfigBinder;
import io.wharfmq.namesrv.NamesrvConfig;
import io.wharfmq.store.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * How RocketMQ configuration keys bind (docs/configuration.md): applied, accepted without effect
 * (one warning), refused with the reason, unknown with a "did you mean", and defaults that give way
 * instead of blocking a start.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RocketMqConfigKeysBindingTest {
  @TempDir Path dir;

  private static Map<String, String> settings(String... keyValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String kv : keyValues) {
      int eq = kv.indexOf('=');
      m.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return m;
  }

  private ConfigBinder.Result bindBroker(BrokerConfig c, String... keyValues) {
    return ConfigBinder.bindSettings(settings(keyValues), Set.of(), c, c.store(), c.tls());
  }

  @Test
  void theStockBrokerConfIsAppliedWholeAndStarts() {
    BrokerConfig c = new BrokerConfig(dir);
    ConfigBinder.Result r =
        bindBroker(
            c,
            "brokerClusterName=DefaultCluster",
            "brokerName=broker-a",
            "brokerId=0",
            "deleteWhen=04",
            "fileReservedTime=48",
            "brokerRole=ASYNC_MASTER",
            "flushDiskType=ASYNC_FLUSH",
            "namesrvAddr=127.0.0.1:9876");
    assertThat(r.problems()).isEmpty();
    assertThat(r.noEffect()).isEmpty();
    assertThat(r.noEffectWarning()).isEmpty();
    assertThat(c.problems()).isEmpty();
    assertThat(c.brokerRole()).isEqualTo(BrokerRole.ASYNC_MASTER);
    assertThat(c.store().deleteWhen()).isEqualTo(4);
    assertThat(c.store().fileReservedTimeHours()).isEqualTo(48);
    assertThat(c.store().flushDiskType()).isEqualTo(StoreConfig.FlushMode.ASYNC);
  }

  @Test
  void rocketMqKeysWharfDoesNotImplementAreAcceptedAndListedInOneWarning() {
    BrokerConfig c = new BrokerConfig(dir);
    ConfigBinder.Result r =
        bindBroker(
            c,
            "sendMessageThreadPoolNums=16",
            "brokerIP2=10.0.0.2",
            "haListenPort=10912",
            "commercialEnable=true",
            "rmqAddressServerDomain=jmenv.tbsite.net",
            "authenticationProvider=x",
            "brokerName=broker-x");
    assertThat(r.problems()).isEmpty();
    assertThat(c.brokerName()).isEqualTo("broker-x");
    assertThat(r.noEffect())
        .containsExactly(
            "authenticationProvider",
            "brokerIP2",
            "commercialEnable",
            "haListenPort",
            "rmqAddressServerDomain",
            "sendMessageThreadPoolNums");
    assertThat(r.noEffectWarning())
        .hasValue(
            "Configuration keys of Apache RocketMQ accepted but with no effect in Wharf (not"
                + " implemented, see docs/configuration.md): authenticationProvider, brokerIP2,"
                + " commercialEnable, haListenPort, rmqAddressServerDomain,"
                + " sendMessageThreadPoolNums");
  }

  @Test
  void unknownKeysAreRefusedWithDidYouMeanForNearMisses() {
    BrokerConfig c = new BrokerConfig(dir);
    ConfigBinder.Result r =
        bindBroker(
            c,
            "brokerNmae=x",
            "LISTENPORT=1",
            "flushDiskTyp=SYNC_FLUSH",
            "fileReservedTimes=12",
            "sendMessageThreadPoolNum=4",
            "wharfTurboMode=true");
    assertThat(r.problems())
        .containsExactly(
            "unknown key 'brokerNmae': neither Wharf nor any Apache RocketMQ release knows it;"
                + " did you mean 'brokerName'?",
            "unknown key 'LISTENPORT': neither Wharf nor any Apache RocketMQ release knows it;"
                + " did you mean 'listenPort'?",
            "unknown key 'flushDiskTyp': neither Wharf nor any Apache RocketMQ release knows it;"
                + " did you mean 'flushDiskType'?",
            "unknown key 'fileReservedTimes': neither Wharf nor any Apache RocketMQ release knows"
                + " it; did you mean 'fileReservedTime'?",
            "unknown key 'sendMessageThreadPoolNum': neither Wharf nor any Apache RocketMQ release"
                + " knows it; did you mean 'sendMessageThreadPoolNums'?",
            "unknown key 'wharfTurboMode': neither Wharf nor any Apache RocketMQ release knows it"
                + " (docs/configuration.md lists the keys)");
    assertThat(r.noEffect()).isEmpty();
  }

  @Test
  void keysAskingForWhatWharfCannotDoSafelyAreRefusedWithTheReason() {
    BrokerConfig c = new BrokerConfig(dir);
    ConfigBinder.Result r =
        bindBroker(
            c,
            "enableDLegerCommitLog=true",
            "enableControllerMode=true",
            "inSyncReplicas=2",
            "brokerRole=SLAVE",
            "brokerId=1");
    String text = String.join("\n", r.problems()) + "\n" + String.join("\n", c.problems());
    assertThat(text)
        .contains("enableDLegerCommitLog=true is refused: Wharf has no replication yet")
        .contains("DLedger commit log")
        .contains("enableControllerMode=true is refused: Wharf has no replication yet")
        .contains("inSyncReplicas=2 is refused: Wharf has no replication yet")
        .contains("brokerRole=SLAVE is refused: Wharf has no replication yet")
        .contains("brokerId=1 is refused: Wharf has no replication yet");
    assertThat(r.problems()).hasSize(3);
    assertThat(c.problems()).hasSize(2);
    assertThat(r.noEffect()).isEmpty();
  }

  @Test
  void rocketMqsAclSwitchesTurnOnWharfsAccessControl() {
    for (String key : List.of("enableAcl", "aclEnable", "authenticationEnabled")) {
      BrokerConfig c = new BrokerConfig(dir);
      ConfigBinder.Result r = bindBroker(c, key + "=true");
      assertThat(r.problems()).as(key).isEmpty();
      assertThat(r.noEffect()).as(key).isEmpty();
      assertThat(c.aclEnable()).as(key).isTrue();
    }
  }

  @Test
  void theSameKeysWithTheValueWharfHasAnywayAreAcceptedSilently() {
    BrokerConfig c = new BrokerConfig(dir);
    ConfigBinder.Result r =
        bindBroker(
            c,
            "enableAcl=false",
            "aclEnable=false",
            "enableDLegerCommitLog=false",
            "enableControllerMode=false",
            "inSyncReplicas=1",
            "brokerRole=SYNC_MASTER",
            "enablePropertyFilter=true");
    assertThat(r.problems()).isEmpty();
    assertThat(r.noEffect()).isEmpty();
    assertThat(c.problems()).isEmpty();
    assertThat(c.brokerRole()).isEqualTo(BrokerRole.SYNC_MASTER);
    assertThat(c.enablePropertyFilter()).isTrue();
    assertThat(String.join("\n", c.startupNotes()))
        .contains("brokerRole=SYNC_MASTER: Wharf has no slaves to wait for");
  }

  @Test
  void aCommitLogDirectoryElsewhereThanWharfsIsRefused() {
    BrokerConfig c = new BrokerConfig(dir.resolve("store"));
    assertThat(
            bindBroker(c, "storePathCommitLog=" + dir.resolve("store").resolve("commitlog"))
                .problems())
        .isEmpty();
    assertThat(bindBroker(c, "storePathCommitLog=/data/rocketmq/commitlog").problems())
        .singleElement()
        .asString()
        .startsWith("storePathCommitLog=/data/rocketmq/commitlog is refused: Wharf keeps the")
        .contains("set storePathRootDir to the directory that holds them all");
  }

  @Test
  void anUnsetTimerMaxDelaySecGivesWayToFileReservedTime() {
    BrokerConfig c = new BrokerConfig(dir);
    assertThat(c.timerMaxDelaySec()).isEqualTo(259_200);
    assertThat(c.startupNotes()).isEmpty();
    assertThat(bindBroker(c, "fileReservedTime=48").problems()).isEmpty();
    assertThat(c.problems()).isEmpty();
    assertThat(c.timerMaxDelaySec()).isEqualTo(172_800);
    assertThat(c.startupNotes())
        .containsExactly(
            "timerMaxDelaySec not set: using 172800 s (fileReservedTime=48 h) instead of the"
                + " default 259200, so that a timer message stays in the commit log for its"
                + " whole wait");
  }

  @Test
  void aTimerMaxDelaySecSetAboveFileReservedTimeNamesBothKeysAndTheFix() {
    BrokerConfig c = new BrokerConfig(dir);
    assertThat(bindBroker(c, "fileReservedTime=48", "timerMaxDelaySec=259200").problems())
        .isEmpty();
    assertThat(c.problems())
        .containsExactly(
            "timerMaxDelaySec (259200 s) must not exceed fileReservedTime (48 h = 172800 s): a"
                + " timer message must stay in the commit log for its whole wait; lower"
                + " timerMaxDelaySec to at most 172800 or raise fileReservedTime to at least 72");
    BrokerConfig fits = new BrokerConfig(dir);
    bindBroker(fits, "fileReservedTime=48", "timerMaxDelaySec=3600");
    assertThat(fits.problems()).isEmpty();
    assertThat(fits.timerMaxDelaySec()).isEqualTo(3600);
    assertThat(fits.startupNotes()).isEmpty();
  }

  @Test
  void anUnsetMaxMessageSizeGivesWayToASmallCommitLogSegment() {
    BrokerConfig c = new BrokerConfig(dir);
    bindBroker(c, "mappedFileSizeCommitLog=1048576");
    assertThat(c.problems()).isEmpty();
    assertThat(c.store().maxMessageSize()).isEqualTo(524_288);
    assertThat(c.startupNotes()).singleElement().asString().startsWith("maxMessageSize not set");
    BrokerConfig set = new BrokerConfig(dir);
    bindBroker(set, "mappedFileSizeCommitLog=1048576", "maxMessageSize=4194304");
    assertThat(set.problems())
        .containsExactly(
            "maxMessageSize (4194304) must not exceed half of mappedFileSizeCommitLog (1048576):"
                + " lower maxMessageSize to at most 524288 or raise mappedFileSizeCommitLog to at"
                + " least 8388608");
  }

  @Test
  void rocketMqSpellingsOfWharfKeysAreApplied() {
    BrokerConfig c = new BrokerConfig(dir);
    assertThat(bindBroker(c, "mappedFileSizeConsumeQueue=6000000").problems()).isEmpty();
    assertThat(c.store().consumeQueueEntriesPerFile()).isEqualTo(300_000);
    assertThat(bindBroker(c, "mappedFileSizeConsumeQueue=6000001").problems())
        .singleElement()
        .asString()
        .contains("mappedFileSizeConsumeQueue")
        .contains("multiple of 20");
    assertThat(bindBroker(c, "useTLS=true").problems()).isEmpty();
    assertThat(c.tls().tlsClientEnable()).as("NettyClientConfig's useTLS").isTrue();
    NamesrvConfig n = new NamesrvConfig();
    ConfigBinder.Result r =
        ConfigBinder.bindSettings(
            settings("scanNotActiveBrokerInterval=5000", "orderMessageEnable=true"), Set.of(), n);
    assertThat(r.problems()).isEmpty();
    assertThat(r.noEffect()).containsExactly("orderMessageEnable");
    assertThat(n.scanIntervalMillis()).isEqualTo(5000);
  }

  @Test
  void nameServerRefusesItsControllerAndDerivesAnUnsetScanInterval() {
    NamesrvConfig n = new NamesrvConfig();
    ConfigBinder.Result r =
        ConfigBinder.bindSettings(
            settings("enableControllerInNamesrv=true", "brokerExpiryMillis=5000"), Set.of(), n);
    assertThat(r.problems())
        .singleElement()
        .asString()
        .startsWith("enableControllerInNamesrv=true is refused: Wharf's name server has no");
    assertThat(n.problems()).isEmpty();
    assertThat(n.scanIntervalMillis()).isEqualTo(5000);
    assertThat(n.startupNotes())
        .singleElement()
        .asString()
        .startsWith("scanIntervalMillis not set");
    NamesrvConfig set = new NamesrvConfig().brokerExpiryMillis(5000).scanIntervalMillis(10_000);
    assertThat(set.problems())
        .singleElement()
        .asString()
        .contains("scanIntervalMillis (10000) must not exceed brokerExpiryMillis (5000)")
        .contains("lower scanIntervalMillis or raise brokerExpiryMillis");
  }

  @Test
  void theBrokerCommandStopsWithExitCode2AndTheReasonForARefusedKey() throws Exception {
    Path conf = dir.resolve("broker.conf");
    Files.writeString(
        conf,
        "brokerClusterName = DefaultCluster\nbrokerName = broker-a\nbrokerId = 0\n"
            + "deleteWhen = 04\nfileReservedTime = 48\nbrokerRole = ASYNC_MASTER\n"
            + "flushDiskType = ASYNC_FLUSH\nenableDLegerCommitLog = true\nbrokerNmae = typo\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code =
          new CommandLine(new Wharf())
              .execute(
                  "broker",
                  "--config",
                  conf.toString(),
                  "--set",
                  "storePathRootDir=" + dir.resolve("data"));
    } finally {
      System.setErr(old);
    }
    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(code).isEqualTo(2);
    assertThat(text)
        .contains("enableDLegerCommitLog=true is refused: Wharf has no replication yet")
        .contains("did you mean 'brokerName'?");
    assertThat(text.lines().filter(l -> l.startsWith("  - ")).toList()).hasSize(2);
    assertThat(Files.exists(dir.resolve("data"))).isFalse();
  }

  @Test
  void problemsListTheBadValueOfAnAppliedKey() {
    BrokerConfig c = new BrokerConfig(dir);
    List<String> problems = bindBroker(c, "brokerRole=MASTER", "deleteWhen=04;16").problems();
    assertThat(String.join("\n", problems))
        .contains("brokerRole: cannot use 'MASTER': expected one of [ASYNC_MASTER, SYNC_MASTER,")
        .contains("deleteWhen: cannot use '04;16'");
  }
}
