package io.wharfmq.jms;

import io.wharfmq.client.ClientException;
import io.wharfmq.client.Message;
import jakarta.jms.CompletionListener;
import jakarta.jms.JMSException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * How a session's messages reach the broker, in the session's order (JMS 2.0 section 7.3.3 for
 * asynchronous sends): synchronously; through one thread per session for sends with a {@link
 * CompletionListener}, whose listeners are called in send order; or, in a transacted session,
 * buffered until commit, which stores them all or none. Every message of a session goes to one
 * queue of its topic (the session id is the sharding key, or the message's JMSXGroupID), so a
 * session's messages keep their order.
 *
 * <p>Owned by its session's thread; the async thread is its own.
 */
final class SessionSender {
  private final WharfSession session;
  private final List<Pending> buffered = new ArrayList<>();

  /** Asynchronous sends waiting for the send thread (guarded by this). */
  private final ArrayDeque<Pending> queued = new ArrayDeque<>();

  private boolean draining;

  /** Asynchronous sends a session may have waiting before send blocks. */
  static final int MAX_QUEUED = 1_000;

  /** The most messages, and bytes of bodies, in one batch request. */
  static final int MAX_BATCH = 64;

  static final int MAX_BATCH_BYTES = 1024 * 1024;
  private ExecutorService async;

  /** A record to send, the key that picks its queue, and who to tell (async) or null. */
  record Pending(
      Message record, String shardingKey, jakarta.jms.Message message, CompletionListener done) {}

  SessionSender(WharfSession session) {
    this.session = session;
  }

  /** Sends now, or buffers in a transacted session; async when {@code done} is not null. */
  void send(Pending p) throws JMSException {
    if (session.mode() == jakarta.jms.Session.SESSION_TRANSACTED) {
      synchronized (buffered) {
        buffered.add(p);
      }
      if (p.done() != null) {
        p.done().onCompletion(p.message());
      }
      return;
    }
    if (p.done() == null) {
      awaitQueuedSent(); // a synchronous send must not overtake the asynchronous ones before it
      sendNow(p);
      return;
    }
    synchronized (this) {
      while (queued.size() >= MAX_QUEUED) {
        try {
          wait(); // back-pressure: the application sends faster than the broker stores
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new JMSException("interrupted while waiting to send");
        }
      }
      queued.addLast(p);
      if (!draining) {
        draining = true;
        executor().execute(this::drain);
      }
    }
  }

  /**
   * Sends the queued asynchronous sends in order, as batches of consecutive messages with one topic
   * and one queue (one request each), and calls their listeners in send order.
   */
  private void drain() {
    while (true) {
      List<Pending> batch = new ArrayList<>();
      synchronized (this) {
        Pending first = queued.pollFirst();
        if (first == null) {
          draining = false;
          notifyAll();
          return;
        }
        batch.add(first);
        int bytes = first.record().body().length;
        while (!queued.isEmpty()
            && batch.size() < MAX_BATCH
            && batchable(first, queued.peekFirst())
            && bytes + queued.peekFirst().record().body().length <= MAX_BATCH_BYTES) {
          Pending next = queued.pollFirst();
          bytes += next.record().body().length;
          batch.add(next);
        }
        notifyAll();
      }
      JMSException failed = null;
      try {
        if (batch.size() == 1) {
          sendNow(batch.get(0));
        } else {
          sendBatchNow(batch);
        }
      } catch (JMSException e) {
        failed = e;
      }
      for (Pending p : batch) {
        if (failed == null) {
          p.done().onCompletion(p.message());
        } else {
          p.done().onException(p.message(), failed);
        }
      }
    }
  }

  private synchronized void awaitQueuedSent() throws JMSException {
    while (draining || !queued.isEmpty()) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new JMSException("interrupted while earlier asynchronous sends completed");
      }
    }
  }

  /** Whether {@code next} may go in one batch request with {@code first}. */
  private static boolean batchable(Pending first, Pending next) {
    return next.record().topic().equals(first.record().topic())
        && next.shardingKey().equals(first.shardingKey())
        && !delayed(first)
        && !delayed(next);
  }

  /** A message on the timer wheel is sent alone: RocketMQ refuses delays in a batch. */
  private static boolean delayed(Pending p) {
    return p.record().properties().containsKey(Message.TIMER_DELIVER_MS);
  }

  private void sendBatchNow(List<Pending> batch) throws JMSException {
    List<Message> records = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      records.add(p.record());
    }
    try {
      session.connection().producer().sendBatch(records, batch.get(0).shardingKey());
    } catch (ClientException | IllegalArgumentException e) {
      throw JmsExceptions.of(
          "send of " + batch.size() + " messages to " + records.get(0).topic() + " failed", e);
    }
  }

  private void sendNow(Pending p) throws JMSException {
    var producer = session.connection().producer();
    try {
      producer.send(p.record(), p.shardingKey());
    } catch (ClientException first) {
      // The session's queue is on a broker that does not answer: the message goes to another
      // broker of the topic (its order behind the session's earlier messages is lost only then).
      try {
        producer.send(p.record());
      } catch (ClientException | IllegalArgumentException e) {
        e.addSuppressed(first);
        throw JmsExceptions.of("send to " + p.record().topic() + " failed", e);
      }
    } catch (IllegalArgumentException e) {
      throw JmsExceptions.of("send to " + p.record().topic() + " failed", e);
    }
  }

  private synchronized ExecutorService executor() {
    if (async == null) {
      async =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "wharf-jms-send-" + session.id());
                t.setDaemon(true);
                return t;
              });
    }
    return async;
  }

  /**
   * Stores what the transaction buffered, in order, all or none, in one request to one broker
   * ({@code Producer.sendAtomically}); the buffer is dropped either way. A client that dies before
   * the broker received the whole request leaves nothing behind.
   */
  void commit() throws JMSException {
    List<Pending> todo;
    synchronized (buffered) {
      todo = List.copyOf(buffered);
      buffered.clear();
    }
    if (todo.isEmpty()) {
      return;
    }
    List<Message> records = new ArrayList<>(todo.size());
    List<String> keys = new ArrayList<>(todo.size());
    for (Pending p : todo) {
      records.add(p.record());
      keys.add(p.shardingKey());
    }
    try {
      session.connection().producer().sendAtomically(records, keys);
    } catch (ClientException | IllegalArgumentException e) {
      throw JmsExceptions.of("commit of " + todo.size() + " sends failed", e);
    }
  }

  void rollback() {
    synchronized (buffered) {
      buffered.clear();
    }
  }

  /** Waits for the async sends in flight (JMS: close waits for completion listeners). */
  void close() {
    rollback();
    ExecutorService e;
    synchronized (this) {
      e = async;
      async = null;
    }
    if (e != null) {
      e.shutdown();
      try {
        e.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
