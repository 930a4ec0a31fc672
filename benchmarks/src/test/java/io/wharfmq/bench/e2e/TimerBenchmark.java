package io.wharfmq.bench.e2e;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Timer benchmark: a Wharf broker in a child JVM with a 1 GiB heap (the e2e flags, timer keys at
 * their defaults); the official RocketMQ client in this JVM loads {@code --count} timer messages
 * (TIMER_DELIVER_MS) whose delivery times are spread evenly over {@code --span-seconds}, starting
 * {@code --load-seconds} after the run starts, so all of them are pending at once when the load
 * finishes in time. A push consumer measures, for every message, lateness = consume time - intended
 * delivery time, and the broker-side lateness = store time of the delivered copy - intended time
 * (without the consumer's own queueing). Between the end of the load and the first due time, {@code
 * --delay-count} delay-level messages (level 2, 5 s) are sent at 1,000/s and measured the same way
 * against born time + 5 s, with all the timers pending. Prints the broker's heap (after a full GC
 * at the peak of pending timers, and the maximum sampled) and markdown rows. Progress on stderr.
 * Single-threaded driver; the listener runs on client threads.
 */
public final class TimerBenchmark {
  static final String TOPIC = "BenchTimer";
  static final String DELAY_TOPIC = "BenchDelay";
  static final long MAX_MS = TimeUnit.HOURS.toMillis(1);

  private TimerBenchmark() {}

  /** Lateness histograms (ms) of one kind of message; thread-safe. */
  static final class Lateness {
    final Histogram consumed = new ConcurrentHistogram(MAX_MS, 3);
    final Histogram stored = new ConcurrentHistogram(MAX_MS, 3);
    final AtomicLong early = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final BitSet seen;
    final AtomicLong count = new AtomicLong();

    Lateness(int n) {
      seen = new BitSet(n);
    }

    void record(int index, long intendedMs, long consumedMs, long storedMs) {
      synchronized (seen) {
        if (seen.get(index)) {
          duplicates.incrementAndGet();
          return;
        }
        seen.set(index);
      }
      if (storedMs < intendedMs || consumedMs < intendedMs) {
        early.incrementAndGet();
      }
      consumed.recordValue(Math.min(MAX_MS, Math.max(0, consumedMs - intendedMs)));
      stored.recordValue(Math.min(MAX_MS, Math.max(0, storedMs - intendedMs)));
      count.incrementAndGet();
    }

    String row(String kind, long n) {
      return String.format(
          Locale.ROOT,
          "| %s | %,d | %,d | %d / %d / %d | %d / %d / %d | %d | %d |",
          kind,
          n,
          count.get(),
          stored.getValueAtPercentile(50),
          stored.getValueAtPercentile(99),
          stored.getMaxValue(),
          consumed.getValueAtPercentile(50),
          consumed.getValueAtPercentile(99),
          consumed.getMaxValue(),
          early.get(),
          duplicates.get());
    }
  }

