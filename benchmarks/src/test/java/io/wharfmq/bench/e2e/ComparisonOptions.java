package io.wharfmq.bench.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The command-line options the comparison benchmarks share (bin/bench-e2e, bin/bench-amqp):
 * producer counts, targets, body size, run lengths, the equal-load fraction, rounds and the data
 * directory, plus {@code --help}. A benchmark gives its defaults and walks the arguments with
 * {@link #next}, which takes the shared options itself and hands back the benchmark's own; then it
 * checks once with {@link #check}. Not thread-safe: one parser walks it.
 */
public final class ComparisonOptions {
  private final String[] args;
  private final String usage;
  private int pos;
  private List<Integer> producers = List.of(1, 4);
  private List<String> targets;
  private int bodyBytes = 1024;
  private Duration warmup;
  private Duration measure;
  private Duration initialWarmup;
  private double rateFraction = 0.5;
  private int rounds = 1;
  private Path dir;

  /**
   * Defaults: 1 and 4 producers, 1 KiB bodies, fraction 0.5, one round, java.io.tmpdir; {@code
   * usage} is printed by {@code --help} and ends every error message.
   */
  public ComparisonOptions(
      String[] args,
      String usage,
      List<String> targets,
      long warmupS,
      long measureS,
      long initialS) {
    this.args = args;
    this.usage = usage;
    this.targets = targets;
    runLengths(warmupS, measureS, initialS);
  }

  /**
   * The next option that is not a shared one, or null at the end. Shared options met on the way are
   * taken, {@code --help} prints the usage and exits.
   */
  public String next() {
    while (pos < args.length) {
      String a = args[pos++];
      switch (a) {
        case "--help" -> {
          System.out.println(usage);
          System.exit(0);
        }
        case "--producers" ->
            producers = Arrays.stream(value().split(",")).map(Integer::valueOf).toList();
        case "--targets" -> targets = Arrays.asList(value().toLowerCase(Locale.ROOT).split(","));
        case "--size" -> bodyBytes = Integer.parseInt(value());
        case "--warmup-seconds" -> warmup = Duration.ofSeconds(Long.parseLong(value()));
        case "--seconds" -> measure = Duration.ofSeconds(Long.parseLong(value()));
        case "--initial-warmup-seconds" ->
            initialWarmup = Duration.ofSeconds(Long.parseLong(value()));
        case "--rate-fraction" -> rateFraction = Double.parseDouble(value());
        case "--rounds" -> rounds = Integer.parseInt(value());
        case "--dir" -> dir = Path.of(value());
        default -> {
          return a;
        }
      }
    }
    return null;
  }

  /** The value of the option {@link #next} returned last. */
  public String value() {
    if (pos >= args.length) {
      throw new IllegalArgumentException(args[pos - 1] + " needs a value\n" + usage);
    }
    return args[pos++];
  }

  /** The error for an option the benchmark does not know. */
  public IllegalArgumentException unknown(String option) {
    return new IllegalArgumentException("unknown option " + option + "\n" + usage);
  }

  /**
   * Sets the three run lengths at once, in seconds: the unmeasured start of each run, its measured
   * part, and the initial warm-up (the defaults, and a benchmark's {@code --quick}).
   */
  public void runLengths(long warmupS, long measureS, long initialS) {
    this.warmup = Duration.ofSeconds(warmupS);
    this.measure = Duration.ofSeconds(measureS);
    this.initialWarmup = Duration.ofSeconds(initialS);
  }

  public void producers(List<Integer> producers) {
    this.producers = producers;
  }

  /** Sets the targets (a benchmark's preset); a later {@code --targets} replaces them. */
  public void targets(List<String> targets) {
    this.targets = targets;
  }

  /** Checks the shared values. */
  public void check(List<String> knownTargets) {
    if (bodyBytes < Stamp.LENGTH) {
      throw new IllegalArgumentException("--size must be >= " + Stamp.LENGTH);
    }
    if (targets.isEmpty() || !knownTargets.containsAll(targets)) {
      throw new IllegalArgumentException("bad --targets " + targets + "\n" + usage);
    }
    if (rounds < 1 || rateFraction <= 0) {
      throw new IllegalArgumentException("bad --rounds or --rate-fraction\n" + usage);
    }
  }

  public List<Integer> producers() {
    return producers;
  }

  public List<String> targets() {
    return targets;
  }

  public int bodyBytes() {
    return bodyBytes;
  }

  public Duration warmup() {
    return warmup;
  }

  public Duration measure() {
    return measure;
  }

  public Duration initialWarmup() {
    return initialWarmup;
  }

  public double rateFraction() {
    return rateFraction;
  }

  public int rounds() {
    return rounds;
  }

  /** Parent of the run's temp directory; null for java.io.tmpdir. */
  public Path dir() {
    return dir;
  }
}
