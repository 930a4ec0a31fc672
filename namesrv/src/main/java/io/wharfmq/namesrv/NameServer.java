package io.wharfmq.namesrv;

import io.wharfmq.namesrv.processor.NamesrvRequestProcessor;
import io.wharfmq.namesrv.route.BrokerExpiryScanner;
import io.wharfmq.namesrv.route.RouteRegistry;
import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.remoting.netty.RemotingServer;
import io.wharfmq.tls.ServerTls;
import java.time.InstantSource;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A name server: a remoting server answering route lookups from a {@link RouteRegistry} that
 * brokers keep up to date by registering, plus the scanner that drops brokers gone silent. A broker
 * whose connection closes is dropped at once. start/shutdown from one owner thread; the other
 * methods are thread-safe.
 */
public final class NameServer {
  private static final Logger log = LoggerFactory.getLogger(NameServer.class);

  private final NamesrvConfig config;
  private final RouteRegistry registry;
  private final BrokerExpiryScanner expiryScanner;
  private RemotingServer server;
  private ThreadPoolExecutor executor;

  /** A name server on the system clock. Validates {@code config}. */
  public NameServer(NamesrvConfig config) {
    this(config, InstantSource.system());
  }

  /** A name server whose broker expiry follows {@code clock} (tests move it by hand). */
  public NameServer(NamesrvConfig config, InstantSource clock) {
    this.config = config.validate();
    this.registry = new RouteRegistry(clock, config.brokerExpiryMillis());
    this.expiryScanner = new BrokerExpiryScanner(registry, clock, config.scanIntervalMillis());
  }

  /** Binds the port and starts serving; throws if the port cannot be bound. */
  public synchronized void start() throws InterruptedException {
    if (server != null) {
      throw new IllegalStateException("name server already started");
    }
    executor =
        new ThreadPoolExecutor(
            config.defaultThreadPoolNums(),
            config.defaultThreadPoolNums(),
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(config.defaultThreadPoolQueueCapacity()),
            new NamedThreadFactory("wharf-namesrv-processor"));
    server =
        new RemotingServer(
            "namesrv",
            config.bindAddress(),
            config.listenPort(),
            config.maxFrameLength(),
            config.serverChannelMaxIdleTimeSeconds(),
            config.responseSerializeType());
    if (config.tls().serverTlsOn()) {
      try {
        server.tls(ServerTls.of(config.tls(), config.tls().tlsMode()));
      } catch (javax.net.ssl.SSLException e) {
        shutdown();
        throw new IllegalArgumentException(
            "tlsServerCertPath/tlsServerKeyPath: cannot use them: " + e.getMessage(), e);
      }
    }
    NamesrvRequestProcessor processor = new NamesrvRequestProcessor(registry);
    for (int code : NamesrvRequestProcessor.CODES) {
      server.registerProcessor(code, processor, executor);
    }
    server.addChannelEventListener(registry::channelClosed);
    try {
      server.start();
    } catch (Exception e) {
      // Netty rethrows a failed bind (BindException) undeclared; release the threads either way.
      shutdown();
      throw e;
    }
    expiryScanner.start();
    log.info(
        "name server listening on {}:{}; brokers expire after {} ms without registration,"
            + " checked every {} ms",
        config.bindAddress(),
        server.port(),
        config.brokerExpiryMillis(),
        config.scanIntervalMillis());
  }

  /** The bound port (the real one when configured with port 0). */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("name server not started");
    }
    return server.port();
  }

  /** The routing state, for inspection. */
  public RouteRegistry routes() {
    return registry;
  }

  /** Runs one expiry scan now on the caller's thread; returns how many brokers were removed. */
  public int scanExpiredBrokers() {
    return expiryScanner.runOnce();
  }

  /**
   * Stops the expiry scanner, closes the port and every connection, then lets requests already
   * accepted finish (up to 5 s). Safe to call more than once.
   */
  public synchronized void shutdown() throws InterruptedException {
    expiryScanner.shutdown();
    if (server != null) {
      server.shutdown();
      server = null;
    }
    if (executor != null) {
      executor.shutdown();
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("name server request threads did not stop within 5 s; interrupting them");
        executor.shutdownNow();
      }
      executor = null;
    }
    log.info("name server stopped");
  }
}
