package io.wharfmq.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wharf started through its launcher ({@code bin/wharf}'s entry point, each server in its own JVM)
 * with the configuration files of Apache RocketMQ 5.3.3's distribution/conf, copied unchanged into
 * test resources (rocketmq-conf/): the single-broker broker.conf (the distribution's has no ACL key
 * to remove), the two brokers of 2m-noslave, the masters of 2m-2s-async and 2m-2s-sync, and a
 * name-server file. Only what a test machine needs is overridden by --set: ports, data directory,
 * small files. Each broker then serves the official client's sends and consumption.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RocketMqConfigFilesInteropTest {
  private static final Duration START = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void theSingleBrokerConfStartsStandaloneAndServes() throws Exception {
    Path conf = resource("broker.conf");
    int namesrvPort = BrokerProcess.freePort();
    Path log = dir.resolve("standalone.log");
    List<String> args = new ArrayList<>(List.of("standalone", "--config", conf.toString()));
    int brokerPort = BrokerProcess.freePort();
    args.addAll(sets(brokerOverrides(brokerPort, dir.resolve("data"))));
    args.addAll(sets(List.of("namesrvPort=" + namesrvPort)));
    try (Child wharf = Child.start(log, args);
        OfficialClients clients = new OfficialClients()) {
      wharf.port = brokerPort;
      wharf.await("Wharf standalone ready");
      String ns = "127.0.0.1:" + namesrvPort;
      awaitRegistered(clients, ns, "broker-a", wharf);
      sendAndConsume(clients, ns, "ConfSingle", 8, Set.of("broker-a"));
      String text = Files.readString(log);
      // Every key of the file is one Wharf implements: nothing is listed as without effect.
      assertThat(text).doesNotContain("no effect in Wharf");
      // fileReservedTime=48 no longer clashes with the default timerMaxDelaySec: it gives way.
      assertThat(text).contains("timerMaxDelaySec not set: using 172800 s (fileReservedTime=48 h)");
      assertThat(text).contains("Broker broker-a of cluster DefaultCluster");
    }
  }

  @Test
  void theTwoBrokersOf2mNoslaveRegisterWithANameServerStartedFromItsOwnFile() throws Exception {
    int namesrvPort = BrokerProcess.freePort();
    Path namesrvLog = dir.resolve("namesrv.log");
    try (Child namesrv =
        Child.start(
            namesrvLog,
            List.of(
                "namesrv",
                "--config",
                resource("namesrv.conf").toString(),
                "--set",
                "listenPort=" + namesrvPort,
                "--set",
                "bindAddress=127.0.0.1"))) {
      namesrv.await("name server listening on 127.0.0.1:" + namesrvPort);
      String namesrvText = Files.readString(namesrvLog);
      assertThat(namesrvText)
          .contains(
              "Configuration keys of Apache RocketMQ accepted but with no effect in Wharf (not"
                  + " implemented, see docs/configuration.md): clusterTest, orderMessageEnable,"
                  + " serverWorkerThreads, supportActingMaster")
          // scanNotActiveBrokerInterval is RocketMQ's spelling of scanIntervalMillis.
          .contains("checked every 5000 ms");
      String ns = "127.0.0.1:" + namesrvPort;
      try (Child a = broker("2m-noslave/broker-a.properties", ns, "a");
          Child b = broker("2m-noslave/broker-b.properties", ns, "b");
          OfficialClients clients = new OfficialClients()) {
        a.await("Broker broker-a of cluster DefaultCluster");
        b.await("Broker broker-b of cluster DefaultCluster");
        awaitRegistered(clients, ns, "broker-a", a);
        awaitRegistered(clients, ns, "broker-b", b);
        sendAndConsume(clients, ns, "ConfTwoMasters", 40, Set.of("broker-a", "broker-b"));
      }
    }
  }

  @Test
  void theMastersOfTheAsyncAndSyncPairsStart() throws Exception {
    int namesrvPort = BrokerProcess.freePort();
    try (Child namesrv =
        Child.start(
            dir.resolve("namesrv.log"),
            List.of(
                "namesrv",
                "--set",
                "listenPort=" + namesrvPort,
                "--set",
                "bindAddress=127.0.0.1"))) {
      namesrv.await("name server listening");
      String ns = "127.0.0.1:" + namesrvPort;
      // Two keys of RocketMQ that Wharf does not implement, as an operator's file often has.
      try (Child async =
              broker(
                  "2m-2s-async/broker-a.properties",
                  ns,
                  "async",
                  "sendMessageThreadPoolNums=4",
                  "brokerIP2=127.0.0.1");
          OfficialClients clients = new OfficialClients()) {
        async.await("Broker broker-a of cluster DefaultCluster");
        assertThat(Files.readAllLines(async.log))
            .filteredOn(l -> l.contains("no effect in Wharf"))
            .singleElement()
            .asString()
            .contains("WARN")
            .endsWith(
                "Configuration keys of Apache RocketMQ accepted but with no effect in Wharf (not"
                    + " implemented, see docs/configuration.md): brokerIP2,"
                    + " sendMessageThreadPoolNums");
        awaitRegistered(clients, ns, "broker-a", async);
        sendAndConsume(clients, ns, "ConfAsyncMaster", 8, Set.of("broker-a"));
      }
      // The same brokerName again, on its own data directory: the sync pair's master.
      try (Child sync = broker("2m-2s-sync/broker-a.properties", ns, "sync");
          OfficialClients clients = new OfficialClients()) {
        sync.await("Broker broker-a of cluster DefaultCluster");
        awaitRegistered(clients, ns, "broker-a", sync);
        assertThat(Files.readString(sync.log))
            .contains("brokerRole=SYNC_MASTER: Wharf has no slaves to wait for");
        sendAndConsume(clients, ns, "ConfSyncMaster", 8, Set.of("broker-a"));
      }
    }
  }

  @Test
  void enablePropertyFilterFalseRefusesSql92SubscriptionsAsRocketMqDoes() throws Exception {
    try (OfficialClients clients = new OfficialClients()) {
      WharfCluster cluster = new WharfCluster(dir);
      clients.closeLast(cluster);
      cluster.startBroker(cluster.brokerConfig("broker-a").enablePropertyFilter(false));
      String ns = cluster.namesrvAddr();
      clients.producer(ns).send(new Message("Shop", "T", "x".getBytes(StandardCharsets.UTF_8)));
      DefaultMQPushConsumer sql = new DefaultMQPushConsumer("cg-sql-off");
      sql.setNamesrvAddr(ns);
      sql.setInstanceName(OfficialClients.unique("sql"));
      sql.subscribe("Shop", MessageSelector.bySql("a > 1"));
      sql.registerMessageListener(
          (MessageListenerConcurrently) (msgs, ctx) -> ConsumeConcurrentlyStatus.CONSUME_SUCCESS);
      clients.track(sql::shutdown);
      assertThatThrownBy(sql::start)
          .hasMessageContaining("The broker does not support consumer to filter message by SQL92");
      // TAG subscriptions are not affected.
      sendAndConsume(clients, ns, "Shop", 1, Set.of("broker-a"));
    }
  }

  private Child broker(String file, String namesrvAddr, String name, String... extra)
      throws IOException {
    int port = BrokerProcess.freePort();
    List<String> args = new ArrayList<>(List.of("broker", "--config", resource(file).toString()));
    args.addAll(sets(brokerOverrides(port, dir.resolve("data-" + name))));
    args.addAll(sets(List.of("namesrvAddr=" + namesrvAddr)));
    args.addAll(sets(List.of(extra)));
    Child broker = Child.start(dir.resolve("broker-" + name + ".log"), args);
    broker.port = port;
    return broker;
  }

  /** Waits until the name server routes {@code brokerName} (the master) to {@code broker}. */
  private static void awaitRegistered(
      OfficialClients clients, String ns, String brokerName, Child broker) throws Exception {
    var admin = clients.admin(ns);
    Awaitility.await(brokerName + " registered at port " + broker.port)
        .atMost(START)
        .until(
            () -> {
              var data = admin.examineBrokerClusterInfo().getBrokerAddrTable().get(brokerName);
              return data != null
                  && ("127.0.0.1:" + broker.port).equals(data.getBrokerAddrs().get(0L));
            });
  }

  /**
   * What a test machine needs on top of the RocketMQ file: its own port, directory, small files.
   */
  private static List<String> brokerOverrides(int port, Path data) {
    return List.of(
        "listenPort=" + port,
        "amqpPort=0",
        "bindAddress=127.0.0.1",
        "brokerIP1=127.0.0.1",
        "storePathRootDir=" + data,
        "mappedFileSizeCommitLog=16777216",
        "maxHashSlotNum=1024",
        "maxIndexNum=40000");
  }

  private static List<String> sets(List<String> settings) {
    List<String> out = new ArrayList<>();
    for (String s : settings) {
      out.add("--set");
      out.add(s);
    }
    return out;
  }

  /** Copies a file of rocketmq-conf/ into the test's directory (the launcher reads a path). */
  private Path resource(String name) throws IOException {
    Path target = dir.resolve("conf").resolve(name);
    Files.createDirectories(target.getParent());
    try (InputStream in = getClass().getResourceAsStream("/rocketmq-conf/" + name)) {
      assertThat(in).as(name).isNotNull();
      Files.copy(in, target);
    }
    return target;
  }

  /**
   * Sends {@code count} messages with the official producer (until each of {@code brokers} took
   * some) and receives them all with the official push consumer.
   */
  private static void sendAndConsume(
      OfficialClients clients, String ns, String topic, int count, Set<String> brokers)
      throws Exception {
    DefaultMQProducer producer = clients.producer(ns);
    Set<String> sentTo = ConcurrentHashMap.newKeySet();
    Set<String> sent = ConcurrentHashMap.newKeySet();
    Awaitility.await("sends reach " + brokers)
        .atMost(START)
        .until(
            () -> {
              for (int i = 0; i < count; i++) {
                String body = topic + "-" + sent.size();
                SendResult r =
                    producer.send(
                        new Message(topic, "T", body.getBytes(StandardCharsets.UTF_8)), 5000);
                assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                sent.add(body);
                sentTo.add(r.getMessageQueue().getBrokerName());
              }
              return sentTo.containsAll(brokers);
            });
    assertThat(sentTo).isEqualTo(brokers);
    Set<String> received = ConcurrentHashMap.newKeySet();
    clients.start(
        clients.pushConsumer(
            ns,
            OfficialClients.unique("cg-conf"),
            topic,
            "*",
            MessageModel.CLUSTERING,
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            (msgs, context) -> {
              msgs.forEach(m -> received.add(new String(m.getBody(), StandardCharsets.UTF_8)));
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }));
    Awaitility.await("all " + sent.size() + " messages of " + topic + " received")
        .atMost(START)
        .until(() -> received.containsAll(sent));
  }

  /** A Wharf launcher command in its own JVM, its output in a log file; stopped by SIGTERM. */
  private static final class Child implements AutoCloseable {
    final Process process;
    final Path log;
    int port;

    private Child(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    static Child start(Path log, List<String> args) throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.add("-Xmx256m");
      cmd.add("-XX:TieredStopAtLevel=1");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add("io.wharfmq.launcher.Wharf");
      cmd.addAll(args);
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new Child(p, log);
    }

    /** Waits until the log shows {@code text}; fails at once with the log if the JVM ended. */
    void await(String text) {
      Awaitility.await("'" + text + "' in " + log.getFileName())
          .atMost(START)
          .until(
              () -> {
                String s = Files.readString(log);
                if (!process.isAlive() && !s.contains(text)) {
                  throw new AssertionError(
                      "exited with " + process.exitValue() + " before '" + text + "':\n" + s);
                }
                return s.contains(text);
              });
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
