package io.wharfmq.bench.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One measured run against one {@link Target}: N sender threads share one producer, while the
 * target's consumer times every message.
 *
 * <p>Two send modes. <b>Blocking</b> (window 0, the RocketMQ benchmark Producer's default loop):
 * each thread sends one message and waits for its answer. <b>Pipelined</b> (window W, like that
 * benchmark's async mode {@code -y} but bounded): each thread keeps up to W asynchronous sends in
 * flight and takes a new slot when an answer comes back, so the brokers rather than the client's
 * round trip set the rate.
 *
 * <p>Closed loop (rate 0): each thread sends as soon as it may (previous send returned, or a window
 * slot is free); intended send time = that moment. Open loop (rate R): message k of thread i is due
 * at t0 + (k + i/N) * N/R; a thread that is late (previous send, or a full window) sends at once
 * but the message keeps its due time, so stalls show up in the latency instead of silently lowering
 * the load (coordinated omission). Used from the main thread.
 */
final class LoadRun {
  private static final AtomicInteger RUN_IDS = new AtomicInteger(1);

  record Spec(
      int producers, double rate, int window, int bodyBytes, Duration warmup, Duration measure) {
    boolean openLoop() {
      return rate > 0;
    }

    boolean pipelined() {
      return window > 0;
    }
  }

  /**
   * One run's figures.
   *
   * @param threadUse the busiest thread groups of the driver and of the broker under test (CPU,
   *     system CPU, context switches) and the CPU the other broker JVMs used meanwhile
   * @param pulls PULL_MESSAGE requests the target's consumer sent in the window, or -1 when its
   *     client does not tell
   */
  record Result(
      Spec spec,
      double ackedPerSec,
      double consumedPerSec,
      long failed,
      long skipped,
      long lost,
      double drainMillis,
      double brokerCpuSec,
      double driverCpuSec,
      double p50Ms,
      double p99Ms,
      double p999Ms,
      double maxMs,
      double ackP50Ms,
      double ackP99Ms,
      double stealPercent,
      String threadUse,
      long pulls) {
    /** Messages consumed per pull request in the window, or NaN when the client does not tell. */
    double messagesPerPull() {
      return pulls > 0 ? consumedPerSec * spec.measure().toNanos() / 1e9 / pulls : Double.NaN;
    }

    /** Consumers kept up, nothing lost, and an open loop delivered the target rate. */
    String notes() {
      List<String> n = new ArrayList<>();
      if (failed > 0) {
        n.add(failed + " send failures");
      }
      if (lost > 0) {
        n.add(lost + " not consumed");
      }
      if (skipped > 0) {
        n.add("fell behind: " + skipped + " not sent");
      }
      if (spec.openLoop() && ackedPerSec < 0.95 * spec.rate) {
        n.add("below target");
      }
      if (stealPercent >= 5) {
        n.add(String.format("CPU steal %.0f %%", stealPercent));
      }
      if (drainMillis > 1000) {
        n.add(String.format("backlog: drained %.1f s after the window", drainMillis / 1000));
      }
      return String.join("; ", n);
    }
  }

  private LoadRun() {}

  /** Opens the producer of one run; {@code runName} is unique in this JVM. */
  @FunctionalInterface
  interface ProducerFactory {
    BenchProducer open(String runName) throws Exception;
  }

  static Result run(Target target, Spec spec) throws Exception {
    return run(target, spec, target::producer);
  }

  /** Runs {@code spec} against {@code target} with producers from {@code producers}. */
  static Result run(Target target, Spec spec, ProducerFactory producers) throws Exception {
    int runId = RUN_IDS.getAndIncrement();
    BrokerProcess broker = target.broker();
    try (BenchProducer producer = producers.open(target.name() + "-" + runId)) {
      // Fetch the route and open the connection before the clock starts (run id 0: not counted).
      producer.send(new byte[spec.bodyBytes()]);

      long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
      long measureStart = t0 + spec.warmup().toNanos();
      long measureEnd = measureStart + spec.measure().toNanos();
      // An open loop that falls behind stops sending here; the rest of its window counts as
      // skipped.
      long hardStop = measureEnd + TimeUnit.SECONDS.toNanos(5);
      RunWindow w = new RunWindow(runId, measureStart, measureEnd);
      target.timer().measure(w);

      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < spec.producers(); i++) {
        int index = i;
        Thread t =
            new Thread(() -> sendLoop(producer, spec, w, index, t0, hardStop), "bench-send-" + i);
        threads.add(t);
        t.start();
      }
      LockSupport.parkNanos(measureStart - System.nanoTime());
      double cpu0 = broker.cpuSeconds();
      long driverPid = ProcessHandle.current().pid();
      double driver0 = HostCpu.processCpuSeconds(driverPid);
      Map<String, HostCpu.GroupUse> threads0 = HostCpu.threadGroups(driverPid);
      Map<String, HostCpu.GroupUse> brokerThreads0 = HostCpu.threadGroups(broker.pid());
      long[] steal0 = HostCpu.stealAndTotalTicks();
      long pulls0 = target.consumer().pullRequests();
      double others0 = othersCpu(broker);
      LockSupport.parkNanos(measureEnd - System.nanoTime());
      double cpu1 = broker.cpuSeconds();
      double driver1 = HostCpu.processCpuSeconds(driverPid);
      String threadUse =
          "driver: "
              + HostCpu.topGroups(threads0, HostCpu.threadGroups(driverPid), 6)
              + "; broker: "
              + HostCpu.topGroups(brokerThreads0, HostCpu.threadGroups(broker.pid()), 6)
              + String.format("; other brokers %.1f s", othersCpu(broker) - others0);
      double steal = HostCpu.percent(steal0, HostCpu.stealAndTotalTicks());
      long pulls = pulls0 < 0 ? -1 : target.consumer().pullRequests() - pulls0;
      for (Thread t : threads) {
        t.join();
      }
      long acked = w.acked.sum();
      long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (w.consumed.sum() < acked && System.nanoTime() < drainDeadline) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
      target.timer().measure(null);
      double seconds = spec.measure().toNanos() / 1e9;
      long consumed = w.consumed.sum();
      return new Result(
          spec,
          acked / seconds,
          consumed / seconds,
          w.failed.sum(),
          w.skipped.sum(),
          Math.max(0, acked - consumed),
          Math.max(0, w.lastConsumeNanos - measureEnd) / 1e6,
          cpu1 - cpu0,
          driver1 - driver0,
          ms(w.endToEnd.getValueAtPercentile(50)),
          ms(w.endToEnd.getValueAtPercentile(99)),
          ms(w.endToEnd.getValueAtPercentile(99.9)),
          ms(w.endToEnd.getMaxValue()),
          ms(w.ack.getValueAtPercentile(50)),
          ms(w.ack.getValueAtPercentile(99)),
          steal,
          threadUse,
          pulls);
    }
  }

  /**
   * CPU seconds used so far by the broker JVMs (children of this one) other than {@code broker}.
   */
  private static double othersCpu(BrokerProcess broker) {
    long self = broker.pid();
    return ProcessHandle.current()
        .children()
        .filter(p -> p.pid() != self)
        .mapToDouble(p -> HostCpu.processCpuSeconds(p.pid()))
        .sum();
  }

  private static void sendLoop(
      BenchProducer producer, Spec spec, RunWindow w, int index, long t0, long hardStop) {
    byte[] body = new byte[spec.bodyBytes()];
    ThreadLocalRandom.current().nextBytes(body);
    long interval = spec.openLoop() ? (long) (1e9 * spec.producers() / spec.rate()) : 0;
    long due = t0 + interval * index / spec.producers();
    Semaphore window = new Semaphore(Math.max(1, spec.window()));
    try {
      while (true) {
        long intended;
        if (spec.openLoop()) {
          intended = due;
          due += interval;
          if (intended >= w.measureEnd) {
            break;
          }
          long now;
          while ((now = System.nanoTime()) < intended) {
            LockSupport.parkNanos(intended - now);
          }
          if (spec.pipelined()) {
            window.acquire();
            now = System.nanoTime();
          }
          if (now > hardStop) {
            if (spec.pipelined()) {
              window.release();
            }
            w.skipped.add(
                Math.max(0, (w.measureEnd - Math.max(intended, w.measureStart)) / interval));
            break;
          }
        } else {
          if (spec.pipelined()) {
            window.acquire();
          }
          intended = System.nanoTime();
          if (intended >= w.measureEnd) {
            if (spec.pipelined()) {
              window.release();
            }
            break;
          }
        }
        if (spec.pipelined()) {
          // The clients send the array itself, after this call returns: one body per message.
          byte[] own = body.clone();
          Stamp.write(own, intended, w.runId);
          producer.sendAsync(
              own,
              stored -> {
                acknowledged(w, intended, stored);
                window.release();
              });
        } else {
          Stamp.write(body, intended, w.runId);
          acknowledged(w, intended, producer.send(body));
        }
      }
      if (spec.pipelined() && !window.tryAcquire(spec.window(), 30, TimeUnit.SECONDS)) {
        System.err.println("sends still in flight 30 s after the run");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void acknowledged(RunWindow w, long intended, boolean stored) {
    if (w.inWindow(intended)) {
      if (stored) {
        w.acked.increment();
        RunWindow.record(w.ack, System.nanoTime() - intended);
      } else {
        w.failed.increment();
      }
    }
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
