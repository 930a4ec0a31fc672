package io.wharfmq.bench.amqp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A broker's child process: started with its output in files of its directory (stdout lines also
 * passed to {@link #awaitLine}), stopped by the caller's stop action, then forcibly after a grace
 * period. Used from the benchmark's main thread; a daemon thread reads stdout.
 */
final class ChildProcess {
  /** Makes logback the SLF4J provider of this package's JVMs (see bin/bench-amqp). */
  static final String SLF4J_PROVIDER =
      "slf4j.provider=ch.qos.logback.classic.spi.LogbackServiceProvider";

  /** JVM flags of every Java broker child (Wharf, Artemis): the same as bin/bench-e2e's brokers. */
  static final List<String> JVM_FLAGS =
      List.of(
          "-Xms1g",
          "-Xmx1g",
          "-XX:+UseG1GC",
          "-XX:MaxDirectMemorySize=1g",
          // The class path also holds RocketMQ's shaded SLF4J bridge (bin/bench-e2e's baseline),
          // which would otherwise win and send every log line to ~/logs/rocketmqlogs.
          "-D" + SLF4J_PROVIDER,
          // Artemis' own profile adds this (its journal reaches into jdk.internal.misc).
          "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED");

  private static final String EOF = "\u0000EOF";

  final String name;
  final Path dir;
  private final Process process;
  private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);

  private ChildProcess(String name, Path dir, Process process) {
    this.name = name;
    this.dir = dir;
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  Files.writeString(
                      dir.resolve("stdout.log"),
                      line + "\n",
                      StandardCharsets.UTF_8,
                      java.nio.file.StandardOpenOption.CREATE,
                      java.nio.file.StandardOpenOption.APPEND);
                  // Only the lines before the awaited one matter; later ones may be dropped.
                  lines.offer(line);
                }
              } catch (IOException e) {
                // The child is gone.
              }
              lines.offer(EOF);
            },
            "stdout-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code cmd} in {@code dir} with {@code env} added; stderr goes to dir/stderr.log. */
  static ChildProcess start(String name, Path dir, List<String> cmd, Map<String, String> env)
      throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectError(dir.resolve("stderr.log").toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE);
    pb.environment().putAll(env);
    return new ChildProcess(name, dir, pb.start());
  }

  /** A Java child: this JVM's java binary and class path, {@link #JVM_FLAGS}, then {@code args}. */
  static ChildProcess startJava(String name, Path dir, List<String> jvmFlags, List<String> args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_FLAGS);
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.addAll(args);
    return start(name, dir, cmd, Map.of());
  }

  /**
   * Waits for the first stdout line that {@code ready} accepts; throws with the child's stderr tail
   * if it exits first or the timeout passes.
   */
  String awaitLine(Predicate<String> ready, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new IllegalStateException(
            name + " not ready in " + timeout.toSeconds() + " s" + errorTail());
      }
      if (line.equals(EOF)) {
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(
            name
                + " exited"
                + (process.isAlive() ? "" : " with code " + process.exitValue())
                + " before it was ready"
                + errorTail());
      }
      if (ready.test(line)) {
        return line;
      }
    }
  }

  /** The last lines of the child's stderr (and stdout), for error messages. */
  String errorTail() {
    StringBuilder sb = new StringBuilder();
    for (String f : List.of("stderr.log", "stdout.log")) {
      try {
        Path p = dir.resolve(f);
        if (Files.exists(p)) {
          List<String> all = Files.readAllLines(p);
          List<String> tail = all.subList(Math.max(0, all.size() - 15), all.size());
          if (!tail.isEmpty()) {
            sb.append("\n--- ")
                .append(f)
                .append(" (last lines) ---\n")
                .append(String.join("\n", tail));
          }
        }
      } catch (IOException | UncheckedIOException e) {
        sb.append("\n(").append(f).append(" unreadable: ").append(e).append(')');
      }
    }
    return sb.toString();
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Writes one command line to the child's stdin (the Java hosts of this package read it). */
  void sendLine(String line) throws IOException {
    process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
  }

  /** Closes the child's stdin: the stop signal of the Java hosts of this package. */
  void closeStdin() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // Already gone.
    }
  }

  /** SIGTERM: the launcher's shutdown hook stops Wharf cleanly. */
  void terminate() {
    process.destroy();
  }

  /** Waits up to {@code grace} for the child to exit (after a stop action), then kills it. */
  void awaitExit(Duration grace) {
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        System.err.println(name + " did not stop in " + grace.toSeconds() + " s; killing it");
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** A port that was free a moment ago on 127.0.0.1 (for children that cannot report theirs). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
  static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Sets the nice value of every thread of process {@code pid} (Linux {@code renice}). While
   * another broker is measured the idle ones run at 19, as in bin/bench-e2e. Failures are printed,
   * not thrown.
   */
  static void renice(long pid, int nice, String label) {
    List<String> cmd = new ArrayList<>(List.of("renice", "-n", Integer.toString(nice), "-p"));
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        cmd.add(task.getFileName().toString());
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0 && out.contains("ermission")) {
        System.err.println("renice of " + label + " failed: " + out.strip());
      }
    } catch (IOException e) {
      System.err.println("renice of " + label + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
