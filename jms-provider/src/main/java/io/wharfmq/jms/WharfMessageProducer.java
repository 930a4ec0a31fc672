package io.wharfmq.jms;

import io.wharfmq.jms.message.RecordMapping;
import io.wharfmq.jms.message.WharfMessage;
import jakarta.jms.CompletionListener;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Destination;
import jakarta.jms.IllegalStateException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageFormatException;
import jakarta.jms.Queue;
import jakarta.jms.QueueSender;
import jakarta.jms.Topic;
import jakarta.jms.TopicPublisher;

/**
 * A JMS message producer: sets the send headers on the application's message (JMS 2.0 section 3.4),
 * turns it into a record (docs/mapping.md) and hands it to its session's {@link SessionSender}.
 * Message IDs are {@code ID:<connection>-<session serial>:<producer serial>:<n>}, unique without
 * coordination.
 *
 * <p>Used by its session's thread.
 */
final class WharfMessageProducer implements QueueSender, TopicPublisher {
  private final WharfSession session;
  private final WharfDestination destination;
  private final String idPrefix;
  private long sequence;
  private boolean closed;
  private boolean disableMessageId;
  private boolean disableTimestamp;
  private int deliveryMode = DeliveryMode.PERSISTENT;
  private int priority = Message.DEFAULT_PRIORITY;
  private long timeToLive = Message.DEFAULT_TIME_TO_LIVE;
  private long deliveryDelay = Message.DEFAULT_DELIVERY_DELAY;

  WharfMessageProducer(WharfSession session, WharfDestination destination) {
    this.session = session;
    this.destination = destination;
    this.idPrefix = "ID:" + session.id() + ":" + session.connection().nextSerial() + ":";
  }

  private void checkOpen() throws IllegalStateException {
    if (closed) {
      throw new IllegalStateException("the producer is closed");
    }
    session.checkOpen();
  }

  void markClosed() {
    closed = true;
  }

  // ---------------------------------------------------------------- sending

  @Override
  public void send(Message message) throws JMSException {
    send(message, deliveryMode, priority, timeToLive);
  }

  @Override
  public void send(Message message, int mode, int prio, long ttl) throws JMSException {
    sendTo(ownDestination(), message, mode, prio, ttl, null);
  }

  @Override
  public void send(Destination to, Message message) throws JMSException {
    send(to, message, deliveryMode, priority, timeToLive);
  }

  @Override
  public void send(Destination to, Message message, int mode, int prio, long ttl)
      throws JMSException {
    sendTo(otherDestination(to), message, mode, prio, ttl, null);
  }

  @Override
  public void send(Message message, CompletionListener done) throws JMSException {
    send(message, deliveryMode, priority, timeToLive, done);
  }

  @Override
  public void send(Message message, int mode, int prio, long ttl, CompletionListener done)
      throws JMSException {
    sendTo(ownDestination(), message, mode, prio, ttl, required(done));
  }

  @Override
  public void send(Destination to, Message message, CompletionListener done) throws JMSException {
    send(to, message, deliveryMode, priority, timeToLive, done);
  }

  @Override
  public void send(
      Destination to, Message message, int mode, int prio, long ttl, CompletionListener done)
      throws JMSException {
    sendTo(otherDestination(to), message, mode, prio, ttl, required(done));
  }

  @Override
  public void publish(Message message) throws JMSException {
    send(message);
  }

  @Override
  public void publish(Message message, int mode, int prio, long ttl) throws JMSException {
    send(message, mode, prio, ttl);
  }

  @Override
  public void publish(Topic topic, Message message) throws JMSException {
    send(topic, message);
  }

  @Override
  public void publish(Topic topic, Message message, int mode, int prio, long ttl)
      throws JMSException {
    send(topic, message, mode, prio, ttl);
  }

  @Override
  public void send(Queue queue, Message message) throws JMSException {
    send((Destination) queue, message);
  }

  @Override
  public void send(Queue queue, Message message, int mode, int prio, long ttl) throws JMSException {
    send((Destination) queue, message, mode, prio, ttl);
  }

  private static CompletionListener required(CompletionListener done) {
    if (done == null) {
      throw new IllegalArgumentException("a CompletionListener is required");
    }
    return done;
  }

