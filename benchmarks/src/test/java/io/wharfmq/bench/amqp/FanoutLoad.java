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
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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
 * <p>Figures of the measured window: sends that returned in it, messages all consumers together
 * received in it, and the broker process' {@code write_bytes} of {@code /proc/<pid>/io} (bytes it
 * caused to be written to the block layer: file writes and pages dirtied through memory maps,
 * counted when dirtied; for RabbitMQ the {@code beam.smp} process) read at its start and end,
 * divided by the sends, and which threads of the broker wrote most ({@code /proc/<pid>/task}).
 * After the window it waits up to {@link #DRAIN} s for every queue to get every message of the
 * window, so a shortfall or a duplicate shows. The topology is deleted after the run. Used from the
 * main thread; the JMS client's threads call the listeners.
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
   * One run's figures. Rates per second of the window; {@code writeBytes}: the broker's {@code
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
      long writeBytes,
      long cancelledWriteBytes,
      double brokerCpuSec,
      double stealPercent,
      String writers,
      String firstError) {

    /** Broker bytes written per message published in the window; NaN without either. */
    double bytesPerMessage() {
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
      if (writeBytes < 0) {
        n.add("write_bytes unreadable");
      }
      if (!writers.isEmpty()) {
        n.add("writers: " + writers);
      }
      if (cancelledWriteBytes > 0) {
        n.add(String.format("cancelled_write_bytes %,d", cancelledWriteBytes));
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
    broker.declareFanout(exchange, queues, BINDING_KEY);
    JmsConnectionFactory factory =
        new JmsConnectionFactory(broker.uri("jms.sendTimeout=60000&jms.requestTimeout=60000"));
    AtomicReference<Window> current = new AtomicReference<>();
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
              Window w = current.get();
              if (w != null) {
                w.received(index, body(m), now);
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
        // Attach the link and warm the path before the clock starts (run id 0: never counted).
        sender.send(0, 0);
        senders.add(sender);
      }

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
      long[] io0 = writeBytes(broker.pid());
      Map<String, Long> threads0 = threadWrites(broker.pid());
      long[] steal0 = HostCpu.stealAndTotalTicks();
      LockSupport.parkNanos(measureEnd - System.nanoTime());
      double cpu1 = HostCpu.processCpuSeconds(broker.pid());
      long[] io1 = writeBytes(broker.pid());
      Map<String, Long> threads1 = threadWrites(broker.pid());
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
          io ? io1[0] - io0[0] : -1,
          io ? io1[1] - io0[1] : 0,
          cpu1 - cpu0,
          steal,
          topWriters(threads0, threads1),
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

  /**
   * {write_bytes, cancelled_write_bytes} of process {@code pid} ({@code /proc/<pid>/io}, every
   * thread of the process, live or exited), or {-1, -1} when unreadable (not Linux, no permission).
   */
  static long[] writeBytes(long pid) {
    long write = -1;
    long cancelled = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "io"))) {
        if (line.startsWith("write_bytes:")) {
          write = Long.parseLong(line.substring("write_bytes:".length()).strip());
        } else if (line.startsWith("cancelled_write_bytes:")) {
          cancelled = Long.parseLong(line.substring("cancelled_write_bytes:".length()).strip());
        }
      }
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
    return write < 0 || cancelled < 0 ? new long[] {-1, -1} : new long[] {write, cancelled};
  }

  /**
   * write_bytes of each thread of process {@code pid} summed by thread name with digit runs as
   * {@code #} ({@code amqp-io-#-#}, {@code #_scheduler}); empty when unreadable. Threads that exit
   * between two readings drop out of the difference (the process total keeps them).
   */
  static Map<String, Long> threadWrites(long pid) {
    Map<String, Long> byName = new TreeMap<>();
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        try {
          String name = Files.readString(task.resolve("comm")).strip().replaceAll("\\d+", "#");
          for (String line : Files.readAllLines(task.resolve("io"))) {
            if (line.startsWith("write_bytes:")) {
              long bytes = Long.parseLong(line.substring("write_bytes:".length()).strip());
              byName.merge(name, bytes, Long::sum);
            }
          }
        } catch (IOException | RuntimeException e) {
          // The thread exited meanwhile.
        }
      }
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    return byName;
  }

  /** The three thread names that wrote most between two readings, with their share. */
  static String topWriters(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> delta = new TreeMap<>();
    after.forEach(
        (name, bytes) -> {
          long d = bytes - before.getOrDefault(name, 0L);
          if (d > 0) {
            delta.put(name, d);
          }
        });
    long total = delta.values().stream().mapToLong(Long::longValue).sum();
    if (total == 0) {
      return "";
    }
    List<String> top = new ArrayList<>();
    delta.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(3)
        .forEach(
            e ->
                top.add(
                    String.format(
                        Locale.ROOT, "%s %.0f %%", e.getKey(), 100.0 * e.getValue() / total)));
    return String.join(", ", top);
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
