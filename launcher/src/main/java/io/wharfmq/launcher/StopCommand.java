package io.wharfmq.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code wharf stop}: stops the Wharf servers started on this machine from one data directory,
 * found through their pid files ({@link PidFile}): SIGTERM, then waits for the graceful stop up to
 * a deadline and says what it stopped. Brokers go before name servers, so they can unregister. Runs
 * on the command's thread.
 */
@Command(
    name = "stop",
    description = {
      "Stop the Wharf standalone, broker or namesrv started on this machine from a data directory"
          + " (<dir>/standalone.pid, broker.pid, namesrv-<port>.pid): SIGTERM, then wait for the"
          + " graceful stop.",
      "The directory: --dir, else storePathRootDir from --config/--set, else ./data."
    })
final class StopCommand implements Callable<Integer> {
  @Mixin Wharf.ConfigOptions options = new Wharf.ConfigOptions();

  @Option(
      names = "--timeout",
      defaultValue = "60",
      description = "Seconds to wait for each graceful stop.")
  long timeoutSeconds;

  @Option(
      names = "--only",
      description = "Stop only this role: standalone, broker or namesrv (default: all found).")
  String only;

  @Override
  public Integer call() throws IOException, InterruptedException {
    Map<String, String> settings;
    try {
      settings = options.settings();
    } catch (StartupFailure f) {
      System.err.println(f.getMessage());
      return Wharf.EXIT_CONFIG;
    }
    Path dir = options.dataDir(settings);
    if (only != null && !PidFile.ROLES.contains(only)) {
      System.err.println("--only must be one of " + PidFile.ROLES + ", is '" + only + "'");
      return Wharf.EXIT_CONFIG;
    }
    int found = 0;
    int failed = 0;
    for (String role : PidFile.ROLES) {
      if (only != null && !only.equals(role)) {
        continue;
      }
      for (Path file : PidFile.files(dir, role)) {
        Optional<PidFile.Entry> entry = PidFile.read(file);
        if (entry.isEmpty()) {
          if (Files.exists(file)) {
            System.err.println(file + " is not a valid pid file; remove it if no Wharf runs there");
            failed++;
          }
          continue;
        }
        found++;
        if (!stop(entry.get())) {
          failed++;
        }
      }
    }
    if (found == 0 && failed == 0) {
      System.err.println(
          "No Wharf "
              + (only == null ? "server" : only)
              + " to stop: no pid file in "
              + dir.toAbsolutePath().normalize()
              + " (choose the instance with --dir, --config or --set storePathRootDir=)");
      return 1;
    }
    return failed == 0 ? 0 : 1;
  }

  private boolean stop(PidFile.Entry e) throws IOException, InterruptedException {
    String what =
        e.role() + " (pid " + e.pid() + (e.serving().isEmpty() ? "" : ", " + e.serving()) + ")";
    Optional<ProcessHandle> alive = ProcessHandle.of(e.pid()).filter(ProcessHandle::isAlive);
    if (alive.isEmpty()) {
      Files.deleteIfExists(e.file());
      System.out.println(
          "Not running: " + what + " had stopped without a graceful stop; removed " + e.file());
      return true;
    }
    if (PidFile.wharfProcess(e.pid()).isEmpty()) {
      System.err.println(
          "pid "
              + e.pid()
              + " from "
              + e.file()
              + " is not a Wharf process (stale pid file): not stopping it; remove the file");
      return false;
    }
    ProcessHandle h = alive.get();
    long start = System.nanoTime();
    System.out.println("Stopping " + what + " ...");
    if (!h.destroy()) {
      System.err.println(
          "cannot send SIGTERM to " + what + " (another user's process?): stop it as its owner");
      return false;
    }
    try {
      h.onExit().get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (TimeoutException te) {
      System.err.println(
          e.role()
              + " (pid "
              + e.pid()
              + ") did not stop within "
              + timeoutSeconds
              + " s; it is still stopping (see its log), or kill -9 "
              + e.pid()
              + " ends it (the next start recovers)");
      return false;
    } catch (ExecutionException ex) {
      throw new IOException(ex.getCause());
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    Files.deleteIfExists(e.file());
    System.out.printf("Stopped %s in %.1f s%n", what, took.toMillis() / 1000.0);
    return true;
  }
}
