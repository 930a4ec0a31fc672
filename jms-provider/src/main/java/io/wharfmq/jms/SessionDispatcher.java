package io.wharfmq.jms;

import io.wharfmq.jms.WharfSession.Delivery;
import io.wharfmq.jms.message.WharfMessage;
import jakarta.jms.JMSException;
import jakarta.jms.MessageListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Delivers messages to the message listeners of one session, one at a time, as JMS requires (a
 * session is single-threaded: JMS 2.0 section 6.2.13). Each consumer with a listener has a fetcher
 * thread that keeps up to {@link WharfMessageConsumer#MAX_POPS_IN_FLIGHT} asynchronous pops in
 * flight into the consumer's ready messages while the connection is started and the prefetch has
 * room (their answers wake it); the one dispatcher thread takes them in turn and calls the
 * listeners. Both threads start with the first listener and end with the session.
 *
 * <p>Thread-safe.
 */
final class SessionDispatcher {
  private static final long IDLE_WAIT_MS = 200;

  private final WharfSession session;
  private final Map<WharfMessageConsumer, Thread> fetchers = new ConcurrentHashMap<>();
  private final Object signal = new Object();

  /** Held while a listener runs: Connection.stop() waits for it. */
  private final ReentrantLock delivering = new ReentrantLock();

  private Thread thread;
  private volatile boolean stopped;

  SessionDispatcher(WharfSession session) {
    this.session = session;
  }

  synchronized void add(WharfMessageConsumer c) {
    if (stopped) {
      return;
    }
    if (!fetchers.containsKey(c)) {
      Thread t = new Thread(() -> fetchLoop(c), "wharf-jms-fetch-" + session.id());
      t.setDaemon(true);
      // in the map before it runs: the loop ends as soon as its consumer is not in the map
      fetchers.put(c, t);
      t.start();
    }
    if (thread == null) {
      thread = new Thread(this::dispatchLoop, "wharf-jms-session-" + session.id());
      thread.setDaemon(true);
      thread.start();
    }
    wake();
  }

  void remove(WharfMessageConsumer c) {
    Thread t = fetchers.remove(c);
    if (t != null) {
      t.interrupt();
    }
  }

  void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  boolean isDispatcherThread() {
    return Thread.currentThread() == thread;
  }

  /** Waits until no listener runs (returns at once on the dispatcher thread itself). */
  void awaitIdle() {
    if (isDispatcherThread()) {
      return;
    }
    delivering.lock();
    delivering.unlock();
  }

  void stop() {
    Thread t;
    synchronized (this) {
      stopped = true;
      t = thread;
    }
    for (WharfMessageConsumer c : List.copyOf(fetchers.keySet())) {
      remove(c);
    }
    wake();
    if (t != null && t != Thread.currentThread()) {
      awaitIdle();
      t.interrupt();
    }
  }

  private boolean running(WharfMessageConsumer c) {
    return !stopped && fetchers.containsKey(c) && !session.isClosed();
  }

  private void fetchLoop(WharfMessageConsumer c) {
    while (running(c)) {
      c.reportPopFailure();
      if (!session.connection().isStarted() || !c.fetchAhead(this::wake)) {
        idle();
      }
    }
  }

  private void idle() {
    synchronized (signal) {
      try {
        signal.wait(IDLE_WAIT_MS);
      } catch (InterruptedException e) {
        // stop() interrupts: the loop condition decides
      }
    }
  }

  private void dispatchLoop() {
    while (!stopped && !session.isClosed()) {
      boolean any = false;
      if (session.connection().isStarted()) {
        for (WharfMessageConsumer c : List.copyOf(fetchers.keySet())) {
          any |= deliverOne(c);
        }
      }
      if (!any) {
        idle();
      }
    }
  }

  private boolean deliverOne(WharfMessageConsumer c) {
    MessageListener l = c.listener();
    if (l == null) {
      return false;
    }
    delivering.lock();
    try {
      if (!session.connection().isStarted() || stopped) {
        return false;
      }
      Delivery d = c.nextReady();
      if (d == null) {
        return false;
      }
      wake(); // the fetcher may pop again
      WharfMessage m;
      try {
        m = c.toJms(d);
        if (m == null) {
          return true;
        }
        session.delivered(d, m, true);
      } catch (JMSException e) {
        session.connection().report(e);
        return true;
      }
      RuntimeException thrown = null;
      try {
        l.onMessage(m);
      } catch (RuntimeException e) {
        thrown = e;
      }
      session.afterListener(d, thrown);
      return true;
    } finally {
      delivering.unlock();
    }
  }
}
