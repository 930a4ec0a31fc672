package io.wharfmq.jms;

import io.wharfmq.client.ClientException;
import io.wharfmq.client.Message;
import jakarta.jms.CompletionListener;
import jakarta.jms.JMSException;
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
      sendNow(p);
      return;
    }
    executor()
        .execute(
            () -> {
              try {
                sendNow(p);
              } catch (JMSException e) {
                p.done().onException(p.message(), e);
                return;
              }
              p.done().onCompletion(p.message());
            });
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
