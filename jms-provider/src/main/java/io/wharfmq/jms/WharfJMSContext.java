package io.wharfmq.jms;

import jakarta.jms.BytesMessage;
import jakarta.jms.CompletionListener;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionMetaData;
import jakarta.jms.Destination;
import jakarta.jms.ExceptionListener;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TemporaryTopic;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.io.Serializable;

/**
 * The simplified API (JMS 2.0 chapter 11) over the classic one: one {@link Connection}, shared with
 * the contexts made by {@link #createContext(int)} and closed when the last of them closes, and one
 * {@link Session} of this context's mode, made on first use (so that {@link #setClientID} can still
 * come first). Checked exceptions become their unchecked counterparts ({@link
 * JmsRuntimeExceptions}). Works over any provider's Connection, not only Wharf's.
 *
 * <p>Like a Session, a context is for one thread at a time; {@link #close}, {@link #stop} and the
 * connection-level methods may be called from any thread.
 */
public final class WharfJMSContext implements JMSContext {

  /** The connection and how many open contexts use it. */
  private static final class SharedConnection {
    final Connection connection;
    private int users = 1; // guarded by this

    SharedConnection(Connection connection) {
      this.connection = connection;
    }

    synchronized boolean retain() {
      if (users == 0) {
        return false;
      }
      users++;
      return true;
    }

    void release() throws JMSException {
      synchronized (this) {
        if (--users > 0) {
          return;
        }
      }
      connection.close();
    }
  }

  /** A classic API call, for {@link #call}. */
  @FunctionalInterface
  interface JmsCall<T> {
    T call() throws JMSException;
  }

  private final SharedConnection shared;
  private final int sessionMode;
  private final Object lock = new Object();
  private Session session; // guarded by lock
  private MessageProducer producer; // guarded by lock; anonymous, shared by all JMSProducers
  private volatile boolean closed;
  private volatile boolean autoStart = true;
  private volatile Message lastDelivered;

  private WharfJMSContext(SharedConnection shared, int sessionMode) {
    this.shared = shared;
    this.sessionMode = sessionMode;
  }

  /**
   * A context that owns {@code connection}: closing the context (and every context made from it by
   * {@link #createContext(int)}) closes the connection.
   *
   * @param sessionMode AUTO_ACKNOWLEDGE, CLIENT_ACKNOWLEDGE, DUPS_OK_ACKNOWLEDGE or
   *     SESSION_TRANSACTED
   */
  public static WharfJMSContext over(Connection connection, int sessionMode) {
    checkSessionMode(sessionMode);
    return new WharfJMSContext(new SharedConnection(connection), sessionMode);
  }

  static void checkSessionMode(int sessionMode) {
    if (sessionMode != AUTO_ACKNOWLEDGE
        && sessionMode != CLIENT_ACKNOWLEDGE
        && sessionMode != DUPS_OK_ACKNOWLEDGE
        && sessionMode != SESSION_TRANSACTED) {
      throw new JMSRuntimeException(
          "session mode "
              + sessionMode
              + " is none of AUTO_ACKNOWLEDGE (1), CLIENT_ACKNOWLEDGE (2), DUPS_OK_ACKNOWLEDGE (3),"
              + " SESSION_TRANSACTED (0)");
    }
  }

  /** A classic API call without a result, for {@link #run}. */
  @FunctionalInterface
  interface JmsRun {
    void run() throws JMSException;
  }

  static void run(JmsRun r) {
    try {
      r.run();
    } catch (JMSException e) {
      throw JmsRuntimeExceptions.of(e);
    }
  }

  static <T> T call(JmsCall<T> c) {
    try {
      return c.call();
    } catch (JMSException e) {
      throw JmsRuntimeExceptions.of(e);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateRuntimeException("the JMSContext is closed");
    }
  }

  /** The session, made on first use. */
  Session session() {
    synchronized (lock) {
      checkOpen();
      if (session == null) {
        session = call(() -> shared.connection.createSession(sessionMode));
      }
      return session;
    }
  }

  /** The message {@code consumer} just gave the application, for {@link #acknowledge}. */
  void delivered(Message message) {
    if (message != null) {
      lastDelivered = message;
    }
  }

