package io.wharfmq.broker;

import io.wharfmq.broker.auth.AccessStore;
import io.wharfmq.broker.auth.RemotingAccessGuard;
import io.wharfmq.broker.client.ClientRegistry;
import io.wharfmq.broker.exchange.TopologyRegistry;
import io.wharfmq.broker.lock.QueueLockManager;
import io.wharfmq.broker.longpoll.PullRequestHoldService;
import io.wharfmq.broker.offset.ConsumerOffsetManager;
import io.wharfmq.broker.pop.PopDeadLetters;
import io.wharfmq.broker.pop.PopHoldService;
import io.wharfmq.broker.pop.PopLog;
import io.wharfmq.broker.pop.PopService;
import io.wharfmq.broker.pop.RequestModeTable;
import io.wharfmq.broker.processor.ClientManageProcessor;
import io.wharfmq.broker.processor.RequestRouting;
import io.wharfmq.broker.registration.NamesrvRegistration;
import io.wharfmq.broker.retention.QueueRetentionPins;
import io.wharfmq.broker.schedule.DelayLevels;
import io.wharfmq.broker.schedule.DeliveryRewrite;
import io.wharfmq.broker.schedule.ParkedTargets;
import io.wharfmq.broker.schedule.ScheduleMessageService;
import io.wharfmq.broker.schedule.ScheduleRewrite;
import io.wharfmq.broker.schedule.TimerDeliveryService;
import io.wharfmq.broker.service.LocalMessagingService;
import io.wharfmq.broker.stats.BrokerStats;
import io.wharfmq.broker.subscription.SubscriptionGroupManager;
import io.wharfmq.broker.takeover.RocketMqDirectory;
import io.wharfmq.broker.topic.SystemTopics;
import io.wharfmq.broker.topic.TopicConfigManager;
import io.wharfmq.broker.transaction.TransactionService;
import io.wharfmq.remoting.codec.FrameLayout;
import io.wharfmq.remoting.netty.NamedThreadFactory;
import io.wharfmq.remoting.netty.RemotingServer;
import io.wharfmq.remoting.protocol.body.TopicConfig;
import io.wharfmq.service.GroupSettings;
import io.wharfmq.store.MessageStore;
import io.wharfmq.store.retention.RetentionPins;
import io.wharfmq.store.timer.TimerStore;
import io.wharfmq.tls.ClientTls;
import io.wharfmq.tls.ServerTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker: the message store, topics, offsets and clients behind a remoting server, registered
 * with the name servers. {@link #start} brings it up; {@link #close} shuts it down gracefully: stop
 * registration and unregister, stop accepting, answer held pulls, flush the store and persist
 * offsets. Thread-safe.
 */
public final class Broker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Broker.class);

  /** An orderly consumer's queue lock lapses this long after its last renewal (as RocketMQ). */
  static final long QUEUE_LOCK_EXPIRY_MILLIS = 60_000;

  private final BrokerConfig config;
  private final MessageStore store;
  private final ConsumerOffsetManager offsets;
  private final PullRequestHoldService holds;
  private final ScheduleMessageService schedule;
  private final TimerStore timers;
  private final TransactionService transactions;
  private final PopService pops;
  private final PopHoldService popHolds;
  private final LocalMessagingService service;
  private final RemotingServer server;
  private final NamesrvRegistration registration;
  private final List<ExecutorService> executors;
  private final ScheduledExecutorService housekeeping;
  private final String address;
  private final AccessStore access;
  private boolean closed;

  private Broker(
      BrokerConfig config,
      MessageStore store,
      ConsumerOffsetManager offsets,
      PullRequestHoldService holds,
      ScheduleMessageService schedule,
      TimerStore timers,
      TransactionService transactions,
      PopService pops,
      PopHoldService popHolds,
      LocalMessagingService service,
      RemotingServer server,
      NamesrvRegistration registration,
      List<ExecutorService> executors,
      ScheduledExecutorService housekeeping,
      String address,
      AccessStore access) {
    this.config = config;
    this.store = store;
    this.offsets = offsets;
    this.holds = holds;
    this.schedule = schedule;
    this.timers = timers;
    this.transactions = transactions;
    this.pops = pops;
    this.popHolds = popHolds;
    this.service = service;
    this.server = server;
    this.registration = registration;
    this.executors = executors;
    this.housekeeping = housekeeping;
    this.address = address;
    this.access = access;
  }

  /** The users and permissions every door checks (off unless aclEnable=true). */
  public AccessStore access() {
    return access;
  }

  /** Validates the configuration, recovers the store and starts serving. */
  public static Broker start(BrokerConfig config, InstantSource clock) throws Exception {
    config.validate();
    // Read the PEM files before anything is opened: validate() checked them, this cannot fail
    // unless they changed since.
    ServerTls serverTls =
        config.tls().serverTlsOn() ? ServerTls.of(config.tls(), config.tls().tlsMode()) : null;
    ClientTls namesrvTls =
        config.tls().tlsClientEnable() ? ClientTls.of(config.tls().client()) : null;
    Path configDir = config.store().storePathRootDir().resolve("config");
    RocketMqDirectory.takeOverIfRocketMq(config, configDir, clock);
    TopicConfigManager topics = new TopicConfigManager(configDir, clock);
    topics.load(config.autoCreateTopicEnable(), config.defaultTopicQueueNums());
    ConsumerOffsetManager offsets = new ConsumerOffsetManager(configDir);
    offsets.load();
    SubscriptionGroupManager groups =
        new SubscriptionGroupManager(
            configDir, clock, config.autoCreateSubscriptionGroup(), config.maxReconsumeTimes());
    groups.load();
    // Before the store: a damaged topology file stops startup before anything else is opened.
    TopologyRegistry topology = TopologyRegistry.load(configDir);
    AccessStore access =
        AccessStore.open(
            configDir,
            config.aclEnable(),
            config.aclInitUser(),
            config.aclInitPassword(),
            new SecureRandom());
    PullRequestHoldService holds = new PullRequestHoldService();
    DelayLevels delayLevels = DelayLevels.parse(config.messageDelayLevel());
    topics.ensureSystemTopics(systemTopics(config, delayLevels));
    PopHoldService popHolds =
        new PopHoldService(config.maxPopPollingSize(), config.reviveInterval());
    MessageStore store =
        MessageStore.open(
            config.store(),
            clock,
            (topic, queueId, offset, tagsCode, stored) -> {
              holds.onDispatched(topic, queueId, offset, tagsCode, stored);
              popHolds.onDispatched(topic, queueId, offset, tagsCode, stored);
            });
    holds.bind(store::maxOffset);
    // Retention warns, naming the groups, when it deletes messages they have not consumed.
    store.retention().watchConsumers(offsets::committedOffsets);
    // Groups with queue semantics pin what they have not finished (docs/storage.md).
    QueueRetentionPins pins = new QueueRetentionPins(groups, offsets::committedOffsets, store);
    // So do delayed and timer messages not yet due and half messages not yet resolved. Until the
    // services that know them exist, a round that would delete something deletes nothing.
    AtomicReference<RetentionPins> pending =
        new AtomicReference<>(
            () -> {
              throw new IllegalStateException(
                  "the broker is starting: pending delayed, timer and transactional messages are"
                      + " not counted yet");
            });
    store.retention().pinBy(RetentionPins.lowestOf(pins, () -> pending.get().lowest()));
    ScheduleMessageService schedule =
        new ScheduleMessageService(store, delayLevels, configDir, clock);
    schedule.load();
    TimerStore timers;
    TimerDeliveryService timerDelivery = new TimerDeliveryService(store);
    try {
      timers = TimerStore.open(store, config.timerSettings(), clock, timerDelivery);
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    RemotingServer server =
        new RemotingServer(
            "broker",
            config.bindAddress(),
            config.listenPort(),
            FrameLayout.DEFAULT_MAX_FRAME_LENGTH,
            120,
            config.responseSerializeType());
    server.requestGuard(new RemotingAccessGuard(access, clock));
    server.tls(serverTls);
    try {
      server.start();
    } catch (Exception e) {
      timers.close();
      store.close();
      throw new IOException(
          "Cannot listen on "
              + config.bindAddress()
              + ":"
              + config.listenPort()
              + " (listenPort in use?)",
          e);
    }
    String address = config.brokerAddress(server.port());
    NamesrvRegistration registration = new NamesrvRegistration(config, topics, address, namesrvTls);
    ClientRegistry clients = new ClientRegistry();
    QueueLockManager queueLocks = new QueueLockManager(clock, QUEUE_LOCK_EXPIRY_MILLIS);
    BrokerStats stats = new BrokerStats(clock);
    BrokerContext ctx =
        new BrokerContext(
            config,
            store,
            topics,
            offsets,
            clients,
            holds,
            clock,
            new InetSocketAddress(config.brokerIP1(), server.port()),
            registration::registerSoon,
            registration::registerAll,
            delayLevels,
            groups,
            queueLocks,
            stats);
    List<ExecutorService> executors = new ArrayList<>();
    ExecutorService send = pool("wharf-send", 2, config.sendThreadPoolQueueCapacity(), executors);
    ExecutorService pull = pool("wharf-pull", 4, 100_000, executors);
    ExecutorService manage = pool("wharf-manage", 2, 10_000, executors);
    ExecutorService popPool = pool("wharf-pop", 4, 100_000, executors);
    // Blocking topic/group/subscription work of callers on I/O threads (the AMQP adapter).
    ExecutorService admin = pool("wharf-service-admin", 4, 100_000, executors);
    TransactionService transactions =
        new TransactionService(
            config,
            store,
            clients,
            offsets,
            clock,
            ctx.storeHost(),
            new DeliveryRewrite(config, delayLevels.count(), clock));
    pending.set(
        RetentionPins.lowestOf(
            schedule::retentionPin, timers::retentionPin, transactions::retentionPin));
    // The service knows non-durable groups too, so the pop service asks it for retry limits.
    AtomicReference<LocalMessagingService> serviceRef = new AtomicReference<>();
    PopDeadLetters deadLetters =
        new PopDeadLetters(store, topics, registration::registerSoon, ctx.storeHost());
    PopService pops =
        new PopService(
            config,
            group -> {
              LocalMessagingService s = serviceRef.get();
              return s == null ? groups.maxReconsumeTimes(group) : s.maxReconsumeTimes(group);
            },
            store,
            offsets,
            clock,
            new PopLog(store, offsets, clock, ctx.storeHost()),
            deadLetters);
    LocalMessagingService service =
        new LocalMessagingService(
            ctx, pops, popHolds, holds, transactions, popPool, admin, topology);
    deadLetters.routeThrough(service.deadLetterRoute()); // declared queues' dead-letter exchanges
    serviceRef.set(service);
    // Due delayed, timer and committed fan-outs reach only the queues that still exist.
    ParkedTargets parked = service.parkedTargets();
    schedule.parkedTargets(parked);
    timerDelivery.parkedTargets(parked);
    transactions.parkedTargets(parked);
    RequestRouting routing = new RequestRouting(server, ctx, service, send, pull, manage, popPool);
    ClientManageProcessor clientManage = routing.registerAllButPop();
    routing.registerAccessAdmin(access); // ACL 2.0 user and permission administration
    RequestModeTable modes = new RequestModeTable(configDir);
    modes.load();
    if (!store.awaitDispatched(java.time.Duration.ofMinutes(10))) {
      throw new IllegalStateException("consume queues did not catch up; cannot rebuild pop state");
    }
    // Only durable groups exist after a restart: what non-durable ones had in flight is gone.
    pops.load(group -> groups.get(group) != null);
    service.reconcileTopology();
    popHolds.bind(pops::revive);
    routing.registerPop(modes);
    server.addChannelEventListener(ch -> clientManage.notifyMembers(clients.channelClosed(ch)));

    pins.countPops(pops::oldestUnfinished); // POP deliveries not acknowledged pin too
    pins.countTransientGroups(
        group -> {
          GroupSettings g = service.group(group);
          return g != null && g.pinsRetention();
        });
    ScheduledExecutorService housekeeping =
        Executors.newSingleThreadScheduledExecutor(
            new NamedThreadFactory("wharf-broker-housekeeping"));
    housekeeping.scheduleWithFixedDelay(
        () -> {
          pops.checkpoint();
          persistOffsets(offsets);
        },
        config.flushConsumerOffsetInterval(),
        config.flushConsumerOffsetInterval(),
        TimeUnit.MILLISECONDS);
    housekeeping.scheduleWithFixedDelay(
        () -> {
          stats.sample();
          Set<String> changed = clients.expire(clock.millis(), config.channelExpiredTimeout());
          if (!changed.isEmpty()) {
            log.info("Expired silent consumers of groups {}", changed);
            clientManage.notifyMembers(changed);
          }
        },
        10,
        10,
        TimeUnit.SECONDS);
    housekeeping.scheduleWithFixedDelay(
        service::enforceQueueArguments, 200, 200, TimeUnit.MILLISECONDS);
    holds.start();
    popHolds.start();
    schedule.start();
    timers.start();
    transactions.start();
    registration.start();
    log.info(
        "Broker {} of cluster {} serving at {} (listening on {}:{}), data in {}, flush {}, name servers {}",
        config.brokerName(),
        config.brokerClusterName(),
        address,
        config.bindAddress(),
        server.port(),
        config.store().storePathRootDir().toAbsolutePath(),
        config.store().flushDiskType(),
        config.namesrvAddresses().isEmpty() ? "none" : config.namesrvAddresses());
    return new Broker(
        config,
        store,
        offsets,
        holds,
        schedule,
        timers,
        transactions,
        pops,
        popHolds,
        service,
        server,
        registration,
        executors,
        housekeeping,
        address,
        access);
  }

  /** RocketMQ's system topics plus those of Wharf's own services (pop log). */
  private static SystemTopics systemTopics(BrokerConfig config, DelayLevels delayLevels) {
    int rw = TopicConfig.PERM_READ | TopicConfig.PERM_WRITE;
    return SystemTopics.of(
        config.brokerClusterName(),
        config.clusterTopicEnable(),
        config.brokerName(),
        config.brokerTopicEnable(),
        config.traceTopicEnable() ? config.msgTraceTopicName() : null,
        List.of(
            TopicConfig.of(ScheduleRewrite.SCHEDULE_TOPIC, delayLevels.count(), rw),
            TopicConfig.of(TransactionService.HALF_TOPIC, 1, rw),
            TopicConfig.of(TransactionService.OP_TOPIC, 1, rw),
            TopicConfig.of(PopLog.TOPIC, 1, rw),
            TopicConfig.of(TimerStore.TIMER_TOPIC, 1, rw)));
  }

  private static ExecutorService pool(
      String name, int threads, int queue, List<ExecutorService> all) {
    ExecutorService e =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(queue),
            new NamedThreadFactory(name));
    all.add(e);
    return e;
  }

  private static void persistOffsets(ConsumerOffsetManager offsets) {
    try {
      offsets.persist();
    } catch (IOException e) {
      log.error("Cannot persist consumer offsets: {}", e.toString());
    }
  }

  /** The bound port. */
  public int port() {
    return server.port();
  }

  /** The advertised address, "brokerIP1:port". */
  public String address() {
    return address;
  }

  public BrokerConfig config() {
    return config;
  }

  public MessageStore store() {
    return store;
  }

  /** The delayed-message service (tests drive it with tick()). */
  public ScheduleMessageService schedule() {
    return schedule;
  }

  /** The timer store (tests read its progress; operators its pending count). */
  public TimerStore timers() {
    return timers;
  }

  /** Pulls held now, waiting for messages (tests and metrics). */
  public int heldPullCount() {
    return holds.heldCount();
  }

  /** The pop service (tests look at in-flight counts). */
  public PopService pops() {
    return pops;
  }

  /**
   * The broker's protocol-neutral messaging service: what the AMQP adapter and the remoting
   * processors call (docs/architecture.md).
   */
  public LocalMessagingService messagingService() {
    return service;
  }

  /** Pops held now, waiting for messages (tests and metrics). */
  public int heldPopCount() {
    return popHolds.heldCount();
  }

  /** The transaction service (tests run check rounds with it). */
  public TransactionService transactions() {
    return transactions;
  }

  /** Registers with every name server now (tests; operators after changes). */
  public int registerNow() {
    return registration.registerAll();
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    log.info("Broker {} shutting down", config.brokerName());
    registration.shutdown();
    server.shutdown();
    holds.shutdown();
    popHolds.shutdown();
    schedule.shutdown();
    timers.close();
    transactions.shutdown();
    housekeeping.shutdownNow();
    for (ExecutorService e : executors) {
      e.shutdown();
    }
    for (ExecutorService e : executors) {
      try {
        e.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
    pops.checkpoint();
    store.close();
    offsets.persist();
    log.info("Broker {} stopped", config.brokerName());
  }
}