  record Options(int count, int loadSeconds, int spanSeconds, int delayCount, int inFlight) {
    static Options parse(String[] args) {
      int count = 1_000_000;
      int load = 600;
      int span = 180;
      int delay = 20_000;
      int inFlight = 500;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--count" -> count = Integer.parseInt(args[++i]);
          case "--load-seconds" -> load = Integer.parseInt(args[++i]);
          case "--span-seconds" -> span = Integer.parseInt(args[++i]);
          case "--delay-count" -> delay = Integer.parseInt(args[++i]);
          case "--in-flight" -> inFlight = Integer.parseInt(args[++i]);
          default -> {
            System.out.println(
                "usage: TimerBenchmark [--count 1000000] [--load-seconds 600] [--span-seconds 180]"
                    + " [--delay-count 20000] [--in-flight 500]");
            System.exit(args[i].equals("--help") ? 0 : 2);
          }
        }
      }
      return new Options(count, load, span, delay, inFlight);
    }
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Path root = Files.createTempDirectory("wharf-bench-timer-");
    int status = 0;
    try (BrokerProcess broker = BrokerProcess.start("wharf", "ASYNC", root, null)) {
      run(o, broker);
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    } finally {
      BrokerProcess.deleteTree(root);
    }
    // The RocketMQ client leaves non-daemon threads behind after shutdown().
    System.exit(status);
  }

  private static void run(Options o, BrokerProcess broker) throws Exception {
    DefaultMQProducer producer = new DefaultMQProducer("bench-timer-pg");
    producer.setNamesrvAddr(broker.namesrvAddr);
    producer.setInstanceName("bench-timer-p");
    producer.setSendMsgTimeout(30_000);
    producer.setRetryTimesWhenSendAsyncFailed(5);
    producer.setDefaultTopicQueueNums(8);
    producer.start();
    Lateness timers = new Lateness(o.count());
    Lateness delays = new Lateness(o.delayCount());
    // Create both topics before the consumers start (the client learns new routes every 30 s).
    DefaultMQPushConsumer consumer = null;
    HeapProbe heap = new HeapProbe(broker.pid());
    try {
      sendPatiently(producer, new Message(TOPIC, body(-1, 0)));
      sendPatiently(producer, new Message(DELAY_TOPIC, body(-1, 0)));
      consumer = consumer(broker.namesrvAddr, timers, delays);
      long t0 = System.currentTimeMillis();
      long firstDue = t0 + o.loadSeconds() * 1000L;
      long spanMs = o.spanSeconds() * 1000L;
      log("loading %,d timers due from +%d s over %d s", o.count(), o.loadSeconds(), spanMs / 1000);
      int resent = load(producer, o, firstDue, spanMs);
      long loaded = System.currentTimeMillis();
      log(
          "loaded in %.1f s (%,.0f msg/s)",
          (loaded - t0) / 1000.0, o.count() * 1000.0 / (loaded - t0));
      if (loaded > firstDue) {
        log("WARNING: the load ended after the first timer was due; fewer than all were pending");
      }
      long liveHeap = heap.liveBytesAfterGc();
      log("broker heap after a full GC with the timers pending: %d MiB", liveHeap >> 20);
      // Delay levels while all the timers are pending (before the first is due).
      log("delay levels: %,d messages at 1,000/s, level 2 (5 s)", o.delayCount());
      sendDelayed(producer, o.delayCount());
      awaitCount(delays, o.delayCount(), System.currentTimeMillis() + 60_000, heap);
      if (System.currentTimeMillis() > firstDue) {
        log("WARNING: the delay-level phase ran into the timers' delivery");
      }
      awaitCount(timers, o.count(), firstDue + spanMs + 60_000, heap);
      System.out.printf(
          Locale.ROOT,
          "%nTimers: %,d loaded in %.0f s (%,d sent again after a failed send: duplicates up to that"
              + " many are the client's); broker heap %d MiB live after GC at the peak, %d MiB max"
              + " sampled (-Xmx1g)%n%n",
          o.count(),
          (loaded - t0) / 1000.0,
          resent,
          liveHeap >> 20,
          heap.maxUsed >> 20);
      System.out.println(
          "| kind | sent | consumed | store lateness p50 / p99 / max ms | consume lateness p50 / p99"
              + " / max ms | early | duplicates |");
      System.out.println("|---|---:|---:|---:|---:|---:|---:|");
      System.out.println(timers.row("timer (TIMER_DELIVER_MS)", o.count()));
      System.out.println(delays.row("delay level 2 (5 s)", o.delayCount()));
    } finally {
      if (consumer != null) {
        consumer.shutdown();
      }
      producer.shutdown();
    }
  }

  /** The first sends of a cold client on a busy machine may time out on the route lookup. */
  private static void sendPatiently(DefaultMQProducer producer, Message m) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        producer.send(m);
        return;
      } catch (Exception e) {
        if (attempt == 10) {
          throw e;
        }
        log("setup send failed (%s); again", e.toString());
        TimeUnit.SECONDS.sleep(1);
      }
    }
  }

  /** Sends the timers; returns how many were sent twice (a timed-out send may have been stored). */
  private static int load(DefaultMQProducer producer, Options o, long firstDue, long spanMs)
      throws Exception {
    Semaphore window = new Semaphore(o.inFlight());
    Queue<Message> failed = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < o.count(); i++) {
      long due = firstDue + (long) i * spanMs / o.count();
      Message m = new Message(TOPIC, body(i, due));
      m.setDeliverTimeMs(due);
      window.acquire();
      producer.send(
          m,
          new SendCallback() {
            @Override
            public void onSuccess(SendResult r) {
              window.release();
            }

            @Override
            public void onException(Throwable e) {
              failed.add(m);
              window.release();
            }
          });
      if (i % 100_000 == 0 && i > 0) {
        log("sent %,d", i);
      }
    }
    window.acquire(o.inFlight());
    // Sends the broker refused while busy (SYSTEM_BUSY after its queue wait) go again, in order.
    int resent = 0;
    for (Message m = failed.poll(); m != null; m = failed.poll()) {
      producer.send(m);
      resent++;
    }
    if (resent > 0) {
      log("%,d sends failed (busy or timed out) and were sent again", resent);
    }
    return resent;
  }

  private static void sendDelayed(DefaultMQProducer producer, int n) throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long wait = start + i * 1_000_000L - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      Message m = new Message(DELAY_TOPIC, body(i, 0));
      m.setDelayTimeLevel(2);
      producer.sendOneway(m);
    }
  }

  private static DefaultMQPushConsumer consumer(String namesrv, Lateness timers, Lateness delays)
      throws Exception {
    DefaultMQPushConsumer c = new DefaultMQPushConsumer("bench-timer-cg");
    c.setNamesrvAddr(namesrv);
    c.setInstanceName("bench-timer-c");
    c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    c.setConsumeThreadMin(8);
    c.setConsumeThreadMax(8);
    c.setConsumeMessageBatchMaxSize(32);
    c.subscribe(TOPIC, "*");
    c.subscribe(DELAY_TOPIC, "*");
    c.registerMessageListener(
        (MessageListenerConcurrently)
            (msgs, ctx) -> {
              long now = System.currentTimeMillis();
              for (MessageExt m : msgs) {
                ByteBuffer b = ByteBuffer.wrap(m.getBody());
                int index = b.getInt();
                long due = b.getLong();
                if (index < 0) {
                  continue;
                }
                if (m.getTopic().equals(TOPIC)) {
                  timers.record(index, due, now, m.getStoreTimestamp());
                } else {
                  long intended = m.getBornTimestamp() + 5_000;
                  delays.record(index, intended, now, m.getStoreTimestamp());
                }
              }
              return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
    c.start();
    return c;
  }

  private static byte[] body(int index, long dueMs) {
    return ByteBuffer.allocate(12).putInt(index).putLong(dueMs).array();
  }

  private static void awaitCount(Lateness l, long n, long deadlineMs, HeapProbe heap)
      throws Exception {
    long lastLog = 0;
    while (l.count.get() < n && System.currentTimeMillis() < deadlineMs) {
      TimeUnit.SECONDS.sleep(1);
      heap.sample();
      if (System.currentTimeMillis() - lastLog > 15_000) {
        lastLog = System.currentTimeMillis();
        log(
            "consumed %,d of %,d; store p99 so far %d ms; broker heap %d MiB",
            l.count.get(), n, l.stored.getValueAtPercentile(99), heap.lastUsed >> 20);
      }
    }
    if (l.count.get() < n) {
      log("WARNING: only %,d of %,d consumed by the deadline", l.count.get(), n);
    }
  }

  static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "[bench-timer] " + format + "%n", args);
  }
}