  /**
   * Sends with {@code options}'s delivery settings through the context's one anonymous producer
   * (the producer's own settings are set for each send, as the producer is shared).
   */
  void send(Destination destination, Message message, WharfJMSProducer options) {
    synchronized (lock) {
      if (producer == null) {
        Session s = session();
        producer = call(() -> s.createProducer(null));
      }
      MessageProducer p = producer;
      run(
          () -> {
            p.setDeliveryDelay(options.getDeliveryDelay());
            p.setDisableMessageID(options.getDisableMessageID());
            p.setDisableMessageTimestamp(options.getDisableMessageTimestamp());
            CompletionListener listener = options.getAsync();
            if (listener == null) {
              p.send(
                  destination,
                  message,
                  options.getDeliveryMode(),
                  options.getPriority(),
                  options.getTimeToLive());
            } else {
              p.send(
                  destination,
                  message,
                  options.getDeliveryMode(),
                  options.getPriority(),
                  options.getTimeToLive(),
                  listener);
            }
          });
    }
  }

  private JMSConsumer consumer(MessageConsumer consumer) {
    if (autoStart) {
      run(() -> shared.connection.start());
    }
    return new WharfJMSConsumer(this, consumer);
  }

  // ---------------------------------------------------------------- context and connection

  @Override
  public JMSContext createContext(int sessionMode) {
    checkOpen();
    checkSessionMode(sessionMode);
    if (!shared.retain()) {
      throw new IllegalStateRuntimeException("the connection of this JMSContext is closed");
    }
    return new WharfJMSContext(shared, sessionMode);
  }

  @Override
  public JMSProducer createProducer() {
    checkOpen();
    return new WharfJMSProducer(this);
  }

  @Override
  public String getClientID() {
    checkOpen();
    return call(shared.connection::getClientID);
  }

  @Override
  public void setClientID(String clientID) {
    checkOpen();
    run(() -> shared.connection.setClientID(clientID));
  }

  @Override
  public ConnectionMetaData getMetaData() {
    checkOpen();
    return call(shared.connection::getMetaData);
  }

  @Override
  public ExceptionListener getExceptionListener() {
    checkOpen();
    return call(shared.connection::getExceptionListener);
  }

  @Override
  public void setExceptionListener(ExceptionListener listener) {
    checkOpen();
    run(() -> shared.connection.setExceptionListener(listener));
  }

  @Override
  public void start() {
    checkOpen();
    run(() -> shared.connection.start());
  }

  @Override
  public void stop() {
    checkOpen();
    run(() -> shared.connection.stop());
  }

  @Override
  public void setAutoStart(boolean autoStart) {
    checkOpen();
    this.autoStart = autoStart;
  }

  @Override
  public boolean getAutoStart() {
    checkOpen();
    return autoStart;
  }

