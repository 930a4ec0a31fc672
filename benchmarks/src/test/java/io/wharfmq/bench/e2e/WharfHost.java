package io.wharfmq.bench.e2e;

import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.namesrv.NameServer;
import io.wharfmq.namesrv.NamesrvConfig;
import io.wharfmq.security.Policy;
import io.wharfmq.security.UserRecord;
import io.wharfmq.store.StoreConfig;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;

/**
 * A Wharf name server and broker on free 127.0.0.1 ports; see {@link HostedBroker}. With access
 * control, the broker has the users of {@link BenchSecurity} before it registers.
 */
final class WharfHost implements HostedBroker {
  private final NameServer namesrv;
  private final Broker broker;

  WharfHost(
      Path dataDir, StoreConfig.FlushMode flush, BrokerHost.IndexSize index, BenchSecurity security)
      throws Exception {
    namesrv = new NameServer(new NamesrvConfig().listenPort(0).bindAddress("127.0.0.1"));
    namesrv.start();
    BrokerConfig c =
        new BrokerConfig(dataDir.resolve("store"))
            .brokerName("wharf-a")
            .listenPort(0)
            .bindAddress("127.0.0.1")
            .brokerIP1("127.0.0.1")
            .namesrvAddr(namesrvAddr());
    // Everything else stays at Wharf's defaults (1 GiB commit-log segments, 500 ms async flush).
    // For A/B runs of the response header format (AUTO, JSON, ROCKETMQ), passed to the broker JVM:
    // -Dbench.brokerJvmFlags=-Dbench.wharfResponseSerializeType=JSON
    String format = System.getProperty("bench.wharfResponseSerializeType");
    if (format != null) {
      c.responseSerializeType(io.wharfmq.remoting.protocol.ResponseSerializeType.valueOf(format));
    }
    c.store().flushDiskType(flush).maxHashSlotNum(index.hashSlots()).maxIndexNum(index.entries());
    if (security.acl()) {
      c.aclEnable(true)
          .aclInitUser(BenchSecurity.WHARF_ADMIN)
          .aclInitPassword(BenchSecurity.WHARF_ADMIN_PASSWORD);
    }
    broker = Broker.start(c, InstantSource.system());
    if (security.acl()) {
      addBenchUser();
    }
    broker.registerNow();
  }

  private void addBenchUser() throws java.io.IOException {
    String actions = String.join(",", BenchSecurity.ACTIONS);
    List<Policy> policies =
        BenchSecurity.RESOURCES.stream()
            .map(r -> Policy.parse(r, actions, "Allow", List.of()))
            .toList();
    broker
        .access()
        .update(
            users -> {
              users.add(
                  UserRecord.create(
                          BenchSecurity.USER,
                          BenchSecurity.PASSWORD,
                          false,
                          broker.access().sealer(),
                          broker.access().random())
                      .withPolicies(policies));
              return users;
            });
  }

  @Override
  public String namesrvAddr() {
    return "127.0.0.1:" + namesrv.port();
  }

  @Override
  public String brokerAddr() {
    return "127.0.0.1:" + broker.port();
  }

  @Override
  public void shutdown() throws Exception {
    broker.close();
    namesrv.shutdown();
  }
}
