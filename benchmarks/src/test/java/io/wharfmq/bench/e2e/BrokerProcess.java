package io.wharfmq.bench.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BrokerHost} child JVM: same java binary and class path as this one, its own heap and
 * data directory. Closing it closes the child's stdin (its stop signal), waits, and deletes the
 * data directory. Used from the benchmark's main thread only.
 */
final class BrokerProcess implements AutoCloseable {
  /** JVM flags of every broker child, identical for Wharf and RocketMQ. */
  static final List<String> BROKER_JVM_FLAGS =
      List.of(
          "-Xms1g",
          "-Xmx1g",
          "-XX:+UseG1GC",
          "-XX:MaxDirectMemorySize=1g",
          // RocketMQ on Java 17 (perf-anchors 1.4); harmless for Wharf, so both get them.
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");

  final String kind;
  final String flush;
  final String namesrvAddr;
  final String brokerAddr;
  private final Process process;
  private final Path dir;

  private BrokerProcess(
      String kind, String flush, Process process, Path dir, String namesrvAddr, String brokerAddr) {
    this.kind = kind;
    this.flush = flush;
    this.process = process;
    this.dir = dir;
    this.namesrvAddr = namesrvAddr;
    this.brokerAddr = brokerAddr;
  }

  /** Starts a child and waits (at most 90 s) for its READY line. jfr: recording file or null. */
  static BrokerProcess start(String kind, String flush, Path root, Path jfr) throws Exception {
    Path dir = Files.createTempDirectory(root, kind + "-" + flush + "-");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(BROKER_JVM_FLAGS);
    // Extra flags for both brokers alike, for diagnosis (e.g. GC logs): -Dbench.brokerJvmFlags=...
    String extra = System.getProperty("bench.brokerJvmFlags", "").strip();
    if (!extra.isEmpty()) {
      cmd.addAll(List.of(extra.split("\\s+")));
    }
    if (jfr != null) {
      cmd.add("-XX:StartFlightRecording=settings=profile,filename=" + jfr.toAbsolutePath());
    }
    // RocketMQ writes its logs under ${user.home}/logs: keep them in the run's directory.
    cmd.add("-Duser.home=" + dir);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(BrokerHost.class.getName());
    cmd.add(kind);
    cmd.add(flush);
    cmd.add(dir.resolve("data").toString());
    Path stderr = dir.resolve("stderr.log");
    Process p =
        new ProcessBuilder(cmd)
            .redirectError(stderr.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    String line;
    while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
      if (System.nanoTime() > deadline) {
        break;
      }
    }
    if (line == null || !line.startsWith("READY ")) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      String err = Files.exists(stderr) ? Files.readString(stderr) : "";
      deleteTree(dir);
      throw new IllegalStateException(kind + " " + flush + " broker did not start:\n" + err);
    }
    String[] parts = line.split(" ");
    // Drain the rest of stdout so the child never blocks on a full pipe.
    Thread drain =
        new Thread(
            () -> {
              try {
                while (out.readLine() != null) {
                  // discard
                }
              } catch (IOException e) {
                // child gone
              }
            },
            "drain-" + kind);
    drain.setDaemon(true);
    drain.start();
    return new BrokerProcess(kind, flush, p, dir, parts[1], parts[2]);
  }

  long pid() {
    return process.pid();
  }

  /** User + system CPU seconds the child has used so far (Linux /proc; NaN elsewhere). */
  /**
   * Sets the nice value of every thread of the broker JVM (Linux {@code renice}; threads started
   * later inherit their creator's). While another broker is measured this one runs at 19, so its
   * idle background work takes only CPU time nobody else wants. A failure (no permission, no
   * renice) is reported on stderr, not thrown: the run goes on without it.
   */
  void renice(int nice) {
    List<String> cmd = new ArrayList<>(List.of("renice", "-n", Integer.toString(nice), "-p"));
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(process.pid()), "task"))) {
      for (Path task : tasks) {
        cmd.add(task.getFileName().toString());
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      // A thread that ended between the listing and renice makes it exit 1 and is no failure.
      if (p.waitFor() != 0 && out.contains("ermission")) {
        System.err.println("renice of the " + kind + " broker failed: " + out.strip());
      }
    } catch (IOException e) {
      System.err.println("renice of the " + kind + " broker failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  double cpuSeconds() {
    return HostCpu.processCpuSeconds(process.pid());
  }

  @Override
  public void close() throws IOException {
    process.getOutputStream().close();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        System.err.println(kind + " " + flush + " broker did not stop in 60 s; killing it");
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    deleteTree(dir);
  }

  static void deleteTree(Path dir) throws IOException {
    ComparisonRun.deleteTree(dir);
  }
}
