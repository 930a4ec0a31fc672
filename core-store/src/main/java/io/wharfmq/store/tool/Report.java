package io.wharfmq.store.tool;

import java.io.PrintWriter;

/**
 * Output of {@code verify}: information lines and problems, counted. Problems are printed with a
 * {@code PROBLEM} prefix so scripts can grep them. Single-threaded.
 */
final class Report {
  private final PrintWriter out;
  private long problems;

  Report(PrintWriter out) {
    this.out = out;
  }

  void info(String line) {
    out.println(line);
  }

  void problem(String line) {
    problems++;
    out.println("PROBLEM " + line);
  }

  /** A problem counted but not printed (a summary line says how many were left out). */
  void problemNotShown() {
    problems++;
  }

  long problems() {
    return problems;
  }
}
