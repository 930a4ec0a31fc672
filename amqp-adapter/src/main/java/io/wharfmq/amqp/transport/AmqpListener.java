package io.wharfmq.amqp.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.wharfmq.amqp.sasl.LoginFailures;
import io.wharfmq.amqp.sasl.Logins;
import io.wharfmq.amqp.sasl.SaslAuthenticator;
import io.wharfmq.amqp.sasl.UsersFile;
import io.wharfmq.security.AccessControl;
import io.wharfmq.security.FailureThrottle;
import io.wharfmq.service.ContainerClaims;
import io.wharfmq.service.MessagingService;
import io.wharfmq.tls.ServerTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AMQP 1.0 listener: a Netty server whose every connection runs its own proton-j engine on its
 * channel's event loop ({@link AmqpConnection}), SASL (PLAIN and ANONYMOUS against the users file;
 * SCRAM-SHA-256, PLAIN and a guest's ANONYMOUS against the permission store when access control is
 * on, docs/security.md "AMQP door"), heartbeats, limits and the refusals of docs/amqp.md. What
 * links mean is the {@link LinkAttacher}'s business; the listener knows the {@link
 * MessagingService} only to hand it to the links. Thread-safe: start and close from one thread, the
 * rest runs on the event loops.
 */
public final class AmqpListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AmqpListener.class);

  /** Wharf's version, in the open frame's connection properties. */
  static final String VERSION = "0.1.0-SNAPSHOT";

  /**
   * The native epoll transport on Linux, as the remoting server uses ({@code -Dwharf.transport=nio}
   * forces NIO), else NIO.
   */
  static final boolean EPOLL =
      !"nio".equalsIgnoreCase(System.getProperty("wharf.transport")) && Epoll.isAvailable();

  private static EventLoopGroup group(int threads, ThreadFactory factory) {
    return EPOLL
        ? new EpollEventLoopGroup(threads, factory)
        : new NioEventLoopGroup(threads, factory);
  }

  private static Class<? extends ServerChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** Password checks waiting at most; more logins at once get a temporary SASL failure. */
  static final int MAX_PENDING_LOGINS = 1_000;

  private final AmqpConfig config;
  private final MessagingService service;
  private final LinkAttacher attacher;
  private final LongSupplier clock;
  private final AccessControl access;
  private final InstantSource wallClock;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong connectionIds = new AtomicLong();
  private final LongAccumulator bufferedPeak = new LongAccumulator(Math::max, 0);
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private ThreadPoolExecutor verifier;
  private Channel serverChannel;
  private ServerTls tls;

  public AmqpListener(AmqpConfig config, MessagingService service, LinkAttacher attacher) {
    this(config, service, attacher, () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
  }

  /** With the monotonic millisecond clock the idle timeouts are measured on. */
  public AmqpListener(
      AmqpConfig config, MessagingService service, LinkAttacher attacher, LongSupplier clock) {
    this(config, service, attacher, clock, AccessControl.off(), InstantSource.system());
  }

  /**
   * With access control: while {@code access} is enabled, logins are checked against its users
   * (amqpUsersFile is not read) and every open, attach and relayed message against its permissions;
   * {@code wallClock} times the slowdown of repeated failed logins.
   */
  public AmqpListener(
      AmqpConfig config,
      MessagingService service,
      LinkAttacher attacher,
      LongSupplier clock,
      AccessControl access,
      InstantSource wallClock) {
    this.config = Objects.requireNonNull(config, "config");
    this.service = service;
    this.attacher = Objects.requireNonNull(attacher, "attacher");
    this.clock = clock;
    this.access = Objects.requireNonNull(access, "access");
    this.wallClock = wallClock;
  }

  /**
   * Makes this the AMQPS listener: on amqpsPort, TLS only. A plain-text connection is closed after
   * one log line naming the peer; so is one that starts with the AMQP TLS header (protocol id 2,
   * TLS negotiated inside AMQP), which Wharf does not offer: amqps clients start TLS at once. Set
   * before {@link #start}.
   */
  public AmqpListener tls(ServerTls tls) {
    this.tls = tls;
    return this;
  }

  /**
   * Reads the users file and binds the port. An IllegalArgumentException names a bad configuration
   * key or users-file line; an IOException an unreadable users file or a port that cannot be bound.
   */
  public void start() throws IOException, InterruptedException {
    boolean acl = access.enabled();
    java.util.List<String> problems = config.problems(acl);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    UsersFile users =
        acl || config.usersFilePath() == null
            ? UsersFile.none()
            : UsersFile.load(config.usersFilePath());
    boolean anonymous = config.anonymousAllowed(acl);
    verifier =
        new ThreadPoolExecutor(
            1,
            2,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_PENDING_LOGINS),
            new DefaultThreadFactory("amqp-sasl", true));
    PeerLog peerLog = new PeerLog(clock);
    SaslAuthenticator.Settings sasl =
        SaslAuthenticator.Settings.create(
            acl ? Logins.of(access) : Logins.of(users),
            anonymous,
            verifier,
            new LoginFailures(FailureThrottle.defaults(wallClock), peerLog::warn));
    ListenerContext ctx =
        new ListenerContext(
            config,
            service,
            attacher,
            sasl,
            access,
            acl && anonymous ? config.amqpGuestUser() : null,
            containerClaims(service),
            peerLog,
            clock,
            "wharf-" + UUID.randomUUID(),
            bufferedPeak);
    boss = group(1, new DefaultThreadFactory("amqp-accept"));
    workers = group(0, new DefaultThreadFactory("amqp-io"));
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(
                    config.amqpWriteBufferLowWaterMark(), config.amqpWriteBufferHighWaterMark()))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    boolean over = open.incrementAndGet() > config.amqpMaxConnections();
                    ch.closeFuture().addListener(f -> open.decrementAndGet());
                    String peer = String.valueOf(ch.remoteAddress()).replaceFirst("^/", "");
                    String id = "amqp-" + connectionIds.incrementAndGet();
                    if (tls != null) {
                      ch.pipeline()
                          .addLast(
                              tls.newSniffer(
                                  (a, reason) -> ctx.peerLog().warn(peer, reason + ", closing")));
                    }
                    ch.pipeline()
                        .addLast(new ProtocolHeaderSniffer(anonymous, ctx.peerLog(), peer))
                        .addLast(new AmqpConnection(ctx, id, over));
                  }
                });
    try {
      serverChannel =
          b.bind(config.amqpBindAddress(), tls == null ? config.amqpPort() : config.amqpsPort())
              .sync()
              .channel();
    } catch (Exception e) {
      close();
      throw e;
    }
    log.info(
        "AMQP 1.0 listener on {}:{} ({}, {} transport); SASL {}{}",
        config.amqpBindAddress(),
        port(),
        tls == null ? "amqpPort" : "amqpsPort, " + tls,
        EPOLL ? "epoll" : "nio",
        String.join(" ", sasl.mechanisms()),
        acl
            ? ", users and permissions of the permission store (aclEnable=true)"
                + (anonymous ? ", anonymous peers act as '" + config.amqpGuestUser() + "'" : "")
            : config.usersFilePath() == null
                ? ", no users file"
                : ", " + users.size() + " users from " + config.usersFilePath());
    if (acl && config.usersFilePath() != null) {
      log.warn(
          "amqpUsersFile={} is not read while aclEnable=true: AMQP logins use the permission"
              + " store's users",
          config.amqpUsersFile());
    }
    if (acl && anonymous && access.registry().user(config.amqpGuestUser()).isEmpty()) {
      log.warn(
          "amqpGuestUser={}: no such user in the permission store yet; anonymous peers are"
              + " refused until it exists",
          config.amqpGuestUser());
    }
  }

  /** The bound port (useful with amqpPort=0). */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Open connections now (those over the limit included until they are closed). */
  public int connections() {
    return open.get();
  }

  /**
   * The most bytes one connection has held for its peer since the start: its socket's write buffer
   * not yet taken by the kernel plus message bytes waiting in its AMQP engine, sampled whenever the
   * connection writes. Back-pressure (docs/amqp.md) keeps it near twice
   * amqpWriteBufferHighWaterMark plus one frame and one message, however slowly a peer reads. For
   * tests and monitoring.
   */
  public long bufferedBytesPeak() {
    return bufferedPeak.get();
  }

  /** Stops accepting and closes every connection. */
  @Override
  public void close() {
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly();
      serverChannel = null;
    }
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
      boss = null;
    }
    if (verifier != null) {
      verifier.shutdownNow();
      verifier = null;
    }
  }

  @Override
  public String toString() {
    return "AMQP listener";
  }

  /** The broker's registry, shared with its other doors, or one of this listener's own. */
  private static ContainerClaims containerClaims(MessagingService service) {
    ContainerClaims shared = service == null ? null : service.containerClaims();
    return shared != null ? shared : new ContainerClaims();
  }
}
