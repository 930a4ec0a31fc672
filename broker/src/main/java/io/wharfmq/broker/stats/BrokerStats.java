package io.wharfmq.broker.stats;

import java.time.InstantSource;
import java.util.concurrent.atomic.LongAdder;

/**
 * Message counters for GET_BROKER_RUNTIME_INFO: messages stored and messages handed out by pulls
 * since the broker started, and rates over the last sampling window ({@link #sample}, called by the
 * broker's housekeeping every 10 s); and the same per topic and per group ({@link #keyed}, for
 * VIEW_BROKER_STATS_DATA). Thread-safe; counting is a LongAdder add (and a map lookup) on the send
 * and pull paths.
 */
public final class BrokerStats {
  private final InstantSource clock;
  private final long bootMillis;
  private final LongAdder puts = new LongAdder();
  private final LongAdder gets = new LongAdder();
  private final LongAdder expired = new LongAdder();
  private final LongAdder unroutable = new LongAdder();
  private final KeyedStats keyed;
  private Sample previous;
  private Sample latest;

  private record Sample(long millis, long puts, long gets) {}

  public BrokerStats(InstantSource clock) {
    this.clock = clock;
    this.keyed = new KeyedStats(clock);
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

  /** Messages stored in {@code topic}: counted in the totals and per topic. */
  public void stored(String topic, int messages) {
    puts.add(messages);
    keyed.stored(topic, messages);
  }

  /** Messages of {@code topic} handed to {@code group} by a pull: in the totals and per group. */
  public void delivered(String topic, String group, int messages) {
    gets.add(messages);
    keyed.delivered(topic, group, messages);
  }

  /** Per-topic and per-group counts (VIEW_BROKER_STATS_DATA). */
  public KeyedStats keyed() {
    return keyed;
  }

  /** A message found past its expiry time by a consumer's read and finished without delivery. */
  public void expired(int messages) {
    expired.add(messages);
  }

  /** A message published to an exchange that reached no queue and was dropped, not stored. */
  public void unroutable(int messages) {
    unroutable.add(messages);
  }

  /** Messages dropped as unroutable since the broker started. */
  public long unroutableTotal() {
    return unroutable.sum();
  }

  /** Messages dropped as expired since the broker started. */
  public long expiredTotal() {
    return expired.sum();
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
  public void sample() {
    long now = clock.millis();
    synchronized (this) {
      previous = latest;
      latest = new Sample(now, puts.sum(), gets.sum());
    }
    keyed.sample(now);
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
