package io.wharfmq.bench.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.apache.rocketmq.auth.config.AuthConfig;
import org.apache.rocketmq.broker.BrokerController;
import org.apache.rocketmq.common.BrokerConfig;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.common.namesrv.NamesrvConfig;
import org.apache.rocketmq.namesrv.NamesrvController;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyServerConfig;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.store.config.FlushDiskType;
import org.apache.rocketmq.store.config.MessageStoreConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * Apache RocketMQ's own NamesrvController and BrokerController, built directly as RocketMQ's
 * integration tests do (no BrokerStartup, so no ROCKETMQ_HOME and no System.exit). Store settings
 * are RocketMQ's defaults except: data in the run's directory, the flush mode under test, the timer
 * wheel off (Wharf has none; on for POP runs, which RocketMQ refuses without it) and the key index
 * shrunk exactly as Wharf's. With access control: ACL 2.0 as RocketMQ 5.3's documentation sets it
 * up (authentication and authorization on, the local RocksDB metadata providers, the default
 * providers and stateless strategies, {@code initAuthenticationUser} as the super user), and the
 * normal user of {@link BenchSecurity} created through the admin API before the READY line.
 */
final class RocketMqHost implements HostedBroker {
  private final NamesrvController namesrv;
  private final BrokerController broker;
  private final int namesrvPort;
  private final int brokerPort;

  RocketMqHost(
      Path dataDir,
      boolean syncFlush,
      BrokerHost.IndexSize index,
      boolean timerWheel,
      BenchSecurity security)
      throws Exception {
    // NamesrvStartup and BrokerStartup set this; without it requests carry version 0 and the name
    // server reads the broker's registration as the pre-3.0.11 format, i.e. with no topics.
    System.setProperty(
        RemotingCommand.REMOTING_VERSION_KEY, Integer.toString(MQVersion.CURRENT_VERSION));
    namesrvPort = freePort(0);
    // The broker also listens on port-2 ("fast"/VIP channel) and port+1 (HA): all three must be
    // free.
    brokerPort = freePort(2);
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
    bc.setBrokerName("rocketmq-a");
    bc.setBrokerIP1("127.0.0.1");
    bc.setNamesrvAddr(namesrvAddr());
    bc.setRocketmqHome(dataDir.toString());
    MessageStoreConfig sc = new MessageStoreConfig();
    Path store = dataDir.resolve("store");
    sc.setStorePathRootDir(store.toString());
    sc.setStorePathCommitLog(store.resolve("commitlog").toString());
    sc.setFlushDiskType(syncFlush ? FlushDiskType.SYNC_FLUSH : FlushDiskType.ASYNC_FLUSH);
    sc.setTimerWheelEnable(timerWheel);
    sc.setMaxHashSlotNum(index.hashSlots());
    sc.setMaxIndexNum(index.entries());
    sc.setHaListenPort(brokerPort + 1);
    NettyServerConfig bn = new NettyServerConfig();
    bn.setBindAddress("127.0.0.1");
    bn.setListenPort(brokerPort);
    broker =
        security.acl()
            ? new BrokerController(bc, bn, new NettyClientConfig(), sc, authConfig(bc, store))
            : new BrokerController(bc, bn, new NettyClientConfig(), sc);
    if (!broker.initialize()) {
      throw new IllegalStateException("RocketMQ BrokerController.initialize() failed");
    }
    broker.start();
    if (security.acl()) {
      addBenchUser(security);
    }
  }

  /** What BrokerStartup builds from broker.conf's ACL 2.0 keys. */
  private static AuthConfig authConfig(BrokerConfig bc, Path store) {
    AuthConfig a = new AuthConfig();
    a.setConfigName(bc.getBrokerName());
    a.setClusterName(bc.getBrokerClusterName());
    a.setAuthConfigPath(store.resolve("config").toString());
    a.setAuthenticationEnabled(true);
    a.setAuthenticationMetadataProvider(
        "org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider");
    a.setInitAuthenticationUser(
        "{\"username\":\""
            + BenchSecurity.ROCKETMQ_ADMIN
            + "\",\"password\":\""
            + BenchSecurity.ROCKETMQ_ADMIN_PASSWORD
            + "\"}");
    a.setAuthorizationEnabled(true);
    a.setAuthorizationMetadataProvider(
        "org.apache.rocketmq.auth.authorization.provider.LocalAuthorizationMetadataProvider");
    return a;
  }

  /** Creates the benchmark's normal user and its permissions, signed as the super user. */
  private void addBenchUser(BenchSecurity security) throws Exception {
    DefaultMQAdminExt admin = new DefaultMQAdminExt(security.adminHook("rocketmq"));
    admin.setNamesrvAddr(namesrvAddr());
    admin.setInstanceName("bench-acl-setup");
    admin.start();
    try {
      admin.createUser(brokerAddr(), BenchSecurity.USER, BenchSecurity.PASSWORD, "Normal");
      admin.createAcl(
          brokerAddr(),
          "User:" + BenchSecurity.USER,
          BenchSecurity.RESOURCES,
          BenchSecurity.ACTIONS,
          List.of(),
          "Allow");
    } finally {
      admin.shutdown();
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

  @Override
  public String namesrvAddr() {
    return "127.0.0.1:" + namesrvPort;
  }

  @Override
  public String brokerAddr() {
    return "127.0.0.1:" + brokerPort;
  }

  @Override
  public void shutdown() {
    broker.shutdown();
    namesrv.shutdown();
  }
}
