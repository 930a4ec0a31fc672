package io.wharfmq.bench.amqp;

import io.wharfmq.bench.e2e.HostCpu;
import io.wharfmq.bench.e2e.Stamp;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.qpid.jms.JmsConnectionFactory;

/**
 * One measured fan-out run of Qpid JMS against one {@link ExchangeBroker}: a fresh durable topic
 * exchange with N fresh durable queues, each bound with {@code bench.*}; P producer threads (own
 * connection, session and producer each) send persistent {@code BytesMessage}s with blocking sends
 * (Qpid JMS' default for persistent messages: {@code send} returns once the broker accepted the
 * message) to the exchange with routing key {@code bench.fanout}, closed loop; one consumer per
 * queue (AUTO_ACKNOWLEDGE, a {@code MessageListener}, its own session; {@link
 * #CONSUMERS_PER_CONNECTION} consumers share a connection) counts what it gets.
 *
 * <p>The clock starts once every queue's consumer got each producer's {@link #PRIMING_MESSAGES}
 * priming messages, so the files a broker makes for a fresh queue are not counted (the time that
 * took is in the notes when it is 2 s or more). Figures of the measured window: sends that returned
 * in it, messages all consumers together received in it, and the bytes written to the block device
 * that holds the broker's data directory ({@link DiskWrites#deviceWrittenBytes}: every writer of
 * that device counts, so run on a quiet machine) divided by the sends; the broker process' own
 * {@code write_bytes} and which of its threads dirtied most go to the notes. After the window it
 * waits up to {@link #DRAIN} s for every queue to get every message of the window, so a shortfall
 * or a duplicate shows. The topology is deleted after the run. Used from the main thread; the JMS
 * client's threads call the listeners.
 */
final class FanoutLoad {
  private static final AtomicInteger RUN_IDS = new AtomicInteger(1);

  /** Exchange and queue names start with this; each run has its own. */
  static final String PREFIX = "BenchFanout";

  static final String BINDING_KEY = "bench.*";
  static final String ROUTING_KEY = "bench.fanout";
  static final int CONSUMERS_PER_CONNECTION = 25;

  /** Seconds to wait after the window for every queue to get the window's messages. */
  static final int DRAIN = 30;

  record Spec(int queues, int producers, int bodyBytes, Duration warmup, Duration measure) {}

  /**
   * One run's figures. Rates per second of the window; {@code deviceBytes}: bytes written to the
   * data directory's device over the window; {@code writeBytes}: the broker process' {@code
   * write_bytes} over the window ({@code cancelledWriteBytes} likewise: dirtied pages of files
   * truncated or deleted before they were written back); {@code fewestPerQueue} / {@code
   * mostPerQueue}: the least and most messages of the window one queue's consumer got (both equal
   * {@code published} when every queue got every message once).
   */
  record Result(
      Spec spec,
      double publishedPerSec,
      double deliveredPerSec,
      long published,
      long failed,
      long fewestPerQueue,
      long mostPerQueue,
      long deviceBytes,
      String deviceName,
      long writeBytes,
      long cancelledWriteBytes,
      double brokerCpuSec,
      double stealPercent,
      String writers,
      double primingSeconds,
      String firstError) {

    /** Bytes written to the data directory's device per message published in the window. */
    double bytesPerMessage() {
      return published == 0 || deviceBytes < 0 ? Double.NaN : (double) deviceBytes / published;
    }

    /** The broker process' write_bytes per message published in the window (see DiskWrites). */
    double writeBytesPerMessage() {
      return published == 0 || writeBytes < 0 ? Double.NaN : (double) writeBytes / published;
    }

    /** Broker CPU microseconds per delivered message. */
    double cpuMicrosPerDelivery() {
      double delivered = deliveredPerSec * spec.measure().toNanos() / 1e9;
      return delivered == 0 ? Double.NaN : brokerCpuSec * 1e6 / delivered;
    }

    String notes() {
      List<String> n = new ArrayList<>();
      if (failed > 0) {
        n.add(failed + " send failures (" + firstError + ")");
      }
      if (fewestPerQueue < published) {
        n.add(
            String.format(
                "a queue got only %d of the window's %d messages %d s after it",
                fewestPerQueue, published, DRAIN));
      }
      if (mostPerQueue > published) {
        n.add(
            String.format(
                "a queue got %d deliveries of the window's %d messages (redeliveries)",
                mostPerQueue, published));
      }
      if (deviceBytes < 0) {
        n.add("device writes unreadable");
      }
      if (writeBytes < 0) {
        n.add("write_bytes unreadable");
      } else {
        n.add(
            String.format(Locale.ROOT, "process write_bytes %,.0f B/msg", writeBytesPerMessage()));
      }
      if (!writers.isEmpty()) {
        n.add("writers: " + writers);
      }
      if (cancelledWriteBytes > 0) {
        n.add(String.format("cancelled_write_bytes %,d", cancelledWriteBytes));
      }
      if (primingSeconds >= 2) {
        n.add(String.format(Locale.ROOT, "fresh queues primed in %.1f s", primingSeconds));
      }
      if (stealPercent >= 5) {
        n.add(String.format("CPU steal %.0f %%", stealPercent));
      }
      return String.join("; ", n);
    }
  }

