package io.wharfmq.bench.e2e;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one run counts: messages whose intended send time falls in [measureStart, measureEnd) are
 * measured; earlier ones of the same run are warm-up. Written by producer and consumer threads
 * concurrently; read by the main thread after the run.
 */
final class RunWindow {
  static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(60);

  final int runId;
  final long measureStart;
  final long measureEnd;

  /** Consume time minus intended send time, ns. */
  final Histogram endToEnd = new ConcurrentHistogram(MAX_NANOS, 3);

  /** Send acknowledged minus intended send time, ns. */
  final Histogram ack = new ConcurrentHistogram(MAX_NANOS, 3);

  final LongAdder acked = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder consumed = new LongAdder();

  /** Messages of the window the producers never got to send (open loop fell behind). */
  final LongAdder skipped = new LongAdder();

  volatile long lastConsumeNanos;

  RunWindow(int runId, long measureStart, long measureEnd) {
    this.runId = runId;
    this.measureStart = measureStart;
    this.measureEnd = measureEnd;
  }

  boolean inWindow(long intendedNanos) {
    return intendedNanos >= measureStart && intendedNanos < measureEnd;
  }

  static void record(Histogram h, long nanos) {
    h.recordValue(Math.max(0, Math.min(nanos, MAX_NANOS)));
  }
}