  /**
   * Closes the session (its consumers, producers and browsers) and, if this was the last open
   * context of the connection, the connection. Refused with an IllegalStateRuntimeException, the
   * context staying open, when the session refuses (called from this context's own MessageListener
   * or CompletionListener, JMS 2.0 section 11.2.7). The session is closed outside the context's
   * lock, so that a listener still running may send through this context meanwhile.
   */
  @Override
  public void close() {
    Session toClose;
    synchronized (lock) {
      if (closed) {
        return;
      }
      toClose = session;
    }
    JMSRuntimeException failure = null;
    if (toClose != null) {
      try {
        toClose.close();
      } catch (jakarta.jms.IllegalStateException e) {
        throw JmsRuntimeExceptions.of(e);
      } catch (JMSException e) {
        failure = JmsRuntimeExceptions.of(e); // broken, not refused: close the rest anyway
      }
    }
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      shared.release();
    } catch (JMSException e) {
      if (failure == null) {
        failure = JmsRuntimeExceptions.of(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  // ---------------------------------------------------------------- session

  @Override
  public int getSessionMode() {
    checkOpen();
    return sessionMode;
  }

  @Override
  public boolean getTransacted() {
    checkOpen();
    return sessionMode == SESSION_TRANSACTED;
  }

  @Override
  public void commit() {
    Session s = session();
    run(() -> s.commit());
  }

  @Override
  public void rollback() {
    Session s = session();
    run(() -> s.rollback());
  }

  @Override
  public void recover() {
    Session s = session();
    run(() -> s.recover());
  }

  /**
   * Acknowledges every message the session delivered so far (in CLIENT_ACKNOWLEDGE mode, as {@link
   * Message#acknowledge} on the last delivered one does); does nothing in the other modes.
   */
  @Override
  public void acknowledge() {
    checkOpen();
    Message last = lastDelivered;
    if (sessionMode == CLIENT_ACKNOWLEDGE && last != null) {
      run(() -> last.acknowledge());
    }
  }

  @Override
  public BytesMessage createBytesMessage() {
    Session s = session();
    return call(s::createBytesMessage);
  }

  @Override
  public MapMessage createMapMessage() {
    Session s = session();
    return call(s::createMapMessage);
  }

  @Override
  public Message createMessage() {
    Session s = session();
    return call(s::createMessage);
  }

  @Override
  public ObjectMessage createObjectMessage() {
    Session s = session();
    return call(s::createObjectMessage);
  }

  @Override
  public ObjectMessage createObjectMessage(Serializable object) {
    Session s = session();
    return call(() -> s.createObjectMessage(object));
  }

  @Override
  public StreamMessage createStreamMessage() {
    Session s = session();
    return call(s::createStreamMessage);
  }

  @Override
  public TextMessage createTextMessage() {
    Session s = session();
    return call(s::createTextMessage);
  }

  @Override
  public TextMessage createTextMessage(String text) {
    Session s = session();
    return call(() -> s.createTextMessage(text));
  }

  @Override
  public Queue createQueue(String queueName) {
    Session s = session();
    return call(() -> s.createQueue(queueName));
  }

  @Override
  public Topic createTopic(String topicName) {
    Session s = session();
    return call(() -> s.createTopic(topicName));
  }

  @Override
  public TemporaryQueue createTemporaryQueue() {
    Session s = session();
    return call(s::createTemporaryQueue);
  }

  @Override
  public TemporaryTopic createTemporaryTopic() {
    Session s = session();
    return call(s::createTemporaryTopic);
  }

  @Override
  public void unsubscribe(String name) {
    Session s = session();
    run(() -> s.unsubscribe(name));
  }

  // ---------------------------------------------------------------- consumers and browsers

  @Override
  public JMSConsumer createConsumer(Destination destination) {
    Session s = session();
    return consumer(call(() -> s.createConsumer(destination)));
  }

  @Override
  public JMSConsumer createConsumer(Destination destination, String messageSelector) {
    Session s = session();
    return consumer(call(() -> s.createConsumer(destination, messageSelector)));
  }

  @Override
  public JMSConsumer createConsumer(
      Destination destination, String messageSelector, boolean noLocal) {
    Session s = session();
    return consumer(call(() -> s.createConsumer(destination, messageSelector, noLocal)));
  }

  @Override
  public JMSConsumer createDurableConsumer(Topic topic, String name) {
    Session s = session();
    return consumer(call(() -> s.createDurableConsumer(topic, name)));
  }

  @Override
  public JMSConsumer createDurableConsumer(
      Topic topic, String name, String messageSelector, boolean noLocal) {
    Session s = session();
    return consumer(call(() -> s.createDurableConsumer(topic, name, messageSelector, noLocal)));
  }

  @Override
  public JMSConsumer createSharedDurableConsumer(Topic topic, String name) {
    Session s = session();
    return consumer(call(() -> s.createSharedDurableConsumer(topic, name)));
  }

  @Override
  public JMSConsumer createSharedDurableConsumer(Topic topic, String name, String messageSelector) {
    Session s = session();
    return consumer(call(() -> s.createSharedDurableConsumer(topic, name, messageSelector)));
  }

  @Override
  public JMSConsumer createSharedConsumer(Topic topic, String sharedSubscriptionName) {
    Session s = session();
    return consumer(call(() -> s.createSharedConsumer(topic, sharedSubscriptionName)));
  }

  @Override
  public JMSConsumer createSharedConsumer(
      Topic topic, String sharedSubscriptionName, String messageSelector) {
    Session s = session();
    return consumer(
        call(() -> s.createSharedConsumer(topic, sharedSubscriptionName, messageSelector)));
  }

  @Override
  public QueueBrowser createBrowser(Queue queue) {
    return createBrowser(queue, null);
  }

  /** Starts the connection first when auto-start is on, as browsing needs deliveries flowing. */
  @Override
  public QueueBrowser createBrowser(Queue queue, String messageSelector) {
    Session s = session();
    QueueBrowser browser = call(() -> s.createBrowser(queue, messageSelector));
    if (autoStart) {
      start();
    }
    return browser;
  }
}
