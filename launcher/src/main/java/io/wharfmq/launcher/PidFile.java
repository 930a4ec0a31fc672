package io.wharfmq.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code <dir>/<instance>.pid}: which process serves a data directory, so {@code wharf stop} can
 * find it. The instance is the role for {@code standalone} and {@code broker} (one per data
 * directory: the store's lock), and {@code namesrv-<port>} for name servers, which keep no data, so
 * that several may run from one directory. Written when a server command starts, updated with its
 * addresses when it is ready, removed when it stops gracefully (a crash leaves it behind; {@code
 * stop} recognizes a stale one). Format: Java properties {@code pid}, {@code role}, {@code
 * started}, {@code serving}. Owned by the command's thread, then by the shutdown hook.
 */
final class PidFile implements AutoCloseable {
  /** Roles in the order {@code stop} stops them: brokers unregister before name servers go. */
  static final List<String> ROLES = List.of("standalone", "broker", "namesrv");

  /** The instance name of a name server on {@code port}. */
  static String namesrvInstance(int port) {
    return "namesrv-" + port;
  }

  /** What a pid file says. */
  record Entry(Path file, long pid, String role, String serving) {}

  private final Path file;
  private final String role;
  private final long pid = ProcessHandle.current().pid();

  private PidFile(Path file, String role) {
    this.file = file;
    this.role = role;
  }

  static Path path(Path dir, String instance) {
    return dir.resolve(instance + ".pid");
  }

  /**
   * The pid files of {@code role} in {@code dir}: {@code <role>.pid}, and for name servers every
   * {@code namesrv-<port>.pid}, sorted.
   */
  static List<Path> files(Path dir, String role) throws IOException {
    if (!role.equals("namesrv")) {
      return List.of(path(dir, role));
    }
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var s = Files.newDirectoryStream(dir, "namesrv-*.pid")) {
      List<Path> out = new java.util.ArrayList<>();
      s.forEach(out::add);
      out.sort(null);
      return out;
    }
  }

  /** Writes {@code <dir>/<instance>.pid} for this process. */
  static PidFile write(Path dir, String instance, String role) throws IOException {
    PidFile f = new PidFile(path(dir, instance), role);
    f.update("starting");
    return f;
  }

  /** Records what the process serves (shown by {@code stop}). */
  void update(String serving) throws IOException {
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(pid));
    p.setProperty("role", role);
    p.setProperty(
        "started", ProcessHandle.current().info().startInstant().map(String::valueOf).orElse(""));
    p.setProperty("serving", serving);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (var w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(w, "Wharf " + role + "; removed at graceful stop");
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Removes the file if it is still this process's. */
  @Override
  public void close() throws IOException {
    Optional<Entry> e = read(file);
    if (e.isPresent() && e.get().pid() == pid) {
      Files.deleteIfExists(file);
    }
  }

  /** The pid file at {@code file}, if there is a readable one. */
  static Optional<Entry> read(Path file) throws IOException {
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new Entry(
              file,
              Long.parseLong(p.getProperty("pid", "").trim()),
              p.getProperty("role", "?"),
              p.getProperty("serving", "")));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code pid} is alive and, as far as the OS tells, runs Wharf's launcher. */
  static Optional<ProcessHandle> wharfProcess(long pid) {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(
            h -> h.info().commandLine().map(c -> c.contains(Wharf.class.getName())).orElse(true));
  }
}
