package io.wharfmq.bench.e2e;

import java.util.Arrays;

/** The median the benchmarks report over rounds. Stateless. */
public final class Medians {
  private Medians() {}

  /** Median of {@code values} (mean of the middle two for an even count); NaN when empty. */
  public static double of(double... values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
