package io.wharfmq.bench.takeover;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.apache.rocketmq.broker.BrokerController;
import org.apache.rocketmq.common.BrokerConfig;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.namesrv.NamesrvConfig;
import org.apache.rocketmq.namesrv.NamesrvController;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyServerConfig;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.store.config.MessageStoreConfig;

/**
 * Apache RocketMQ's own name server and broker (5.x, test scope) in this JVM, writing a store
 * directory for Wharf to take over: RocketMQ's defaults except small commit-log segments and a
 * small key index (so the test writes little), which Wharf is then configured with too, as an
 * operator would copy them from broker.conf.
 */
final class EmbeddedRocketMq implements AutoCloseable {
  static final String CLUSTER = "DefaultCluster";
  static final String BROKER_NAME = "broker-a";
  static final int SEGMENT_SIZE = 64 * 1024;
  static final int HASH_SLOTS = 1_000;
  static final int INDEX_ENTRIES = 4_000;

  private final NamesrvController namesrv;
  private final BrokerController broker;
  private final int namesrvPort;
  private final int brokerPort;
  private final Path store;
  private boolean closed;

  EmbeddedRocketMq(Path dataDir) throws Exception {
    this(dataDir, 0);
  }

  /**
   * @param timerRollWindowSlot RocketMQ's timerRollWindowSlot (timers further ahead are rolled
   *     forward, a copy per roll), 0 for its default (two days of 1 s slots)
   */
  EmbeddedRocketMq(Path dataDir, int timerRollWindowSlot) throws Exception {
    // BrokerStartup sets this; without it the name server reads registrations as pre-3.0.11.
    System.setProperty(
        RemotingCommand.REMOTING_VERSION_KEY, Integer.toString(MQVersion.CURRENT_VERSION));
    namesrvPort = freePort(0);
    brokerPort = freePort(2); // RocketMQ also listens on port - 2 and port + 1 (HA)
    NamesrvConfig nc = new NamesrvConfig();
    nc.setKvConfigPath(dataDir.resolve("namesrv/kvConfig.json").toString());
    nc.setConfigStorePath(dataDir.resolve("namesrv/namesrv.properties").toString());
    NettyServerConfig nn = new NettyServerConfig();
    nn.setBindAddress("127.0.0.1");
    nn.setListenPort(namesrvPort);
    namesrv = new NamesrvController(nc, nn);
    if (!namesrv.initialize()) {
      throw new IllegalStateException("RocketMQ NamesrvController.initialize() failed");
    }
    namesrv.start();

    BrokerConfig bc = new BrokerConfig();
    bc.setBrokerClusterName(CLUSTER);
    bc.setBrokerName(BROKER_NAME);
    bc.setBrokerIP1("127.0.0.1");
    bc.setNamesrvAddr(namesrvAddr());
    bc.setRocketmqHome(dataDir.toString());
    MessageStoreConfig sc = new MessageStoreConfig();
    store = dataDir.resolve("store");
    sc.setStorePathRootDir(store.toString());
    sc.setStorePathCommitLog(store.resolve("commitlog").toString());
    sc.setMappedFileSizeCommitLog(SEGMENT_SIZE);
    sc.setMaxHashSlotNum(HASH_SLOTS);
    sc.setMaxIndexNum(INDEX_ENTRIES);
    sc.setHaListenPort(brokerPort + 1);
    if (timerRollWindowSlot > 0) {
      sc.setTimerRollWindowSlot(timerRollWindowSlot);
    }
    NettyServerConfig bn = new NettyServerConfig();
    bn.setBindAddress("127.0.0.1");
    bn.setListenPort(brokerPort);
    broker = new BrokerController(bc, bn, new NettyClientConfig(), sc);
    if (!broker.initialize()) {
      throw new IllegalStateException("RocketMQ BrokerController.initialize() failed");
    }
    broker.start();
  }

  /** Creates a topic on the broker and registers it with the name server at once. */
  void createTopic(String topic, int queues) {
    TopicConfig tc = new TopicConfig(topic, queues, queues, 6);
    broker.getTopicConfigManager().updateTopicConfig(tc);
    broker.registerBrokerAll(true, false, true);
  }

  /**
   * Stops delivering delayed messages and persists their progress (delayOffset.json), as RocketMQ's
   * shutdown does, only earlier: its broker keeps delivering for most of a shutdown that takes 20 s
   * and more here, longer than a test wants to wait for a delay.
   */
  void stopDelayedDelivery() {
    broker.getScheduleMessageService().stop();
  }

  /** The group's committed offsets on the topic, summed over its queues. */
  long committed(String group, String topic, int queues) {
    long sum = 0;
    for (int q = 0; q < queues; q++) {
      sum += Math.max(0, broker.getConsumerOffsetManager().queryOffset(group, topic, q));
    }
    return sum;
  }

  /** Entries of RocketMQ's timer queue (rmq_sys_wheel_timer, queue 0). */
  long timerQueueEntries() throws Exception {
    return broker.getMessageStore().getMaxOffsetInQueue("rmq_sys_wheel_timer", 0);
  }

  BrokerController broker() {
    return broker;
  }

  Path store() {
    return store;
  }

  int brokerPort() {
    return brokerPort;
  }

  String namesrvAddr() {
    return "127.0.0.1:" + namesrvPort;
  }

  /** A clean stop, as {@code mqshutdown broker}: RocketMQ persists offsets and removes abort. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      broker.shutdown();
      namesrv.shutdown();
    }
  }

  /** A free port p on 127.0.0.1 such that p - below .. p + 1 are all free too. */
  private static int freePort(int below) throws IOException {
    InetAddress lo = InetAddress.getLoopbackAddress();
    for (int attempt = 0; attempt < 50; attempt++) {
      int p;
      try (ServerSocket s = new ServerSocket(0, 1, lo)) {
        p = s.getLocalPort();
      }
      if (p - below < 1024 || p + 1 > 65535) {
        continue;
      }
      boolean free = true;
      for (int q = p - below; q <= p + 1 && free; q++) {
        try (ServerSocket s = new ServerSocket(q, 1, lo)) {
          free = s.getLocalPort() == q;
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return p;
      }
    }
    throw new IOException("No free port range on 127.0.0.1 after 50 attempts");
  }
}