  private WharfDestination ownDestination() throws JMSException {
    checkOpen();
    if (destination == null) {
      throw new UnsupportedOperationException(
          "this producer has no destination: name one in send (JMS 2.0 section 7.2)");
    }
    return destination;
  }

  private WharfDestination otherDestination(Destination to) throws JMSException {
    checkOpen();
    if (destination != null) {
      throw new UnsupportedOperationException(
          "this producer sends to " + destination + " only: create one without a destination");
    }
    if (to == null) {
      throw new InvalidDestinationException("no destination given");
    }
    WharfDestination d = WharfSession.wharf(to);
    session.connection().prepare(d);
    return d;
  }

  private void sendTo(
      WharfDestination to, Message message, int mode, int prio, long ttl, CompletionListener done)
      throws JMSException {
    if (message == null) {
      throw new MessageFormatException("no message to send");
    }
    if (mode != DeliveryMode.PERSISTENT && mode != DeliveryMode.NON_PERSISTENT) {
      throw new JMSException("unknown delivery mode " + mode);
    }
    if (prio < 0 || prio > 9) {
      throw new JMSException("priority must be 0..9, is " + prio);
    }
    long now = session.connection().clock().millis();
    message.setJMSDestination(to);
    message.setJMSDeliveryMode(mode);
    message.setJMSPriority(prio);
    message.setJMSTimestamp(disableTimestamp ? 0 : now);
    message.setJMSExpiration(ttl > 0 ? now + ttl : 0);
    message.setJMSDeliveryTime(now + deliveryDelay);
    message.setJMSMessageID(disableMessageId ? null : idPrefix + (++sequence));
    WharfMessage m = message instanceof WharfMessage w ? w : WharfMessage.copyOf(message);
    String group = message.getStringProperty("JMSXGroupID");
    session
        .sender()
        .send(
            new SessionSender.Pending(
                RecordMapping.toRecord(
                    m, WharfConnection.topicOf(to), Math.max(0, ttl), deliveryDelay),
                group != null ? group : session.id(),
                message,
                done));
  }

  // ---------------------------------------------------------------- settings

  @Override
  public void setDisableMessageID(boolean value) throws JMSException {
    checkOpen();
    disableMessageId = value;
  }

  @Override
  public boolean getDisableMessageID() throws JMSException {
    checkOpen();
    return disableMessageId;
  }

  @Override
  public void setDisableMessageTimestamp(boolean value) throws JMSException {
    checkOpen();
    disableTimestamp = value;
  }

  @Override
  public boolean getDisableMessageTimestamp() throws JMSException {
    checkOpen();
    return disableTimestamp;
  }

  @Override
  public void setDeliveryMode(int mode) throws JMSException {
    checkOpen();
    if (mode != DeliveryMode.PERSISTENT && mode != DeliveryMode.NON_PERSISTENT) {
      throw new JMSException("unknown delivery mode " + mode);
    }
    deliveryMode = mode;
  }

  @Override
  public int getDeliveryMode() throws JMSException {
    checkOpen();
    return deliveryMode;
  }

  @Override
  public void setPriority(int value) throws JMSException {
    checkOpen();
    if (value < 0 || value > 9) {
      throw new JMSException("priority must be 0..9, is " + value);
    }
    priority = value;
  }

  @Override
  public int getPriority() throws JMSException {
    checkOpen();
    return priority;
  }

  @Override
  public void setTimeToLive(long value) throws JMSException {
    checkOpen();
    timeToLive = value;
  }

  @Override
  public long getTimeToLive() throws JMSException {
    checkOpen();
    return timeToLive;
  }

  @Override
  public void setDeliveryDelay(long value) throws JMSException {
    checkOpen();
    if (value < 0) {
      throw new JMSException("delivery delay must not be negative, is " + value);
    }
    deliveryDelay = value;
  }

  @Override
  public long getDeliveryDelay() throws JMSException {
    checkOpen();
    return deliveryDelay;
  }

  @Override
  public Destination getDestination() throws JMSException {
    checkOpen();
    return destination;
  }

  @Override
  public Queue getQueue() throws JMSException {
    checkOpen();
    return destination instanceof Queue q ? q : null;
  }

  @Override
  public Topic getTopic() throws JMSException {
    checkOpen();
    return destination instanceof Topic t ? t : null;
  }

  @Override
  public void close() throws JMSException {
    closed = true;
    session.producerClosed(this);
  }
}
