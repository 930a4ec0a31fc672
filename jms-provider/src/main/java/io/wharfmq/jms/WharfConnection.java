package io.wharfmq.jms;

import io.wharfmq.client.ClientException;
import io.wharfmq.client.Credentials;
import io.wharfmq.client.DestinationAdmin;
import io.wharfmq.client.Producer;
import io.wharfmq.client.SubscriptionSpec;
import io.wharfmq.service.DestinationNames;
import io.wharfmq.tls.ClientTls;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionConsumer;
import jakarta.jms.ConnectionMetaData;
import jakarta.jms.Destination;
import jakarta.jms.ExceptionListener;
import jakarta.jms.IllegalStateException;
import jakarta.jms.InvalidClientIDException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueSession;
import jakarta.jms.ServerSessionPool;
import jakarta.jms.Session;
import jakarta.jms.Topic;
import jakarta.jms.TopicConnection;
import jakarta.jms.TopicSession;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JMS connection to a Wharf cluster over the native protocol (docs/jms.md). It holds one native
 * producer shared by its sessions, one {@link DestinationAdmin} that makes destinations and
 * subscriptions on the brokers (non-durable ones end with it), and the client ID it claimed.
 * Consumers hold native POP consumers of their own.
 *
 * <p>Thread-safe, as JMS requires of a connection; its sessions are not.
 */
