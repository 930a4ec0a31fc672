package io.wharfmq.bench.amqp;

import io.wharfmq.bench.e2e.HostCpu;
import io.wharfmq.bench.e2e.Stamp;
import jakarta.jms.BytesMessage;
import jakarta.jms.CompletionListener;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * One measured run of a JMS client against one broker ({@link JmsTarget}: Qpid JMS against an
 * {@link AmqpBroker}, or the clients of bin/bench-jms): N producer threads, each with its own
 * connection, session and producer, send persistent {@code BytesMessage}s to a queue of the run's
 * own (created before, deleted after it, so no run inherits another's backlog); one consumer (its
 * own connection, AUTO_ACKNOWLEDGE, a {@code MessageListener}) times every message against the
 * intended send time stamped in its body ({@link Stamp}).
 *
 * <p>Sends are blocking (Qpid JMS' default for persistent messages: {@code send} returns when the
 * broker has accepted, i.e. stored, the message) or asynchronous ({@code jms.forceAsyncSend=true}:
 * {@code send} returns once the message is written to the socket, the broker's credit bounds what
 * is in flight); for clients whose asynchronous sends take a {@code CompletionListener}, at most
 * {@link #ASYNC_IN_FLIGHT} per producer are in flight (what Artemis' AMQP acceptor credits Qpid
 * JMS). Closed loop (rate 0): each thread sends as soon as its previous send returned. Open loop
 * (rate R): message k of thread i is due at t0 + (k + i/N)·N/R and keeps its due time as the
 * intended send time when the thread is late, so stalls count in full (as in bin/bench-e2e). Used
 * from the main thread; the JMS client's threads call the listener.
 */
final class JmsLoad {
  private static final AtomicInteger RUN_IDS = new AtomicInteger(1);
  private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** Seconds to wait after the window for the rest of the window's messages. */
  static final int DRAIN = 30;

  static final int DRAIN_ASYNC = 10;

  /** Asynchronous sends with a CompletionListener a producer may have unanswered. */
  static final int ASYNC_IN_FLIGHT = 1000;

  record Spec(
      int producers,
      double rate,
      boolean asyncSends,
      int bodyBytes,
      Duration warmup,
      Duration measure) {
    boolean openLoop() {
      return rate > 0;
    }
  }

  /**
   * One run's figures. {@code sentPerSec}: sends of the window that returned without error; {@code
   * consumedPerSec}: messages of this run the consumer received during the window (by receive time:
   * the figure of asynchronous sends). Latencies in ms.
   */
  record Result(
      Spec spec,
      double sentPerSec,
      double consumedPerSec,
      long failed,
      long skipped,
      long notConsumed,
      double drainMillis,
      double sendP50Ms,
      double sendP99Ms,
      double p50Ms,
      double p99Ms,
      double p999Ms,
      double maxMs,
      double brokerCpuSec,
      double stealPercent,
      String firstError) {

    /** The table's throughput: what the consumer got for asynchronous sends, else what was sent. */
    double rate() {
      return spec.asyncSends() ? consumedPerSec : sentPerSec;
    }

    /** Messages per broker CPU-second in the window. */
    double perCpuSecond() {
      return rate() * spec.measure().toNanos() / 1e9 / brokerCpuSec;
    }

    String notes() {
      List<String> n = new ArrayList<>();
      if (failed > 0) {
        n.add(failed + " send failures (" + firstError + ")");
      }
      if (notConsumed > 0) {
        n.add(
            spec.asyncSends()
                ? String.format(
                    "backlog: %d of the window's messages not consumed %d s after it",
                    notConsumed, DRAIN_ASYNC)
                : String.format(
                    "%d sent but not consumed %d s after the window", notConsumed, DRAIN));
      }
      if (skipped > 0) {
        n.add("fell behind: " + skipped + " not sent");
      }
      if (spec.openLoop() && sentPerSec < 0.95 * spec.rate()) {
        n.add("below target");
      }
      if (stealPercent >= 5) {
        n.add(String.format("CPU steal %.0f %%", stealPercent));
      }
      if (drainMillis > 1000 && notConsumed == 0) {
        n.add(String.format("backlog: drained %.1f s after the window", drainMillis / 1000));
      }
      return String.join("; ", n);
    }
  }

  /** Counters and histograms of one run; written by producer and consumer threads. */
  private static final class Window {
    final int runId;
    final long start;
    final long end;
    final Histogram endToEnd = new ConcurrentHistogram(MAX_NANOS, 3);
    final Histogram sendCall = new ConcurrentHistogram(MAX_NANOS, 3);
    final LongAdder sent = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder skipped = new LongAdder();

