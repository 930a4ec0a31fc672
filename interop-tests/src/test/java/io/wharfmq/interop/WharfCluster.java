package io.wharfmq.interop;

import io.wharfmq.amqp.transport.AmqpConfig;
import io.wharfmq.amqp.transport.AmqpListener;
import io.wharfmq.broker.Broker;
import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.launcher.AmqpWiring;
import io.wharfmq.namesrv.NameServer;
import io.wharfmq.namesrv.NamesrvConfig;
import io.wharfmq.service.MessagingService;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/** A real name server and brokers on 127.0.0.1, free ports, one data directory per broker. */
final class WharfCluster implements AutoCloseable {
  final NameServer namesrv;
  final List<Broker> brokers = new ArrayList<>();
  final List<AmqpListener> amqpListeners = new ArrayList<>();
  private final Path dataRoot;

  WharfCluster(Path dataRoot) throws Exception {
    this.dataRoot = dataRoot;
    namesrv = new NameServer(new NamesrvConfig().listenPort(0).bindAddress("127.0.0.1"));
    namesrv.start();
  }

  String namesrvAddr() {
    return "127.0.0.1:" + namesrv.port();
  }

  BrokerConfig brokerConfig(String name) {
    BrokerConfig c =
        new BrokerConfig(dataRoot.resolve(name))
            .brokerName(name)
            .listenPort(0)
            .bindAddress("127.0.0.1")
            .brokerIP1("127.0.0.1")
            .namesrvAddr(namesrvAddr());
    c.store().mappedFileSizeCommitLog(16 * 1024 * 1024).maxHashSlotNum(1024).maxIndexNum(40_000);
    return c;
  }

  Broker startBroker(BrokerConfig config) throws Exception {
    Broker b = Broker.start(config, InstantSource.system());
    b.registerNow();
    brokers.add(b);
    return b;
  }

  Broker startBroker(String name) throws Exception {
    return startBroker(brokerConfig(name));
  }

  /** An AMQP listener config on 127.0.0.1 and a free port, for {@link #startAmqp}. */
  static AmqpConfig amqpConfig() {
    return new AmqpConfig().amqpPort(0).amqpBindAddress("127.0.0.1");
  }

  /**
   * Starts an AMQP 1.0 listener in front of {@code broker}, as bin/wharf does (same links and the
   * broker's users and permissions when its aclEnable is on); its port is {@link
   * AmqpListener#port()}. Closed with the cluster, before the brokers.
   */
  AmqpListener startAmqp(Broker broker, AmqpConfig config) throws Exception {
    return startAmqp(broker, config, broker.messagingService());
  }

  /** As above, the listener using {@code service} (the broker's, wrapped by a test). */
  AmqpListener startAmqp(Broker broker, AmqpConfig config, MessagingService service)
      throws Exception {
    AmqpListener l = AmqpWiring.start(config, service, broker.access());
    amqpListeners.add(l);
    return l;
  }

  AmqpListener startAmqp(Broker broker) throws Exception {
    return startAmqp(broker, amqpConfig());
  }

  @Override
  public void close() throws java.io.IOException {
    for (AmqpListener l : amqpListeners) {
      l.close();
    }
    for (Broker b : brokers) {
      b.close();
    }
    try {
      namesrv.shutdown();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
