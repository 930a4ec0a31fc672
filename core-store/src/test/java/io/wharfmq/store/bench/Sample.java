package io.wharfmq.store.bench;

import org.HdrHistogram.Histogram;

/**
 * What one measured run of one subject produced: how many records and bytes it wrote, over how
 * long, and the latency of each write (nanoseconds). Immutable once built; thread-safe to read.
 *
 * @param messages records written and acknowledged
 * @param bytes record bytes written (the encoded record, not just the body)
 * @param elapsedNanos wall time from the start signal until the last write completed
 * @param latency per-write latency in nanoseconds
 */
record Sample(long messages, long bytes, long elapsedNanos, Histogram latency) {

  double messagesPerSecond() {
    return messages * 1e9 / elapsedNanos;
  }

  /** Record bytes per second in MB (10^6 bytes). */
  double megabytesPerSecond() {
    return bytes * 1e3 / elapsedNanos;
  }

  /** Latency at a percentile, in microseconds. */
  double latencyMicros(double percentile) {
    return latency.getValueAtPercentile(percentile) / 1e3;
  }
}