  /** Counters of one run; written by producer and listener threads. */
  private static final class Window {
    final int runId;
    final long start;
    final long end;
    final LongAdder sent = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder deliveredDuring = new LongAdder();
    final LongAdder[] perQueue;
    final AtomicReference<String> firstError = new AtomicReference<>();

    Window(int runId, long start, long end, int queues) {
      this.runId = runId;
      this.start = start;
      this.end = end;
      this.perQueue = new LongAdder[queues];
      for (int i = 0; i < queues; i++) {
        perQueue[i] = new LongAdder();
      }
    }

    boolean inWindow(long nanos) {
      return nanos >= start && nanos < end;
    }

    void received(int queue, byte[] body, long now) {
      if (Stamp.runId(body) != runId) {
        return; // a priming message
      }
      if (inWindow(now)) {
        deliveredDuring.increment();
      }
      if (inWindow(Stamp.intendedNanos(body))) {
        perQueue[queue].increment();
      }
    }

    long fewest() {
      long min = Long.MAX_VALUE;
      for (LongAdder a : perQueue) {
        min = Math.min(min, a.sum());
      }
      return min;
    }

    long most() {
      long max = 0;
      for (LongAdder a : perQueue) {
        max = Math.max(max, a.sum());
      }
      return max;
    }

    void failed(Exception e) {
      failed.increment();
      firstError.compareAndSet(null, e.toString());
    }
  }

  private FanoutLoad() {}

  /** The run id of each producer's priming messages, sent before the clock starts. */
  static final int PRIMING = 0;

  /**
   * Priming messages per producer: enough that an exchange publish, which Wharf stores under a
   * queue id picked at random (of 8 by default), has reached every queue id of every queue (missing
   * one has odds (7/8)^(32 x producers)).
   */
  static final int PRIMING_MESSAGES = 32;

  static final int PRIMING_WAIT = 180;

  /**
   * Waits (up to {@link #PRIMING_WAIT} s) until every consumer got every priming message: a fresh
   * queue's first messages make the broker create that queue's files (Wharf zero-fills a 6 MB
   * consume-queue file per queue and queue id, on its dispatcher thread), a cost of making queues
   * rather than of publishing, which stays out of the window this way. Returns the seconds it took;
   * past the wait the run goes on, with a line on stderr.
   */
  private static double awaitPriming(LongAdder primed, long expected, ExchangeBroker broker)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(PRIMING_WAIT);
    while (primed.sum() < expected && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
    if (primed.sum() < expected) {
      System.err.printf(
          "%s: only %d of %d priming deliveries after %d s; measuring anyway%n",
          broker.kind(), primed.sum(), expected, PRIMING_WAIT);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** The queue names of a run's exchange. */
  static List<String> queueNames(String exchange, int queues) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < queues; i++) {
      names.add(exchange + "-q" + i);
    }
    return names;
  }

