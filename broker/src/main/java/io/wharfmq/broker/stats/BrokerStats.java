package io.wharfmq.broker.stats;

import java.time.InstantSource;
import java.util.concurrent.atomic.LongAdder;

/**
 * Message counters for GET_BROKER_RUNTIME_INFO: messages stored and messages handed out by pulls
 * since the broker started, and rates over the last sampling window ({@link #sample}, called by the
 * broker's housekeeping every 10 s). Thread-safe; counting is a LongAdder add on the send and pull
 * paths.
 */
public final class BrokerStats {
  private final InstantSource clock;
  private final long bootMillis;
  private final LongAdder puts = new LongAdder();
  private final LongAdder gets = new LongAdder();
  private Sample previous;
  private Sample latest;

  private record Sample(long millis, long puts, long gets) {}

  public BrokerStats(InstantSource clock) {
    this.clock = clock;
    this.bootMillis = clock.millis();
    this.latest = new Sample(bootMillis, 0, 0);
    this.previous = latest;
  }

  public void stored(int messages) {
    puts.add(messages);
  }

  public void delivered(int messages) {
    gets.add(messages);
  }

  public long bootMillis() {
    return bootMillis;
  }

  public long putTotal() {
    return puts.sum();
  }

  public long getTotal() {
    return gets.sum();
  }

  /** Closes a sampling window: the rates cover the time since the previous call. */
  public synchronized void sample() {
    previous = latest;
    latest = new Sample(clock.millis(), puts.sum(), gets.sum());
  }

  /** Messages stored per second over the last window. */
  public synchronized double putTps() {
    return rate(previous.puts(), latest.puts());
  }

  /** Messages delivered by pulls per second over the last window. */
  public synchronized double getTps() {
    return rate(previous.gets(), latest.gets());
  }

  private double rate(long before, long after) {
    long ms = latest.millis() - previous.millis();
    return ms <= 0 ? 0 : (after - before) * 1000.0 / ms;
  }
}