    /** Messages intended in the window and consumed (any time). */
    final LongAdder consumed = new LongAdder();

    /** Messages of this run consumed during the window. */
    final LongAdder consumedDuring = new LongAdder();

    final AtomicReference<String> firstError = new AtomicReference<>();
    volatile long lastConsume;

    Window(int runId, long start, long end) {
      this.runId = runId;
      this.start = start;
      this.end = end;
    }

    boolean inWindow(long nanos) {
      return nanos >= start && nanos < end;
    }

    void received(byte[] body, long now) {
      if (Stamp.runId(body) != runId) {
        return; // a message of an earlier run, or a priming message
      }
      if (inWindow(now)) {
        consumedDuring.increment();
      }
      long intended = Stamp.intendedNanos(body);
      if (inWindow(intended)) {
        record(endToEnd, now - intended);
        consumed.increment();
        lastConsume = now;
      }
    }

    void failed(Exception e) {
      failed.increment();
      firstError.compareAndSet(null, e.toString());
    }
  }

  private JmsLoad() {}

  static Result run(JmsTarget broker, Spec spec) throws Exception {
    int runId = RUN_IDS.getAndIncrement();
    String queue = AmqpBenchmark.QUEUE + "-" + runId;
    broker.createQueue(queue);
    ConnectionFactory factory = broker.connectionFactory(spec.asyncSends());
    boolean withListener = spec.asyncSends() && broker.completionListenerSends();
    AtomicReference<Window> current = new AtomicReference<>();
    List<Connection> connections = new ArrayList<>();
    try {
      Connection consumerConnection = factory.createConnection();
      connections.add(consumerConnection);
      Session cs = consumerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
      MessageConsumer consumer = cs.createConsumer(cs.createQueue(broker.address(queue)));
      consumer.setMessageListener(
          m -> {
            long now = System.nanoTime();
            Window w = current.get();
            if (w != null) {
              w.received(body(m), now);
            }
          });
      consumerConnection.start();

      List<Sender> senders = new ArrayList<>();
      for (int i = 0; i < spec.producers(); i++) {
        Connection c = factory.createConnection();
        connections.add(c);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(s.createQueue(broker.address(queue)));
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        Sender sender = new Sender(s, p, spec.bodyBytes(), withListener);
        // Attach the link and warm the path before the clock starts (run id 0: never counted).
        sender.send(0, 0, null);
        senders.add(sender);
      }

      long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
      long measureStart = t0 + spec.warmup().toNanos();
      long measureEnd = measureStart + spec.measure().toNanos();
      long hardStop = measureEnd + TimeUnit.SECONDS.toNanos(5);
      Window w = new Window(runId, measureStart, measureEnd);
      current.set(w);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < senders.size(); i++) {
        Sender sender = senders.get(i);
        int index = i;
        Thread t =
            new Thread(
                () -> sendLoop(sender, spec, w, index, t0, hardStop), "bench-amqp-send-" + i);
        threads.add(t);
        t.start();
      }
      LockSupport.parkNanos(measureStart - System.nanoTime());
      double cpu0 = HostCpu.processCpuSeconds(broker.pid());
      long[] steal0 = HostCpu.stealAndTotalTicks();
      LockSupport.parkNanos(measureEnd - System.nanoTime());
      double cpu1 = HostCpu.processCpuSeconds(broker.pid());
      double steal = HostCpu.percent(steal0, HostCpu.stealAndTotalTicks());
      for (Thread t : threads) {
        t.join();
      }
      for (Sender s : senders) {
        s.awaitAnswers();
      }
      long sent = w.sent.sum();
      // Blocking sends: wait for every message of the window (a shortfall is a loss). Asynchronous
      // sends may leave a backlog by design: wait less, the figure is the consumer's rate.
      long drainDeadline =
          System.nanoTime() + TimeUnit.SECONDS.toNanos(spec.asyncSends() ? DRAIN_ASYNC : DRAIN);
      while (w.consumed.sum() < sent && System.nanoTime() < drainDeadline) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
      current.set(null);
      double seconds = spec.measure().toNanos() / 1e9;
      return new Result(
          spec,
          sent / seconds,
          w.consumedDuring.sum() / seconds,
          w.failed.sum(),
          w.skipped.sum(),
          Math.max(0, sent - w.consumed.sum()),
          Math.max(0, w.lastConsume - measureEnd) / 1e6,
          ms(w.sendCall.getValueAtPercentile(50)),
          ms(w.sendCall.getValueAtPercentile(99)),
          ms(w.endToEnd.getValueAtPercentile(50)),
          ms(w.endToEnd.getValueAtPercentile(99)),
          ms(w.endToEnd.getValueAtPercentile(99.9)),
          ms(w.endToEnd.getMaxValue()),
          cpu1 - cpu0,
          steal,
          w.firstError.get());
    } finally {
      for (Connection c : connections) {
        try {
          c.close();
        } catch (JMSException e) {
          System.err.println("closing a connection to " + broker.kind() + ": " + e);
        }
      }
      try {
        broker.deleteQueue(queue);
      } catch (Exception e) {
        System.err.println("deleting " + queue + " on " + broker.kind() + ": " + e);
      }
    }
  }

  /**
   * One producer thread's JMS objects (a JMS session is single-threaded), and with {@code
   * withListener} the permits of its sends in flight (released by the client's completion thread).
   */
  private static final class Sender {
    final Session session;
    final MessageProducer producer;
    final byte[] body;
    final Semaphore inFlight;

    Sender(Session session, MessageProducer producer, int bodyBytes, boolean withListener) {
      this.session = session;
      this.producer = producer;
      this.body = new byte[bodyBytes];
      this.inFlight = withListener ? new Semaphore(ASYNC_IN_FLIGHT) : null;
      ThreadLocalRandom.current().nextBytes(body);
    }

    /** Sends; {@code w}: the window that counts a failure answered later, or null. */
    void send(long intended, int runId, Window w) throws JMSException {
      Stamp.write(body, intended, runId);
      BytesMessage m = session.createBytesMessage();
      m.writeBytes(body);
      if (inFlight == null || runId == 0) {
        producer.send(m);
        return;
      }
      inFlight.acquireUninterruptibly();
      try {
        producer.send(m, answered(w != null && w.inWindow(intended) ? w : null));
      } catch (JMSException | RuntimeException e) {
        inFlight.release(); // refused at once: no answer will come
        throw e;
      }
    }

    private CompletionListener answered(Window w) {
      return new CompletionListener() {
        @Override
        public void onCompletion(Message message) {
          inFlight.release();
        }

        @Override
        public void onException(Message message, Exception e) {
          inFlight.release();
          if (w != null) {
            w.failed(e);
          }
        }
      };
    }

    /** Waits (a minute at most) until every asynchronous send has its answer. */
    void awaitAnswers() throws InterruptedException {
      if (inFlight != null && inFlight.tryAcquire(ASYNC_IN_FLIGHT, 60, TimeUnit.SECONDS)) {
        inFlight.release(ASYNC_IN_FLIGHT);
      }
    }
  }

  private static void sendLoop(
      Sender sender, Spec spec, Window w, int index, long t0, long hardStop) {
    long interval = spec.openLoop() ? (long) (1e9 * spec.producers() / spec.rate()) : 0;
    long due = t0 + interval * index / spec.producers();
    while (true) {
      long intended;
      if (spec.openLoop()) {
        intended = due;
        due += interval;
        if (intended >= w.end) {
          break;
        }
        long now;
        while ((now = System.nanoTime()) < intended) {
          LockSupport.parkNanos(intended - now);
        }
        if (now > hardStop) {
          w.skipped.add(Math.max(0, (w.end - Math.max(intended, w.start)) / interval));
          break;
        }
      } else {
        intended = System.nanoTime();
        if (intended >= w.end) {
          break;
        }
      }
      long callStart = System.nanoTime();
      try {
        sender.send(intended, w.runId, w);
        if (w.inWindow(intended)) {
          w.sent.increment();
          record(w.sendCall, System.nanoTime() - callStart);
        }
      } catch (JMSException | RuntimeException e) {
        if (w.inWindow(intended)) {
          w.failed(e);
        }
      }
    }
  }

  private static byte[] body(Message m) {
    try {
      BytesMessage b = (BytesMessage) m;
      byte[] body = new byte[(int) b.getBodyLength()];
      b.readBytes(body);
      return body;
    } catch (JMSException | ClassCastException e) {
      // Not one of ours: a stamp of zeros belongs to no run.
      return new byte[Stamp.LENGTH];
    }
  }

  private static void record(Histogram h, long nanos) {
    h.recordValue(Math.max(0, Math.min(nanos, MAX_NANOS)));
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
