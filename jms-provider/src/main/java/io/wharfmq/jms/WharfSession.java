package io.wharfmq.jms;

import io.wharfmq.client.ClientException;
import io.wharfmq.client.ReceivedMessage;
import io.wharfmq.client.SubscriptionSpec;
import io.wharfmq.jms.message.WharfBytesMessage;
import io.wharfmq.jms.message.WharfMapMessage;
import io.wharfmq.jms.message.WharfMessage;
import io.wharfmq.jms.message.WharfObjectMessage;
import io.wharfmq.jms.message.WharfStreamMessage;
import io.wharfmq.jms.message.WharfTextMessage;
import io.wharfmq.service.DestinationNames;
import jakarta.jms.BytesMessage;
import jakarta.jms.Destination;
import jakarta.jms.IllegalStateException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageListener;
import jakarta.jms.MessageProducer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.QueueReceiver;
import jakarta.jms.QueueSender;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import jakarta.jms.TopicPublisher;
import jakarta.jms.TopicSession;
import jakarta.jms.TopicSubscriber;
import jakarta.jms.TransactionRolledBackException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A JMS session (docs/jms.md): its producers send through the connection's native producer, its
 * consumers pop from the brokers. The session keeps what it delivered and has not acknowledged;
 * CLIENT_ACKNOWLEDGE acknowledges all of it at once, a transacted session at commit, after its
 * buffered sends were stored all or none. {@link #recover} and rollback give the unacknowledged
 * messages again, in order, marked redelivered. Messages for listeners are delivered by the
 * session's one {@link SessionDispatcher} thread.
 *
 * <p>Used by one thread at a time, as JMS requires; {@link #close} and the dispatcher may come from
 * other threads and synchronize on the session.
 */
final class WharfSession implements Session, QueueSession, TopicSession {
  private final WharfConnection connection;
  private final int mode;
  private final String id;
  private final List<WharfMessageConsumer> consumers = new CopyOnWriteArrayList<>();
  private final List<WharfMessageProducer> producers = new CopyOnWriteArrayList<>();
  private final List<WharfQueueBrowser> browsers = new CopyOnWriteArrayList<>();

  /** Closed consumers whose native consumer stays open: their messages may still be acked. */
  private final List<WharfMessageConsumer> retired = new CopyOnWriteArrayList<>();

  private final SessionDispatcher dispatcher;
  private final SessionSender sender;

  /** Delivered and not acknowledged yet, in delivery order (CLIENT and transacted modes). */
  private final List<Delivery> unacknowledged = new ArrayList<>();

  private volatile boolean closed;

  WharfSession(WharfConnection connection, int mode) {
    this.connection = connection;
    this.mode = mode;
    this.id = connection.id() + "-" + connection.nextSerial();
    this.dispatcher = new SessionDispatcher(this);
    this.sender = new SessionSender(this);
  }

  /** A message popped for a consumer of this session, and how often it was given again here. */
  record Delivery(WharfMessageConsumer consumer, ReceivedMessage received, int localRedeliveries) {}

  WharfConnection connection() {
    return connection;
  }

  String id() {
    return id;
  }

  int mode() {
    return mode;
  }

  SessionDispatcher dispatcher() {
    return dispatcher;
  }

  SessionSender sender() {
    return sender;
  }

  void checkOpen() throws IllegalStateException {
    if (closed) {
      throw new IllegalStateException("the session is closed");
    }
    connection.checkOpen();
  }

  boolean isClosed() {
    return closed;
  }

  boolean hasConsumerOn(WharfDestination d) {
    for (WharfMessageConsumer c : consumers) {
      if (c.destination().equals(d)) {
        return true;
      }
    }
    return false;
  }

  void consumerClosed(WharfMessageConsumer c) {
    consumers.remove(c);
    retired.add(c);
  }

  void producerClosed(WharfMessageProducer p) {
    producers.remove(p);
  }

  void browserClosed(WharfQueueBrowser b) {
    browsers.remove(b);
  }

  // ---------------------------------------------------------------- delivery and acknowledgement

  /**
   * Called with each message the application gets (receive or listener), before it gets it.
   * AUTO_ACKNOWLEDGE and DUPS_OK acknowledge a received message here; a listener's message is
   * acknowledged by {@link #afterListener}.
   */
  synchronized void delivered(Delivery d, WharfMessage m, boolean forListener) throws JMSException {
    if (mode == CLIENT_ACKNOWLEDGE || mode == SESSION_TRANSACTED) {
      unacknowledged.add(d);
      m.setAcknowledger(this::acknowledgeAll);
    } else if (!forListener) {
      d.consumer().ackLater(d.received());
    }
  }

  /** After a listener returned (or threw) on a message of an auto-acknowledging session. */
  void afterListener(Delivery d, RuntimeException thrown) {
    if (mode == CLIENT_ACKNOWLEDGE || mode == SESSION_TRANSACTED) {
      return;
    }
    if (thrown == null) {
      d.consumer().ackLater(d.received());
    } else {
      // JMS 2.0 section 8.7: a listener that throws gets the message again, marked redelivered
      d.consumer().giveAgain(List.of(d));
    }
  }

  /** Message.acknowledge() of CLIENT_ACKNOWLEDGE: everything the session delivered. */
  private synchronized void acknowledgeAll() throws JMSException {
    if (closed) {
      throw new IllegalStateException("the session of this message is closed");
    }
    if (mode != CLIENT_ACKNOWLEDGE) {
      return;
    }
    ackUnacknowledged();
  }

  private void ackUnacknowledged() throws JMSException {
    JMSException failed = null;
    java.util.Map<WharfMessageConsumer, List<ReceivedMessage>> byConsumer =
        new java.util.LinkedHashMap<>();
    for (Delivery d : unacknowledged) {
      byConsumer.computeIfAbsent(d.consumer(), k -> new ArrayList<>()).add(d.received());
    }
    unacknowledged.clear();
    for (java.util.Map.Entry<WharfMessageConsumer, List<ReceivedMessage>> e :
        byConsumer.entrySet()) {
      try {
        e.getKey().ackAll(e.getValue());
      } catch (JMSException refused) {
        failed = failed == null ? refused : failed;
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  /** Gives the unacknowledged messages again, in order, each counted once more. */
  private synchronized void giveAgain() {
    List<Delivery> again = List.copyOf(unacknowledged);
    unacknowledged.clear();
    java.util.Map<WharfMessageConsumer, List<Delivery>> byConsumer =
        new java.util.LinkedHashMap<>();
    for (Delivery d : again) {
      byConsumer.computeIfAbsent(d.consumer(), k -> new ArrayList<>()).add(d);
    }
    byConsumer.forEach(WharfMessageConsumer::giveAgain);
  }

  @Override
  public void commit() throws JMSException {
    checkOpen();
    if (mode != SESSION_TRANSACTED) {
      throw new IllegalStateException("commit on a session that is not transacted");
    }
    try {
      sender.commit();
    } catch (JMSException e) {
      rollbackDeliveries();
      // No answer: the broker may have stored the sends. JMS has no in-doubt exception, so a plain
      // JMSException says so rather than a TransactionRolledBackException that would be a lie.
      boolean unknown =
          e.getCause() instanceof ClientException ce && ce.code() == ClientException.NO_RESPONSE;
      JMSException t =
          unknown
              ? new JMSException(
                  "commit outcome unknown, the sends may be stored: " + e.getMessage())
              : new TransactionRolledBackException("commit failed, rolled back: " + e.getMessage());
      t.setLinkedException(e);
      t.initCause(e);
      throw t;
    }
    // Only now are the received messages acknowledged. When an ack fails (the consumer's handle
    // expired, the broker went away) the sends stand, commit throws a plain JMSException, and the
    // broker delivers those messages again once their invisibility ends (JMS allows redelivery
    // after a failure).
    synchronized (this) {
      ackUnacknowledged();
    }
  }

  @Override
  public void rollback() throws JMSException {
    checkOpen();
    if (mode != SESSION_TRANSACTED) {
      throw new IllegalStateException("rollback on a session that is not transacted");
    }
    sender.rollback();
    rollbackDeliveries();
  }

  private void rollbackDeliveries() {
    giveAgain();
  }

  @Override
  public void recover() throws JMSException {
    checkOpen();
    if (mode == SESSION_TRANSACTED) {
      throw new IllegalStateException("recover on a transacted session: use rollback");
    }
    giveAgain();
  }

  @Override
  public boolean getTransacted() throws JMSException {
    checkOpen();
    return mode == SESSION_TRANSACTED;
  }

  @Override
  public int getAcknowledgeMode() throws JMSException {
    checkOpen();
    return mode;
  }

  // ---------------------------------------------------------------- messages

  @Override
  public BytesMessage createBytesMessage() throws JMSException {
    checkOpen();
    return new WharfBytesMessage();
  }

  @Override
  public MapMessage createMapMessage() throws JMSException {
    checkOpen();
    return new WharfMapMessage();
  }

  @Override
  public Message createMessage() throws JMSException {
    checkOpen();
    return new WharfMessage();
  }

  @Override
  public ObjectMessage createObjectMessage() throws JMSException {
    checkOpen();
    return new WharfObjectMessage(connection.config().trustedPackages());
  }

  @Override
  public ObjectMessage createObjectMessage(Serializable object) throws JMSException {
    ObjectMessage m = createObjectMessage();
    m.setObject(object);
    return m;
  }

  @Override
  public StreamMessage createStreamMessage() throws JMSException {
    checkOpen();
    return new WharfStreamMessage();
  }

  @Override
  public TextMessage createTextMessage() throws JMSException {
    checkOpen();
    return new WharfTextMessage();
  }

  @Override
  public TextMessage createTextMessage(String text) throws JMSException {
    TextMessage m = createTextMessage();
    m.setText(text);
    return m;
  }

  // ---------------------------------------------------------------- destinations

  static WharfDestination wharf(Destination d) throws InvalidDestinationException {
    if (d == null) {
      throw new InvalidDestinationException("no destination");
    }
    if (d instanceof WharfDestination w) {
      return w;
    }
    try {
      if (d instanceof Queue q) {
        return d instanceof TemporaryQueue
            ? new WharfTemporaryQueue(q.getQueueName())
            : new WharfQueue(q.getQueueName());
      }
      if (d instanceof Topic t) {
        return d instanceof TemporaryTopic
            ? new WharfTemporaryTopic(t.getTopicName())
            : new WharfTopic(t.getTopicName());
      }
    } catch (JMSException | IllegalArgumentException e) {
      throw new InvalidDestinationException("not a usable destination: " + d);
    }
    throw new InvalidDestinationException("neither a queue nor a topic: " + d);
  }

  @Override
  public Queue createQueue(String name) throws JMSException {
    checkOpen();
    try {
      return new WharfQueue(name);
    } catch (IllegalArgumentException e) {
      throw new InvalidDestinationException(e.getMessage());
    }
  }

  @Override
  public Topic createTopic(String name) throws JMSException {
    checkOpen();
    try {
      return new WharfTopic(name);
    } catch (IllegalArgumentException e) {
      throw new InvalidDestinationException(e.getMessage());
    }
  }

  @Override
  public TemporaryQueue createTemporaryQueue() throws JMSException {
    checkOpen();
    return connection.createTemporaryQueue();
  }

  @Override
  public TemporaryTopic createTemporaryTopic() throws JMSException {
    checkOpen();
    return connection.createTemporaryTopic();
  }

  // ---------------------------------------------------------------- producers

  @Override
  public MessageProducer createProducer(Destination destination) throws JMSException {
    return newProducer(destination);
  }

  @Override
  public QueueSender createSender(Queue queue) throws JMSException {
    return newProducer(queue);
  }

  @Override
  public TopicPublisher createPublisher(Topic topic) throws JMSException {
    return newProducer(topic);
  }

  private WharfMessageProducer newProducer(Destination destination) throws JMSException {
    checkOpen();
    WharfDestination d = destination == null ? null : wharf(destination);
    if (d != null) {
      connection.prepare(d);
    }
    WharfMessageProducer p = new WharfMessageProducer(this, d);
    producers.add(p);
    return p;
  }

  // ---------------------------------------------------------------- consumers

  @Override
  public MessageConsumer createConsumer(Destination destination) throws JMSException {
    return createConsumer(destination, null, false);
  }

  @Override
  public MessageConsumer createConsumer(Destination destination, String selector)
      throws JMSException {
    return createConsumer(destination, selector, false);
  }

  @Override
  public MessageConsumer createConsumer(Destination destination, String selector, boolean noLocal)
      throws JMSException {
    checkOpen();
    WharfDestination d = consumable(destination);
    if (d.isQueue()) {
      return open(
          d, DestinationNames.queueGroup(WharfConnection.topicOf(d)), selector, noLocal, null);
    }
    String group = "jms-nd|" + connection.id() + "|" + connection.nextSerial();
    return subscription(d, group, selector, noLocal, false);
  }

  /** The destination a consumer may read: this connection's if temporary, and prepared. */
  private WharfDestination consumable(Destination destination) throws JMSException {
    WharfDestination d = wharf(destination);
    connection.checkConsumable(d);
    connection.prepare(d);
    return d;
  }

  @Override
  public QueueReceiver createReceiver(Queue queue) throws JMSException {
    return (QueueReceiver) createConsumer(queue);
  }

  @Override
  public QueueReceiver createReceiver(Queue queue, String selector) throws JMSException {
    return (QueueReceiver) createConsumer(queue, selector);
  }

  @Override
  public TopicSubscriber createSubscriber(Topic topic) throws JMSException {
    return (TopicSubscriber) createConsumer(topic);
  }

  @Override
  public TopicSubscriber createSubscriber(Topic topic, String selector, boolean noLocal)
      throws JMSException {
    return (TopicSubscriber) createConsumer(topic, selector, noLocal);
  }

  @Override
  public TopicSubscriber createDurableSubscriber(Topic topic, String name) throws JMSException {
    return createDurableConsumer(topic, name, null, false);
  }

  @Override
  public TopicSubscriber createDurableSubscriber(
      Topic topic, String name, String selector, boolean noLocal) throws JMSException {
    return createDurableConsumer(topic, name, selector, noLocal);
  }

  @Override
  public MessageConsumer createDurableConsumer(Topic topic, String name) throws JMSException {
    return createDurableConsumer(topic, name, null, false);
  }

  @Override
  public TopicSubscriber createDurableConsumer(
      Topic topic, String name, String selector, boolean noLocal) throws JMSException {
    checkOpen();
    String clientId = connection.clientIdOrNull();
    if (clientId == null) {
      throw new IllegalStateException(
          "an unshared durable subscription needs a client ID (Connection.setClientID)");
    }
    checkName(name);
    WharfDestination d = consumable(topic);
    String group = DestinationNames.durableGroup(WharfConnection.VHOST, clientId, name);
    if (consumesFrom(group)) {
      throw new IllegalStateException("durable subscription " + name + " is active already");
    }
    return subscription(d, group, selector, noLocal, true);
  }

  @Override
  public MessageConsumer createSharedConsumer(Topic topic, String name) throws JMSException {
    return createSharedConsumer(topic, name, null);
  }

  @Override
  public MessageConsumer createSharedConsumer(Topic topic, String name, String selector)
      throws JMSException {
    checkOpen();
    checkName(name);
    WharfDestination d = consumable(topic);
    String group =
        DestinationNames.sharedVolatileGroup(
            WharfConnection.VHOST, connection.clientIdOrNull(), name);
    return subscription(d, group, selector, false, false);
  }

  @Override
  public MessageConsumer createSharedDurableConsumer(Topic topic, String name) throws JMSException {
    return createSharedDurableConsumer(topic, name, null);
  }

  @Override
  public MessageConsumer createSharedDurableConsumer(Topic topic, String name, String selector)
      throws JMSException {
    checkOpen();
    checkName(name);
    WharfDestination d = consumable(topic);
    String group =
        DestinationNames.durableGroup(WharfConnection.VHOST, connection.clientIdOrNull(), name);
    return subscription(d, group, selector, false, true);
  }

  @Override
  public void unsubscribe(String name) throws JMSException {
    checkOpen();
    String group =
        DestinationNames.durableGroup(WharfConnection.VHOST, connection.clientIdOrNull(), name);
    if (consumesFrom(group)) {
      throw new IllegalStateException("durable subscription " + name + " has an active consumer");
    }
    try {
      connection.admin().deleteGroup(group);
    } catch (ClientException e) {
      throw JmsExceptions.of("cannot unsubscribe " + name, e);
    }
  }

  private boolean consumesFrom(String group) {
    for (WharfMessageConsumer c : consumers) {
      if (c.group().equals(group)) {
        return true;
      }
    }
    return false;
  }

  private static void checkName(String name) throws JMSException {
    if (name == null || name.isEmpty()) {
      throw new jakarta.jms.InvalidDestinationException("a subscription needs a name");
    }
  }

  /** A consumer of a topic subscription: its group made (or joined) on the brokers first. */
  private WharfMessageConsumer subscription(
      WharfDestination d, String group, String selector, boolean noLocal, boolean durable)
      throws JMSException {
    boolean sql = selector != null && !selector.isBlank();
    SubscriptionSpec spec =
        new SubscriptionSpec(
            group,
            WharfConnection.topicOf(d),
            sql,
            sql ? selector : "*",
            connection.config().maxDeliveries(),
            true,
            durable,
            durable);
    return open(d, group, selector, noLocal, spec);
  }

  private WharfMessageConsumer open(
      WharfDestination d,
      String group,
      String selector,
      boolean noLocal,
      SubscriptionSpec subscription)
      throws JMSException {
    String sql = selector == null || selector.isBlank() ? null : selector;
    try {
      if (subscription != null) {
        connection.admin().ensureSubscription(subscription);
      } else if (sql != null) {
        // A queue's group exists already; the broker parses the selector when asked to peek with
        // it, so a bad one is refused here rather than at the first receive.
        connection.admin().browse(group, WharfConnection.topicOf(d), sql).next(1);
      }
    } catch (ClientException e) {
      throw JmsExceptions.of("cannot consume from " + d, e);
    }
    WharfMessageConsumer c =
        new WharfMessageConsumer(
            this, d, group, sql, noLocal, subscription != null && !subscription.durable());
    consumers.add(c);
    return c;
  }

  @Override
  public QueueBrowser createBrowser(Queue queue) throws JMSException {
    return createBrowser(queue, null);
  }

  @Override
  public QueueBrowser createBrowser(Queue queue, String selector) throws JMSException {
    checkOpen();
    WharfDestination d = wharf(queue);
    connection.prepare(d);
    WharfQueueBrowser b = new WharfQueueBrowser(this, (WharfQueue) d, selector);
    browsers.add(b);
    return b;
  }

  // ---------------------------------------------------------------- listener and lifecycle

  @Override
  public MessageListener getMessageListener() throws JMSException {
    checkOpen();
    return null;
  }

  @Override
  public void setMessageListener(MessageListener listener) throws JMSException {
    throw new JMSException(
        "session-level listeners are for application servers: set one on a consumer instead");
  }

  @Override
  public void run() {
    throw new UnsupportedOperationException("session-level listeners are not offered");
  }

  void connectionStarted() {
    dispatcher.wake();
  }

  void checkNotOwnThread(String what) throws IllegalStateException {
    if (dispatcher.isDispatcherThread()) {
      throw new IllegalStateException(
          "a message listener must not " + what + " of its own session (JMS 2.0 section 6.1.5)");
    }
  }

  void awaitListenerIdle() {
    dispatcher.awaitIdle();
  }

  @Override
  public void close() throws JMSException {
    if (closed) {
      return;
    }
    checkNotOwnThread("close the session");
    closeFromConnection();
    connection.sessionClosed(this);
  }

  /** Closes without the connection's checks: unacknowledged messages go back to the broker. */
  void closeFromConnection() {
    if (closed) {
      return;
    }
    closed = true;
    dispatcher.stop();
    sender.close();
    List<Delivery> back;
    synchronized (this) {
      back = List.copyOf(unacknowledged);
      unacknowledged.clear();
    }
    for (Delivery d : back) {
      d.consumer().release(d.received());
    }
    for (WharfMessageConsumer c : consumers) {
      c.closeQuietly();
    }
    consumers.clear();
    for (WharfMessageConsumer c : retired) {
      c.closeNative();
    }
    retired.clear();
    for (WharfMessageProducer p : producers) {
      p.markClosed();
    }
    producers.clear();
    for (WharfQueueBrowser b : browsers) {
      b.markClosed();
    }
    browsers.clear();
  }

  @Override
  public String toString() {
    return "WharfSession[" + id + "]";
  }
}
