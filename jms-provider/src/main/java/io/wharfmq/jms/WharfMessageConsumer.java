package io.wharfmq.jms;

import io.wharfmq.client.ClientException;
import io.wharfmq.client.MessageView;
import io.wharfmq.client.ReceivedMessage;
import io.wharfmq.client.SimpleConsumer;
import io.wharfmq.jms.WharfSession.Delivery;
import io.wharfmq.jms.message.RecordMapping;
import io.wharfmq.jms.message.WharfMessage;
import jakarta.jms.IllegalStateException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.Queue;
import jakarta.jms.QueueReceiver;
import jakarta.jms.Topic;
import jakarta.jms.TopicSubscriber;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JMS message consumer over a native POP consumer of its group (docs/jms.md): a queue's one
 * group, a durable subscription's group, or a group of its own for a non-durable subscription.
 * Messages popped and not yet given to the application wait in {@code ready} (at most the
 * prefetch); messages given again by recover or rollback go to its head. A synchronous {@link
 * #receive} pops in the caller's thread; with a listener, the session's dispatcher pops and
 * delivers.
 *
 * <p>Used by its session's thread and its session's dispatcher; {@code ready} is guarded by this.
 */
final class WharfMessageConsumer implements QueueReceiver, TopicSubscriber {
  private static final Logger log = LoggerFactory.getLogger(WharfMessageConsumer.class);

  /**
   * How long a popped message stays invisible to other consumers while this one holds it: the AMQP
   * door's figure. A consumer that dies gives its messages back after this time.
   */
  static final Duration INVISIBLE = Duration.ofSeconds(60);

  /** How long closing waits for acknowledgements sent without waiting. */
  private static final Duration ACK_WAIT = Duration.ofSeconds(5);

  /**
   * Pops a listener's fetcher keeps in flight: while one answer is delivered the next travels, so
   * the consumer does not wait a round trip between batches.
   */
  static final int MAX_POPS_IN_FLIGHT = 2;

  /** How long a listener's fetcher waits before popping again after a failed pop. */
  private static final long POP_RETRY_MS = 500;

  /** The longest single pop; longer receives pop again. */
  private static final long MAX_AWAIT_MS = 1_000;

  private final WharfSession session;
  private final WharfDestination destination;
  private final String group;
  private final String selector;
  private final boolean noLocal;
  private final boolean ownsGroup;
  private final SimpleConsumer simple;
  private final Deque<Delivery> ready = new ArrayDeque<>();
  private final AtomicInteger acksInFlight = new AtomicInteger();

  /** Acks waiting for the batch ack in flight to be answered; guarded by itself. */
  private final List<ReceivedMessage> pendingAcks = new ArrayList<>();

  /** Whether a batch ack is in flight; guarded by {@code pendingAcks}. */
  private boolean ackSending;

  /** Listener pops in flight and the messages they asked for (prefetch room taken); by this. */
  private int popsInFlight;

  private int reserved;

  /** A listener pop's failure, reported by the fetcher thread; and when to pop again after it. */
  private volatile ClientException popError;

  private volatile long popRetryNanos = System.nanoTime();
  private volatile MessageListener listener;
  private volatile boolean closed;
  private final Object nativeLock = new Object();
  private boolean nativeClosed; // guarded by nativeLock

  WharfMessageConsumer(
      WharfSession session,
      WharfDestination destination,
      String group,
      String selector,
      boolean noLocal,
      boolean ownsGroup)
      throws JMSException {
    this.session = session;
    this.destination = destination;
    this.group = group;
    this.selector = selector;
    this.noLocal = noLocal;
    this.ownsGroup = ownsGroup;
    WharfConnectionConfig config = session.connection().config();
    String topic = WharfConnection.topicOf(destination);
    SimpleConsumer.Builder b =
        SimpleConsumer.builder()
            .credentials(session.connection().credentials())
            .namesrvAddr(config.namesrvAddr())
            .tls(session.connection().clientTls())
            .consumerGroup(group)
            .awaitDuration(Duration.ofMillis(MAX_AWAIT_MS))
            .requestTimeout(config.requestTimeout());
    if (selector == null) {
      b.subscribe(topic, "*");
    } else {
      b.subscribeSql92(topic, selector);
    }
    try {
      this.simple = b.build();
    } catch (ClientException | IllegalArgumentException e) {
      throw JmsExceptions.of("cannot consume from " + destination, e);
    }
  }

  WharfDestination destination() {
    return destination;
  }

  String group() {
    return group;
  }

  WharfSession session() {
    return session;
  }

  boolean hasListener() {
    return listener != null;
  }

  private void checkOpen() throws IllegalStateException {
    if (closed) {
      throw new IllegalStateException("the consumer is closed");
    }
    session.checkOpen();
  }

  // ---------------------------------------------------------------- receiving

  @Override
  public Message receive() throws JMSException {
    return receiveUntil(Long.MAX_VALUE);
  }

  @Override
  public Message receive(long timeout) throws JMSException {
    if (timeout <= 0) {
      return receive();
    }
    return receiveUntil(System.nanoTime() + timeout * 1_000_000);
  }

  @Override
  public Message receiveNoWait() throws JMSException {
    return receiveUntil(System.nanoTime());
  }

  private Message receiveUntil(long deadlineNanos) throws JMSException {
    checkOpen();
    if (listener != null) {
      throw new IllegalStateException("this consumer has a message listener: it cannot receive");
    }
    while (true) {
      try {
        if (!session.connection().awaitStarted(deadlineNanos)) {
          return null;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      if (closed) {
        return null;
      }
      Delivery d = nextReady();
      if (d == null) {
        long left = deadlineNanos - System.nanoTime();
        fetch(Math.max(0, Math.min(MAX_AWAIT_MS, left / 1_000_000)));
        d = nextReady();
        if (d == null) {
          if (deadlineNanos - System.nanoTime() <= 0) {
            return null;
          }
          continue;
        }
      }
      WharfMessage m = toJms(d);
      if (m != null) {
        session.delivered(d, m, false);
        return m;
      }
    }
  }

  synchronized Delivery nextReady() {
    return ready.pollFirst();
  }

  synchronized boolean hasReady() {
    return !ready.isEmpty();
  }

  /** Whether the prefetch is full: no room for another pop. */
  synchronized boolean prefetchFull() {
    return ready.size() + reserved >= session.connection().config().prefetch();
  }

  /**
   * Pops what the prefetch allows, waiting up to {@code awaitMs} on the broker; failures go to the
   * exception listener (the next receive tries again).
   */
  void fetch(long awaitMs) {
    int room;
    synchronized (this) {
      room = session.connection().config().prefetch() - ready.size() - reserved;
    }
    if (room <= 0 || closed) {
      return;
    }
    List<ReceivedMessage> got;
    try {
      got =
          simple.receive(
              Math.min(room, SimpleConsumer.MAX_MESSAGES_PER_RECEIVE),
              INVISIBLE,
              Duration.ofMillis(awaitMs));
    } catch (ClientException e) {
      if (!closed && !session.isClosed()) { // closing interrupts a pop: nothing to report
        session.connection().report(JmsExceptions.of("receive from " + destination + " failed", e));
        pause(awaitMs);
      }
      return;
    }
    session.connection().healthy();
    synchronized (this) {
      for (ReceivedMessage r : got) {
        ready.addLast(new Delivery(this, r, 0));
      }
    }
    if (closed) {
      releaseReady();
    }
  }

  /**
   * A listener fetcher's step: starts an asynchronous pop when fewer than {@link
   * #MAX_POPS_IN_FLIGHT} are in flight and the prefetch has room for at least half a pop (a full
   * one when it can: the pops ask for what is free, never more). Returns whether it started one;
   * {@code arrived} runs (on the native consumer's callback thread) when the pop is answered.
   */
  boolean fetchAhead(Runnable arrived) {
    int size;
    synchronized (this) {
      int prefetch = session.connection().config().prefetch();
      int free = prefetch - ready.size() - reserved;
      int full = Math.min(SimpleConsumer.MAX_MESSAGES_PER_RECEIVE, prefetch);
      if (closed
          || popsInFlight >= MAX_POPS_IN_FLIGHT
          || free < Math.max(1, full / 2)
          || System.nanoTime() - popRetryNanos < 0) {
        return false;
      }
      size = Math.min(full, free);
      popsInFlight++;
      reserved += size;
    }
    CompletableFuture<List<ReceivedMessage>> pop;
    try {
      pop = simple.receiveAsync(size, INVISIBLE, Duration.ofMillis(MAX_AWAIT_MS));
    } catch (RuntimeException e) {
      pop = CompletableFuture.failedFuture(e);
    }
    pop.whenComplete(
        (got, error) -> {
          popped(size, got, error);
          arrived.run();
        });
    return true;
  }

  /**
   * A listener pop's answer, on the native consumer's callback thread, which also completes the
   * acks: nothing here may wait for the broker. Messages that arrive after the consumer closed go
   * back at once.
   */
  private void popped(int size, List<ReceivedMessage> got, Throwable error) {
    synchronized (this) {
      popsInFlight--;
      reserved -= size;
      if (got != null) {
        for (ReceivedMessage r : got) {
          ready.addLast(new Delivery(this, r, 0));
        }
      }
    }
    if (error != null) {
      popRetryNanos = System.nanoTime() + POP_RETRY_MS * 1_000_000;
      if (!closed && !session.isClosed()) { // closing interrupts a pop: nothing to report
        popError =
            error.getCause() instanceof ClientException ce
                ? ce
                : error instanceof ClientException ce2 ? ce2 : new ClientException("pop", error);
      }
    } else {
      session.connection().healthy();
    }
    if (closed) {
      List<Delivery> back;
      synchronized (this) {
        back = List.copyOf(ready);
        ready.clear();
      }
      for (Delivery d : back) {
        simple.changeInvisibleDurationAsync(d.received(), redeliveryDelay());
      }
    }
  }

  /** On the fetcher thread: tells the exception listener about a failed listener pop. */
  void reportPopFailure() {
    ClientException e = popError;
    if (e != null) {
      popError = null;
      session.connection().report(JmsExceptions.of("receive from " + destination + " failed", e));
    }
  }

  private Duration redeliveryDelay() {
    return Duration.ofMillis(
        Math.max(1, session.connection().config().redeliveryDelay().toMillis()));
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(Math.max(10, Math.min(ms, 500)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The JMS message of a delivery, or null when it must not reach the application: expired (the
   * broker checks too, but it may have expired in the prefetch) or sent by this connection to a
   * no-local consumer. Such messages are acknowledged and dropped.
   */
  WharfMessage toJms(Delivery d) throws JMSException {
    MessageView v = d.received().view();
    if (d.localRedeliveries() > 0) {
      v =
          new MessageView(
              v.msgId(),
              v.offsetMsgId(),
              v.queue(),
              v.queueOffset(),
              v.tags(),
              v.keys(),
              v.properties(),
              v.body(),
              v.reconsumeTimes() + d.localRedeliveries(),
              v.bornTimestamp(),
              v.storeTimestamp());
    }
    WharfMessage m =
        RecordMapping.fromRecord(v, destination, session.connection().config().trustedPackages());
    long expiration = m.getJMSExpiration();
    boolean expired = expiration > 0 && expiration <= session.connection().clock().millis();
    String id = m.getJMSMessageID();
    boolean own = noLocal && id != null && id.startsWith("ID:" + session.connection().id() + "-");
    if (expired || own) {
      ack(d.received());
      return null;
    }
    m.setReadOnly(true);
    return m;
  }

  /**
   * Acknowledges without waiting (AUTO_ACKNOWLEDGE, DUPS_OK_ACKNOWLEDGE, as Qpid JMS and Artemis
   * do): a failed ack is logged and the message may come again. Acks are coalesced: the first goes
   * at once; those that come while a batch ack is in flight go together, in one request per broker,
   * when it is answered (no timer, so an ack waits at most one round trip). Closing waits for
   * these.
   */
  void ackLater(ReceivedMessage r) {
    acksInFlight.incrementAndGet();
    synchronized (pendingAcks) {
      pendingAcks.add(r);
      if (ackSending) {
        return;
      }
      ackSending = true;
    }
    sendPendingAcks();
  }

  private void sendPendingAcks() {
    List<ReceivedMessage> batch;
    synchronized (pendingAcks) {
      if (pendingAcks.isEmpty()) {
        ackSending = false;
        return;
      }
      batch = List.copyOf(pendingAcks);
      pendingAcks.clear();
    }
    simple
        .ackAllAsync(batch)
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                log.debug(
                    "Acknowledging {} messages of {} failed: {}",
                    batch.size(),
                    destination,
                    error.toString());
              }
              if (acksInFlight.addAndGet(-batch.size()) == 0) {
                synchronized (acksInFlight) {
                  acksInFlight.notifyAll();
                }
              }
              sendPendingAcks();
            });
  }

  private void awaitAcks() {
    long deadline = System.nanoTime() + ACK_WAIT.toNanos();
    synchronized (acksInFlight) {
      while (acksInFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          log.debug("{} acks of {} still unanswered at close", acksInFlight.get(), destination);
          return;
        }
        try {
          acksInFlight.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  void ack(ReceivedMessage r) throws JMSException {
    ackAll(List.of(r));
  }

  /**
   * Acknowledges and waits (CLIENT_ACKNOWLEDGE, commit): one request per broker. Throws when a
   * broker refused some of them (their handles expired: they may come again); the others are
   * acknowledged all the same.
   */
  void ackAll(List<ReceivedMessage> messages) throws JMSException {
    try {
      simple.ackAll(messages);
    } catch (ClientException e) {
      throw JmsExceptions.of(
          "acknowledging messages of " + destination + " failed (they may come again)", e);
    }
  }

  /**
   * Gives messages back to the broker for redelivery to any consumer, after the redelivery delay
   * (at least 1 ms: the broker's smallest invisible time). Failures are logged: the message comes
   * back anyway when its invisible time ends.
   */
  void release(ReceivedMessage r) {
    try {
      simple.changeInvisibleDuration(r, redeliveryDelay());
    } catch (ClientException e) {
      log.debug("Giving back a message of {} failed: {}", destination, e.getMessage());
    }
  }

  /** Recover or rollback: the messages come again from here, in order, before anything else. */
  void giveAgain(List<Delivery> deliveries) {
    if (closed) {
      for (Delivery d : deliveries) {
        release(d.received());
      }
      return;
    }
    synchronized (this) {
      for (int i = deliveries.size() - 1; i >= 0; i--) {
        Delivery d = deliveries.get(i);
        ready.addFirst(new Delivery(this, d.received(), d.localRedeliveries() + 1));
      }
    }
    session.dispatcher().wake();
  }

  private void releaseReady() {
    List<Delivery> back;
    synchronized (this) {
      back = List.copyOf(ready);
      ready.clear();
    }
    for (Delivery d : back) {
      release(d.received());
    }
  }

  // ---------------------------------------------------------------- listener

  @Override
  public MessageListener getMessageListener() throws JMSException {
    checkOpen();
    return listener;
  }

  @Override
  public void setMessageListener(MessageListener l) throws JMSException {
    checkOpen();
    listener = l;
    if (l != null) {
      session.dispatcher().add(this);
    } else {
      session.dispatcher().remove(this);
    }
  }

  MessageListener listener() {
    return listener;
  }

  // ---------------------------------------------------------------- the rest

  @Override
  public String getMessageSelector() throws JMSException {
    checkOpen();
    return selector;
  }

  @Override
  public boolean getNoLocal() throws JMSException {
    checkOpen();
    return noLocal;
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
    if (closed) {
      return;
    }
    session.checkNotOwnThread("close a consumer");
    closeQuietlyKeepingNative();
    session.consumerClosed(this);
  }

  private void closeQuietlyKeepingNative() {
    closed = true;
    session.dispatcher().remove(this);
    releaseReady();
    if (ownsGroup) {
      try {
        session.connection().admin().deleteGroup(group);
      } catch (ClientException e) {
        // the broker drops it with the connection's admin link anyway
        log.debug("Deleting group {} failed: {}", group, e.getMessage());
      }
    }
  }

  /** Closed with its session: nothing of it can be acknowledged any more. */
  void closeQuietly() {
    if (!closed) {
      closeQuietlyKeepingNative();
    }
    closeNative();
  }

  /**
   * Waits for the acks in flight, then closes the native consumer. Not under this consumer's lock:
   * the answers of pops in flight take it on the native consumer's callback thread, which also
   * completes the acks.
   */
  void closeNative() {
    synchronized (nativeLock) {
      if (!nativeClosed) {
        nativeClosed = true;
        awaitAcks();
        simple.close();
      }
    }
  }

  @Override
  public String toString() {
    return "WharfMessageConsumer[" + destination + ", group " + group + "]";
  }
}