public final class WharfConnection
    implements Connection, QueueConnection, TopicConnection, TemporaryDestinations {
  private static final Logger log = LoggerFactory.getLogger(WharfConnection.class);

  /** Destinations of the JMS API live in the default vhost (the AMQP door's "/"). */
  static final String VHOST = DestinationNames.DEFAULT_VHOST;

  private final WharfConnectionConfig config;
  private final String id;
  private final InstantSource clock;
  private final DestinationAdmin admin;
  private final ClientTls tls;
  private final Producer producer;
  private final AtomicLong serial = new AtomicLong();
  private final List<WharfSession> sessions = new CopyOnWriteArrayList<>();
  private final Set<String> preparedTopics = ConcurrentHashMap.newKeySet();

  /** The temporary destinations this connection made, by name. */
  private final Map<String, WharfDestination> temporaries = new ConcurrentHashMap<>();

  private final Object startLock = new Object();
  private volatile boolean started;
  private volatile boolean closed;
  private volatile boolean clientIdFixed;
  private volatile String clientId;
  private volatile ExceptionListener exceptionListener;
  private final AtomicBoolean failing = new AtomicBoolean();
  private final Credentials credentials;

  private WharfConnection(
      WharfConnectionConfig config, InstantSource clock, Credentials credentials, ClientTls tls) {
    this.config = config;
    this.clock = clock;
    this.credentials = credentials;
    this.tls = tls;
    this.id = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    this.admin =
        new DestinationAdmin(config.namesrvAddr(), config.requestTimeout(), credentials, tls);
    this.producer =
        Producer.builder()
            .credentials(credentials)
            .namesrvAddr(config.namesrvAddr())
            .tls(tls)
            .producerGroup("jms-" + id)
            .sendTimeout(config.sendTimeout())
            .requestTimeout(config.requestTimeout())
            .build();
  }

  /**
   * Opens a connection: reaches the name servers, claims the configured client ID if any.
   *
   * @param user overrides the config's user when not null
   */
  public static WharfConnection open(WharfConnectionConfig config, String user, String password)
      throws JMSException {
    String u = user != null ? user : config.user();
    String p = user != null ? password : config.password();
    Credentials credentials = u == null ? null : new Credentials(u, p == null ? "" : p);
    WharfConnection c;
    try {
      ClientTls tls = config.tls() == null ? null : ClientTls.of(config.tls());
      c = new WharfConnection(config, InstantSource.system(), credentials, tls);
    } catch (javax.net.ssl.SSLException e) {
      throw JmsExceptions.of(
          "cannot use the TLS files of the URL (tlsTrustCertPath, tlsCertPath, tlsKeyPath)", e);
    } catch (ClientException | IllegalArgumentException e) {
      throw JmsExceptions.of("cannot connect to the name servers " + config.namesrvAddr(), e);
    }
    if (credentials != null) {
      // Against brokers with aclEnable=true a wrong user or password fails here, as JMS wants,
      // not at the first send.
      try {
        c.admin.checkAccess("jms-" + c.id);
      } catch (ClientException e) {
        c.close();
        throw JmsExceptions.of("the brokers refused user '" + u + "'", e);
      }
    }
    if (config.clientId() != null) {
      try {
        c.setClientID(config.clientId());
      } catch (JMSException e) {
        c.close();
        throw e;
      }
    }
    log.debug("JMS connection {} open on {}", c.id, config.namesrvAddr());
    return c;
  }

  // ---------------------------------------------------------------- what sessions use

  /** How this connection's clients connect over TLS, or null for plain text. */
  ClientTls clientTls() {
    return tls;
  }

  WharfConnectionConfig config() {
    return config;
  }

  String id() {
    return id;
  }

  InstantSource clock() {
    return clock;
  }

  /** The user's credentials every request is signed with, or null (no user given). */
  Credentials credentials() {
    return credentials;
  }

  Producer producer() {
    return producer;
  }

  DestinationAdmin admin() {
    return admin;
  }

  long nextSerial() {
    return serial.incrementAndGet();
  }

  String clientIdOrNull() {
    clientIdFixed = true;
    return clientId;
  }

  /** The topic a destination is stored in. */
  static String topicOf(WharfDestination d) {
    return DestinationNames.topic(VHOST, d.name());
  }

  /**
   * Makes sure the destination can take messages (once per connection): its topic exists and a
   * queue's group exists and is subscribed, so that a queue created by its first send keeps it.
   */
  void prepare(WharfDestination d) throws JMSException {
    String topic = topicOf(d);
    if (preparedTopics.contains(topic)) {
      return;
    }
    if (d.isTemporary() && !temporaries.containsKey(d.name()) && !d.isQueue()) {
      // a temporary topic of another connection: it exists as long as that connection lives
      preparedTopics.add(topic);
      return;
    }
    try {
      if (!d.isTemporary()) {
        admin.ensureTopic(topic, false);
      }
      if (d.isQueue() && !d.isTemporary()) {
        admin.ensureSubscription(
            new SubscriptionSpec(
                DestinationNames.queueGroup(topic),
                topic,
                false,
                "*",
                config.maxDeliveries(),
                true,
                true,
                true));
      }
    } catch (ClientException e) {
      throw JmsExceptions.of("cannot prepare " + d, e);
    }
    preparedTopics.add(topic);
  }

  void checkOpen() throws IllegalStateException {
    if (closed) {
      throw new IllegalStateException("the connection is closed");
    }
  }

  /** Blocks while the connection is stopped; false when it closed meanwhile or time ran out. */
  boolean awaitStarted(long deadlineNanos) throws InterruptedException {
    synchronized (startLock) {
      while (!started && !closed) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        startLock.wait(Math.max(1, left / 1_000_000));
      }
      return started && !closed;
    }
  }

  boolean isStarted() {
    return started;
  }

  boolean isClosed() {
    return closed;
  }

  void sessionClosed(WharfSession s) {
    sessions.remove(s);
  }

  /**
   * Tells the exception listener, if any, about a failure no JMS call could report (a listener's
   * consumer cannot reach its brokers). Once per episode: the listener hears again only after
   * {@link #healthy} (the native client keeps retrying meanwhile).
   */
  void report(JMSException e) {
    if (!failing.compareAndSet(false, true)) {
      log.debug("JMS connection {} still failing: {}", id, e.getMessage());
      return;
    }
    ExceptionListener l = exceptionListener;
    if (l != null) {
      try {
        l.onException(e);
      } catch (RuntimeException bad) {
        log.warn("The exception listener of JMS connection {} threw", id, bad);
      }
    } else {
      log.warn("JMS connection {}: {}", id, e.getMessage(), e);
    }
  }

  /** A request to the brokers succeeded: the next failure is a new episode. */
  void healthy() {
    failing.set(false);
  }

  // ---------------------------------------------------------------- temporary destinations

  WharfTemporaryQueue createTemporaryQueue() throws JMSException {
    String name = "jms-tmp-q-" + id + "-" + nextSerial();
    String topic = DestinationNames.topic(VHOST, name);
    try {
      admin.ensureTopic(topic, true);
      admin.ensureSubscription(
          new SubscriptionSpec(
              DestinationNames.queueGroup(topic),
              topic,
              false,
              "*",
              config.maxDeliveries(),
              true,
              false,
              false));
    } catch (ClientException e) {
      throw JmsExceptions.of("cannot create a temporary queue", e);
    }
    WharfTemporaryQueue q = new WharfTemporaryQueue(name, this);
    temporaries.put(name, q);
    preparedTopics.add(topic);
    return q;
  }

  WharfTemporaryTopic createTemporaryTopic() throws JMSException {
    String name = "jms-tmp-t-" + id + "-" + nextSerial();
    String topic = DestinationNames.topic(VHOST, name);
    try {
      admin.ensureTopic(topic, true);
    } catch (ClientException e) {
      throw JmsExceptions.of("cannot create a temporary topic", e);
    }
    WharfTemporaryTopic t = new WharfTemporaryTopic(name, this);
    temporaries.put(name, t);
    preparedTopics.add(topic);
    return t;
  }

  @Override
  public boolean owns(WharfDestination destination) {
    return temporaries.containsKey(destination.name());
  }

  @Override
  public void deleteTemporary(WharfDestination d) throws JMSException {
    checkOpen();
    for (WharfSession s : sessions) {
      if (s.hasConsumerOn(d)) {
        throw new IllegalStateException(d + " has consumers: close them first");
      }
    }
    if (temporaries.remove(d.name()) == null) {
      return;
    }
    deleteQuietly(d);
  }

  private void deleteQuietly(WharfDestination d) {
    String topic = topicOf(d);
    preparedTopics.remove(topic);
    try {
      if (d.isQueue()) {
        admin.deleteGroup(DestinationNames.queueGroup(topic));
      }
      admin.deleteTopic(topic);
    } catch (ClientException e) {
      // the broker deletes them anyway when this connection's admin link closes
      log.debug("Deleting {} failed: {}", d, e.getMessage());
    }
  }

  /** Refuses a consumer on a temporary destination of another connection. */
  void checkConsumable(WharfDestination d) throws JMSException {
    if (d.isTemporary() && !temporaries.containsKey(d.name())) {
      throw new InvalidDestinationException(
          d + " belongs to another connection: only the connection that created it may consume");
    }
  }

  // ---------------------------------------------------------------- jakarta.jms.Connection

  @Override
  public Session createSession(boolean transacted, int acknowledgeMode) throws JMSException {
    return newSession(transacted ? Session.SESSION_TRANSACTED : acknowledgeMode);
  }

  @Override
  public Session createSession(int sessionMode) throws JMSException {
    return newSession(sessionMode);
  }

  @Override
  public Session createSession() throws JMSException {
    return newSession(Session.AUTO_ACKNOWLEDGE);
  }

  @Override
  public QueueSession createQueueSession(boolean transacted, int acknowledgeMode)
      throws JMSException {
    return newSession(transacted ? Session.SESSION_TRANSACTED : acknowledgeMode);
  }

  @Override
  public TopicSession createTopicSession(boolean transacted, int acknowledgeMode)
      throws JMSException {
    return newSession(transacted ? Session.SESSION_TRANSACTED : acknowledgeMode);
  }

  private WharfSession newSession(int mode) throws JMSException {
    checkOpen();
    clientIdFixed = true;
    if (mode < Session.SESSION_TRANSACTED || mode > Session.DUPS_OK_ACKNOWLEDGE) {
      throw new JMSException("unknown session mode " + mode);
    }
    WharfSession s = new WharfSession(this, mode);
    sessions.add(s);
    return s;
  }

  @Override
  public String getClientID() throws JMSException {
    checkOpen();
    return clientId;
  }

  @Override
  public void setClientID(String newId) throws JMSException {
    checkOpen();
    if (clientId != null) {
      throw new IllegalStateException("the client ID is set already: " + clientId);
    }
    if (clientIdFixed) {
      throw new IllegalStateException(
          "the client ID must be set before the connection is used (JMS 2.0 section 6.1.2)");
    }
    if (newId == null || newId.isEmpty()) {
      throw new InvalidClientIDException("a client ID must not be empty");
    }
    boolean claimed;
    try {
      claimed = admin.claimClientId(newId);
    } catch (ClientException e) {
      throw JmsExceptions.of("cannot claim client ID " + newId, e);
    }
    if (!claimed) {
      throw new InvalidClientIDException(
          "client ID " + newId + " is in use by another connection of the cluster");
    }
    clientId = newId;
    clientIdFixed = true;
  }

  @Override
  public ConnectionMetaData getMetaData() throws JMSException {
    checkOpen();
    return WharfConnectionMetaData.INSTANCE;
  }

  @Override
  public ExceptionListener getExceptionListener() throws JMSException {
    checkOpen();
    return exceptionListener;
  }

  @Override
  public void setExceptionListener(ExceptionListener listener) throws JMSException {
    checkOpen();
    clientIdFixed = true;
    exceptionListener = listener;
  }

  @Override
  public void start() throws JMSException {
    checkOpen();
    clientIdFixed = true;
    synchronized (startLock) {
      started = true;
      startLock.notifyAll();
    }
    for (WharfSession s : sessions) {
      s.connectionStarted();
    }
  }

  @Override
  public void stop() throws JMSException {
    checkOpen();
    for (WharfSession s : sessions) {
      s.checkNotOwnThread("stop the connection");
    }
    synchronized (startLock) {
      started = false;
    }
    for (WharfSession s : sessions) {
      s.awaitListenerIdle();
    }
  }

  @Override
  public void close() throws JMSException {
    if (closed) {
      return;
    }
    for (WharfSession s : sessions) {
      s.checkNotOwnThread("close the connection");
    }
    synchronized (startLock) {
      closed = true;
      started = false;
      startLock.notifyAll();
    }
    for (WharfSession s : sessions) {
      s.closeFromConnection();
    }
    sessions.clear();
    for (WharfDestination d : List.copyOf(temporaries.values())) {
      temporaries.remove(d.name());
      deleteQuietly(d);
    }
    if (clientId != null) {
      try {
        admin.releaseClientId(clientId);
      } catch (ClientException e) {
        log.debug("Releasing client ID {} failed: {}", clientId, e.getMessage());
      }
    }
    producer.close();
    admin.close();
    log.debug("JMS connection {} closed", id);
  }

  @Override
  public ConnectionConsumer createConnectionConsumer(
      Destination destination, String selector, ServerSessionPool pool, int maxMessages)
      throws JMSException {
    throw new JMSException("connection consumers (application server facilities) are not offered");
  }

  @Override
  public ConnectionConsumer createSharedConnectionConsumer(
      Topic topic, String name, String selector, ServerSessionPool pool, int maxMessages)
      throws JMSException {
    throw new JMSException("connection consumers (application server facilities) are not offered");
  }

  @Override
  public ConnectionConsumer createDurableConnectionConsumer(
      Topic topic, String name, String selector, ServerSessionPool pool, int maxMessages)
      throws JMSException {
    throw new JMSException("connection consumers (application server facilities) are not offered");
  }

  @Override
  public ConnectionConsumer createSharedDurableConnectionConsumer(
      Topic topic, String name, String selector, ServerSessionPool pool, int maxMessages)
      throws JMSException {
    throw new JMSException("connection consumers (application server facilities) are not offered");
  }

  @Override
  public ConnectionConsumer createConnectionConsumer(
      Queue queue, String selector, ServerSessionPool pool, int maxMessages) throws JMSException {
    throw new JMSException("connection consumers (application server facilities) are not offered");
  }

  @Override
  public ConnectionConsumer createConnectionConsumer(
      Topic topic, String selector, ServerSessionPool pool, int maxMessages) throws JMSException {
    throw new JMSException("connection consumers (application server facilities) are not offered");
  }

  @Override
  public String toString() {
    return "WharfConnection[" + id + (clientId == null ? "" : ", clientId=" + clientId) + "]";
  }
}
