package io.wharfmq.client;

import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.remoting.netty.RemotingClient;
import io.wharfmq.tls.ClientTls;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every producer and consumer owns: an identity, one remoting client (one connection per
 * broker or name server), the route cache, the broker request codec, and one scheduler thread for
 * periodic work (route refresh, heartbeats, rebalancing, offset commits). Thread-safe.
 */
final class ClientRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClientRuntime.class);

  /** Route refresh period (RocketMQ's pollNameServerInterval). */
  static final Duration ROUTE_REFRESH = Duration.ofSeconds(30);

  final ClientIdentity identity;
  final RemotingClient remoting;
  final TopicRoutes routes;
  final BrokerProxy brokers;
  final InstantSource clock;
  final ScheduledExecutorService scheduler;

  ClientRuntime(
      String role,
      String namesrvAddr,
      Duration requestTimeout,
      InstantSource clock,
      Credentials credentials) {
    this(role, namesrvAddr, requestTimeout, clock, credentials, null);
  }

  /** With {@code credentials} null, requests are not signed; with {@code tls} null, plain text. */
  ClientRuntime(
      String role,
      String namesrvAddr,
      Duration requestTimeout,
      InstantSource clock,
      Credentials credentials,
      ClientTls tls) {
    this.clock = clock;
    this.identity = new ClientIdentity(clock);
    this.remoting = new RemotingClient("wharf-" + role, tls);
    if (credentials != null) {
      remoting.beforeRequest(credentials::sign);
    }
    NameServerClient namesrv =
        new NameServerClient(namesrvAddr, remoting, requestTimeout.toMillis());
    this.routes = new TopicRoutes(namesrv);
    this.brokers = new BrokerProxy(remoting, requestTimeout.toMillis());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            new NamedThreadFactory("wharf-" + role + "-timer"));
  }

  String clientId() {
    return identity.clientId();
  }

  /**
   * Runs {@code task} every {@code period} on the scheduler, logging (not propagating) failures.
   */
  ScheduledFuture<?> every(Duration initialDelay, Duration period, String name, Runnable task) {
    return scheduler.scheduleWithFixedDelay(
        () -> guarded(name, task),
        initialDelay.toMillis(),
        period.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Refreshes every ROUTE_REFRESH the cached routes and those of {@code topics}, read anew each
   * time (a live view follows later subscriptions).
   */
  void refreshRoutesPeriodically(Collection<String> topics) {
    every(ROUTE_REFRESH, ROUTE_REFRESH, "route refresh", () -> routes.refreshAll(topics));
  }

  /** Runs {@code task} once on the scheduler. */
  void soon(String name, Runnable task) {
    try {
      scheduler.execute(() -> guarded(name, task));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("{} skipped: shutting down", name);
    }
  }

  /** Runs {@code task} once on the scheduler after {@code delay}. */
  void later(Duration delay, String name, Runnable task) {
    try {
      scheduler.schedule(() -> guarded(name, task), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("{} skipped: shutting down", name);
    }
  }

  static void guarded(String name, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.warn("{} failed: {}", name, e.toString());
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    remoting.shutdown();
  }
}
