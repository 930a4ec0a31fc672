package io.wharfmq.broker.registration;

import io.wharfmq.broker.BrokerConfig;
import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.remoting.protocol.RemotingCommand;
import io.wharfmq.remoting.protocol.RemotingJson;
import io.wharfmq.remoting.protocol.RequestCode;
import io.wharfmq.remoting.protocol.ResponseCode;
import io.wharfmq.remoting.protocol.body.RegisterBrokerBody;
import io.wharfmq.tls.ClientTls;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the broker and its topics with every configured name server, every
 * registerNameServerPeriod and at once after a topic change (changes arriving together share one
 * registration); unregisters at shutdown. Runs on {@code wharf-namesrv-registration}. Thread-safe.
 */
public final class NamesrvRegistration {
  private static final Logger log = LoggerFactory.getLogger(NamesrvRegistration.class);
  private static final long TIMEOUT_MILLIS = 3000;

  private final BrokerConfig config;
  private final TopicConfigManager topics;
  private final String brokerAddress;
  private final RemotingClient client;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          new NamedThreadFactory("wharf-namesrv-registration"));
  private final AtomicBoolean pending = new AtomicBoolean();

  /** Registers over {@code tls} (tlsClientEnable), or in plain text if it is null. */
  public NamesrvRegistration(
      BrokerConfig config, TopicConfigManager topics, String brokerAddress, ClientTls tls) {
    this.client = new RemotingClient("broker-to-namesrv", tls);
    this.config = config;
    this.topics = topics;
    this.brokerAddress = brokerAddress;
  }

  public void start() {
    if (config.namesrvAddresses().isEmpty()) {
      log.warn("No namesrvAddr configured: clients can only reach this broker directly");
      return;
    }
    scheduler.scheduleAtFixedRate(
        this::registerAll, 0, config.registerNameServerPeriod(), TimeUnit.MILLISECONDS);
  }

  /** Registers soon (topics changed). */
  public void registerSoon() {
    if (!config.namesrvAddresses().isEmpty() && pending.compareAndSet(false, true)) {
      scheduler.execute(
          () -> {
            pending.set(false);
            registerAll();
          });
    }
  }

  /** Registers with every name server now; returns how many accepted. */
  public int registerAll() {
    byte[] body = RemotingJson.encode(new RegisterBrokerBody(topics.snapshot(), List.of()));
    CRC32 crc = new CRC32();
    crc.update(body);
    int ok = 0;
    for (String ns : config.namesrvAddresses()) {
      RemotingCommand request =
          RemotingCommand.request(RequestCode.REGISTER_BROKER)
              .put("brokerName", config.brokerName())
              .put("brokerAddr", brokerAddress)
              .put("clusterName", config.brokerClusterName())
              .put("haServerAddr", "")
              .put("brokerId", config.brokerId())
              .put("heartbeatTimeoutMillis", 120_000)
              .put("enableActingMaster", false)
              .put("compressed", false)
              .put("bodyCrc32", crc.getValue() & 0x7FFFFFFF)
              .body(body);
      try {
        RemotingCommand r = client.invokeSync(ns, request, TIMEOUT_MILLIS);
        if (r.code() == ResponseCode.SUCCESS) {
          ok++;
        } else {
          log.warn("Name server {} refused registration: {} {}", ns, r.code(), r.remark());
        }
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return ok;
        }
        log.warn("Cannot register with name server {}: {}", ns, e.getMessage());
      }
    }
    return ok;
  }

  /** Unregisters from every name server and stops. */
  public void shutdown() {
    scheduler.shutdownNow();
    for (String ns : config.namesrvAddresses()) {
      try {
        client.invokeSync(
            ns,
            RemotingCommand.request(RequestCode.UNREGISTER_BROKER)
                .put("brokerName", config.brokerName())
                .put("brokerAddr", brokerAddress)
                .put("clusterName", config.brokerClusterName())
                .put("brokerId", config.brokerId()),
            TIMEOUT_MILLIS);
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        log.warn("Cannot unregister from name server {}: {}", ns, e.getMessage());
      }
    }
    client.shutdown();
  }
}
