package io.wharfmq.launcher;

import java.io.IOException;
import java.net.BindException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;

/**
 * Turns what stops a start into one line an operator can act on ({@link StartupFailure}): port
 * settings that are not ports, a port another process holds, a data directory that cannot be
 * written or that another process uses. Stateless.
 */
final class StartupChecks {
  private StartupChecks() {}

  /**
   * The port under {@code key} in {@code settings} ({@code fallback} if absent), 0..65535; {@code
   * meaning} says what the port is for, since the same key means different ports in different
   * commands.
   */
  static int port(Map<String, String> settings, String key, int fallback, String meaning)
      throws StartupFailure {
    String raw = settings.get(key);
    if (raw == null) {
      return fallback;
    }
    int port;
    try {
      port = Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw new StartupFailure(
          key
              + "='"
              + raw
              + "' is not a port number: "
              + key
              + " is "
              + meaning
              + "; set 0..65535 (0 = any free port), default "
              + fallback);
    }
    if (port < 0 || port > 65535) {
      throw new StartupFailure(
          key
              + "="
              + port
              + " is out of range: "
              + key
              + " is "
              + meaning
              + "; set 0..65535 (0 = any free port), default "
              + fallback);
    }
    return port;
  }

  /**
   * Makes sure {@code dir} exists, can be written, and is not locked by another process (the
   * store's {@code lock} file, when {@code checkStoreLock}: servers that open the store); {@code
   * key} is the setting that chose it.
   */
  static void dataDirectory(Path dir, String key, boolean checkStoreLock) throws StartupFailure {
    Path abs = dir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(abs);
    } catch (FileSystemException e) {
      throw new StartupFailure(
          "cannot create the data directory "
              + abs
              + " ("
              + reason(e)
              + "): set "
              + key
              + " to a directory this user can write");
    } catch (IOException e) {
      throw new StartupFailure(
          "cannot create the data directory " + abs + " (" + e + "): set " + key + " elsewhere");
    }
    if (!Files.isDirectory(abs)) {
      throw new StartupFailure(abs + " is not a directory: set " + key + " to a directory");
    }
    try {
      Files.deleteIfExists(Files.createTempFile(abs, ".wharf-write-test", ".tmp"));
    } catch (IOException e) {
      throw new StartupFailure(
          "the data directory "
              + abs
              + " is not writable ("
              + reason(e)
              + "): fix its permissions or set "
              + key
              + " to a directory this user can write");
    }
    Path lock = abs.resolve("lock");
    if (checkStoreLock && Files.exists(lock)) {
      try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
        FileLock l = ch.tryLock();
        if (l == null) {
          throw inUse(abs, key);
        }
        l.release();
      } catch (OverlappingFileLockException e) {
        throw inUse(abs, key);
      } catch (IOException e) {
        throw new StartupFailure(
            "cannot open the lock file " + lock + " (" + reason(e) + "): fix its permissions");
      }
    }
  }

  private static StartupFailure inUse(Path dir, String key) {
    return new StartupFailure(
        "the data directory "
            + dir
            + " is in use by another process (its lock file is held): stop it (bin/wharf stop"
            + " --dir "
            + dir
            + ") or set "
            + key
            + " to another directory");
  }

  /** Refuses to start when a live Wharf process already serves {@code dir} as {@code instance}. */
  static void notRunning(Path dir, String instance, String role, String key) throws StartupFailure {
    try {
      Optional<PidFile.Entry> e = PidFile.read(PidFile.path(dir, instance));
      if (e.isPresent()
          && e.get().pid() != ProcessHandle.current().pid()
          && PidFile.wharfProcess(e.get().pid()).isPresent()) {
        throw new StartupFailure(
            "a Wharf "
                + role
                + " (pid "
                + e.get().pid()
                + ") already runs from "
                + dir.toAbsolutePath().normalize()
                + ": stop it with bin/wharf stop --dir "
                + dir
                + ", or set "
                + key
                + " to another directory");
      }
    } catch (IOException ignored) {
      // An unreadable pid file is overwritten at start; the store's lock guards the data.
    }
  }

  /**
   * If {@code e} (or a cause) is a failed bind, the one line for it: the port, the key that sets it
   * and the fix. Otherwise, if it is a file-system refusal, a line naming the file.
   */
  static Optional<StartupFailure> explain(Throwable e, int port, String key, String what) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || t instanceof IOException
              && t.getMessage() != null
              && (t.getMessage().contains("Address already in use")
                  || t.getMessage().startsWith("bind("))) {
        return Optional.of(
            new StartupFailure(
                "port "
                    + port
                    + " ("
                    + key
                    + ", "
                    + what
                    + ") cannot be bound: "
                    + t.getMessage()
                    + "; stop what uses it (e.g. ss -ltnp 'sport = :"
                    + port
                    + "') or set "
                    + key
                    + " to a free port"));
      }
      if (t instanceof AccessDeniedException ade) {
        return Optional.of(
            new StartupFailure(
                "permission denied on "
                    + ade.getFile()
                    + ": fix the permissions of the data directory or set storePathRootDir"
                    + " to a directory this user can write"));
      }
      if (t instanceof IOException io
          && io.getMessage() != null
          && io.getMessage().contains("in use by another process")) {
        return Optional.of(new StartupFailure(io.getMessage()));
      }
    }
    return Optional.empty();
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fse) {
      return fse.getReason() != null ? fse.getReason() : e.getClass().getSimpleName();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
