package io.wharfmq.launcher;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** {@code bin/wharf <command> …} in a child JVM (the real launcher main), output in a file. */
final class WharfChild implements AutoCloseable {
  /** Small files so a start does not pre-allocate gigabytes. */
  static final List<String> SMALL_STORE =
      List.of("mappedFileSizeCommitLog=16777216", "maxHashSlotNum=1024", "maxIndexNum=4000");

  final Process process;
  final Path output;

  private WharfChild(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static WharfChild start(Path output, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add(Wharf.class.getName());
    cmd.addAll(List.of(args));
    boolean server = args.length > 0 && (args[0].equals("standalone") || args[0].equals("broker"));
    if (server && List.of(args).stream().noneMatch(a -> a.startsWith("amqp"))) {
      cmd.add("--set");
      cmd.add("amqpPort=0"); // any free port: never the machine's 5672
    }
    // The class path goes in the environment: on the command line it is long enough that the
    // kernel's view of it (what `bin/wharf stop` reads to recognise a Wharf process) is cut short.
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    Process p = pb.redirectOutput(output.toFile()).start();
    return new WharfChild(p, output);
  }

  String output() throws IOException {
    return Files.exists(output) ? Files.readString(output) : "";
  }

  /** Waits for {@code line} in the output; fails early if the process dies. */
  WharfChild awaitOutput(String line) {
    Awaitility.await(line)
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              String out = output();
              if (!process.isAlive() && !out.contains(line)) {
                throw new AssertionError("exited with " + process.exitValue() + ":\n" + out);
              }
              return out.contains(line);
            });
    return this;
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
