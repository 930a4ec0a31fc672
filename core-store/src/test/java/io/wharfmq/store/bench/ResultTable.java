package io.wharfmq.store.bench;

import io.wharfmq.store.StoreConfig.FlushMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Collects the samples of every repetition and prints one markdown row per (cell, subject) with the
 * median of each figure taken separately, the spread of the throughput (max-min over median) and
 * the ratio of the store's median throughput to each raw baseline's. Owned by the benchmark's main
 * thread.
 */
final class ResultTable {
  /** One combination of flush mode, body size and thread count. */
  record Cell(FlushMode mode, int bodySize, int threads, int recordSize) {}

  /** What wrote the bytes. */
  enum Subject {
    STORE_ONE("store, 1 in flight/thread", true),
    STORE_WINDOW("store, %d in flight/thread", true),
    RAW_MMAP("raw mmap%s", false),
    RAW_CHANNEL("raw FileChannel%s", false);

    final String label;
    final boolean store;

    Subject(String label, boolean store) {
      this.label = label;
      this.store = store;
    }
  }

  private final int window;
  private final Map<Cell, Map<Subject, List<Sample>>> samples = new LinkedHashMap<>();

  ResultTable(int window) {
    this.window = window;
  }

  void add(Cell cell, Subject subject, Sample sample) {
    samples
        .computeIfAbsent(cell, c -> new LinkedHashMap<>())
        .computeIfAbsent(subject, s -> new ArrayList<>())
        .add(sample);
  }

  /** Median messages per second of a subject in a cell, or NaN if it was not run. */
  double medianRate(Cell cell, Subject subject) {
    List<Sample> list = samples.getOrDefault(cell, Map.of()).get(subject);
    return list == null ? Double.NaN : median(list, Sample::messagesPerSecond);
  }

  String markdown() {
    StringBuilder out = new StringBuilder();
    out.append(
        "| mode | body B | record B | threads | subject | msgs/s | MB/s | spread | p50 µs | p99 µs"
            + " | p99.9 µs | store/mmap | store/channel |\n");
    out.append("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Map.Entry<Cell, Map<Subject, List<Sample>>> e : samples.entrySet()) {
      Cell c = e.getKey();
      double mmap = medianRate(c, Subject.RAW_MMAP);
      double channel = medianRate(c, Subject.RAW_CHANNEL);
      for (Map.Entry<Subject, List<Sample>> s : e.getValue().entrySet()) {
        Subject subject = s.getKey();
        List<Sample> list = s.getValue();
        double rate = median(list, Sample::messagesPerSecond);
        double min = list.stream().mapToDouble(Sample::messagesPerSecond).min().orElse(0);
        double max = list.stream().mapToDouble(Sample::messagesPerSecond).max().orElse(0);
        out.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %d | %d | %s | %s | %.1f | ±%.0f%% | %s | %s | %s | %s | %s |\n",
                c.mode(),
                c.bodySize(),
                c.recordSize(),
                c.threads(),
                label(subject, c.mode()),
                grouped(rate),
                median(list, Sample::megabytesPerSecond),
                50 * (max - min) / rate,
                micros(median(list, x -> x.latencyMicros(50))),
                micros(median(list, x -> x.latencyMicros(99))),
                micros(median(list, x -> x.latencyMicros(99.9))),
                subject.store ? ratio(rate, mmap) : "",
                subject.store ? ratio(rate, channel) : ""));
      }
    }
    return out.toString();
  }

  private String label(Subject subject, FlushMode mode) {
    if (subject == Subject.STORE_WINDOW) {
      return String.format(Locale.ROOT, subject.label, window);
    }
    if (!subject.store) {
      return String.format(
          Locale.ROOT, subject.label, mode == FlushMode.SYNC ? ", fsync each write" : "");
    }
    return subject.label;
  }

  static double median(List<Sample> list, ToDoubleFunction<Sample> figure) {
    double[] v = list.stream().mapToDouble(figure).toArray();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static String grouped(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String micros(double v) {
    return v < 100 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%,.0f", v);
  }

  static String ratio(double store, double baseline) {
    return Double.isNaN(baseline) ? "" : String.format(Locale.ROOT, "%.2f", store / baseline);
  }
}