  static Result run(ExchangeBroker broker, Spec spec) throws Exception {
    int runId = RUN_IDS.getAndIncrement();
    String exchange = PREFIX + "-" + runId;
    List<String> queues = queueNames(exchange, spec.queues());
    Path device = DiskWrites.deviceStat(broker.dataDir());
    broker.declareFanout(exchange, queues, BINDING_KEY);
    JmsConnectionFactory factory =
        new JmsConnectionFactory(broker.uri("jms.sendTimeout=60000&jms.requestTimeout=60000"));
    AtomicReference<Window> current = new AtomicReference<>();
    LongAdder primed = new LongAdder();
    List<Connection> connections = new ArrayList<>();
    try {
      Connection consumerConnection = null;
      for (int i = 0; i < queues.size(); i++) {
        if (i % CONSUMERS_PER_CONNECTION == 0) {
          consumerConnection = factory.createConnection();
          connections.add(consumerConnection);
        }
        Session cs = consumerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer =
            cs.createConsumer(cs.createQueue(broker.queueAddress(queues.get(i))));
        int index = i;
        consumer.setMessageListener(
            m -> {
              long now = System.nanoTime();
              byte[] body = body(m);
              Window w = current.get();
              if (w != null) {
                w.received(index, body, now);
              } else if (Stamp.runId(body) == PRIMING) {
                primed.increment();
              }
            });
      }
      for (Connection c : connections) {
        c.start();
      }

      String target = broker.exchangeAddress(exchange, ROUTING_KEY);
      List<Sender> senders = new ArrayList<>();
      for (int i = 0; i < spec.producers(); i++) {
        Connection c = factory.createConnection();
        connections.add(c);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer p = s.createProducer(s.createQueue(target));
        p.setDeliveryMode(DeliveryMode.PERSISTENT);
        Sender sender = new Sender(s, p, spec.bodyBytes());
        senders.add(sender);
      }
      long primingStart = System.nanoTime();
      for (Sender sender : senders) {
        for (int k = 0; k < PRIMING_MESSAGES; k++) {
          sender.send(0, PRIMING);
        }
      }
      double primingSeconds =
          (System.nanoTime() - primingStart) / 1e9
              + awaitPriming(
                  primed, (long) spec.producers() * PRIMING_MESSAGES * queues.size(), broker);

      long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
      long measureStart = t0 + spec.warmup().toNanos();
      long measureEnd = measureStart + spec.measure().toNanos();
      Window w = new Window(runId, measureStart, measureEnd, queues.size());
      current.set(w);
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < senders.size(); i++) {
        Sender sender = senders.get(i);
        Thread t = new Thread(() -> sendLoop(sender, w), "bench-fanout-send-" + i);
        threads.add(t);
        t.start();
      }
      LockSupport.parkNanos(measureStart - System.nanoTime());
      double cpu0 = HostCpu.processCpuSeconds(broker.pid());
      long[] io0 = DiskWrites.writeBytes(broker.pid());
      long device0 = DiskWrites.deviceWrittenBytes(device);
      Map<String, Long> threads0 = DiskWrites.threadWrites(broker.pid());
      long[] steal0 = HostCpu.stealAndTotalTicks();
      LockSupport.parkNanos(measureEnd - System.nanoTime());
      double cpu1 = HostCpu.processCpuSeconds(broker.pid());
      long[] io1 = DiskWrites.writeBytes(broker.pid());
      long device1 = DiskWrites.deviceWrittenBytes(device);
      Map<String, Long> threads1 = DiskWrites.threadWrites(broker.pid());
      double steal = HostCpu.percent(steal0, HostCpu.stealAndTotalTicks());
      for (Thread t : threads) {
        t.join();
      }
      long sent = w.sent.sum();
      long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN);
      while (w.fewest() < sent && System.nanoTime() < drainDeadline) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
      current.set(null);
      double seconds = spec.measure().toNanos() / 1e9;
      boolean io = io0[0] >= 0 && io1[0] >= 0;
      return new Result(
          spec,
          sent / seconds,
          w.deliveredDuring.sum() / seconds,
          sent,
          w.failed.sum(),
          w.fewest(),
          w.most(),
          device0 >= 0 && device1 >= 0 ? device1 - device0 : -1,
          DiskWrites.deviceName(device),
          io ? io1[0] - io0[0] : -1,
          io ? io1[1] - io0[1] : 0,
          cpu1 - cpu0,
          steal,
          DiskWrites.topWriters(threads0, threads1),
          primingSeconds,
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
        broker.deleteFanout(exchange, queues);
      } catch (Exception e) {
        System.err.println("deleting " + exchange + " on " + broker.kind() + ": " + e);
      }
    }
  }

  /** One producer thread's JMS objects (a JMS session is single-threaded). */
  private static final class Sender {
    final Session session;
    final MessageProducer producer;
    final byte[] body;

    Sender(Session session, MessageProducer producer, int bodyBytes) {
      this.session = session;
      this.producer = producer;
      this.body = new byte[Math.max(bodyBytes, Stamp.LENGTH)];
      ThreadLocalRandom.current().nextBytes(body);
    }

    void send(long intended, int runId) throws JMSException {
      Stamp.write(body, intended, runId);
      BytesMessage m = session.createBytesMessage();
      m.writeBytes(body);
      producer.send(m);
    }
  }

  /** Closed loop: each send as soon as the previous one returned, until the window's end. */
  private static void sendLoop(Sender sender, Window w) {
    while (true) {
      long intended = System.nanoTime();
      if (intended >= w.end) {
        return;
      }
      try {
        sender.send(intended, w.runId);
        if (w.inWindow(intended)) {
          w.sent.increment();
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
      return new byte[Stamp.LENGTH]; // not one of ours: run id 0
    }
  }
}
