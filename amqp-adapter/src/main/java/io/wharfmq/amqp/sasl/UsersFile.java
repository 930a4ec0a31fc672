package io.wharfmq.amqp.sasl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AMQP users ({@code amqpUsersFile}): one {@link PasswordHash} line per user, blank lines and
 * lines starting with '#' ignored. Read at startup, where a bad line stops the start naming its
 * line number; re-read when its modification time or size changes, where a bad file is logged and
 * the users read before stay in force. Thread-safe: lookups see one consistent snapshot.
 */
public final class UsersFile {
  private static final Logger log = LoggerFactory.getLogger(UsersFile.class);

  private record Snapshot(Map<String, PasswordHash> users, FileTime modified, long size) {}

  private final Path path;
  private volatile Snapshot snapshot;

  private UsersFile(Path path, Snapshot snapshot) {
    this.path = path;
    this.snapshot = snapshot;
  }

  /** No users at all (no file configured): every PLAIN login fails. */
  public static UsersFile none() {
    return new UsersFile(null, new Snapshot(Map.of(), null, 0));
  }

  /**
   * Reads the file; an IllegalArgumentException names the first bad line ("amqpUsersFile FILE line
   * N: ..."), an IOException an unreadable file.
   */
  public static UsersFile load(Path path) throws IOException {
    return new UsersFile(path, read(path));
  }

  /** The users known now (re-reading the file first if it changed), for tests and tools. */
  public int size() {
    return current().users().size();
  }

  /** The user's hash, or null when there is no such user. */
  public PasswordHash user(String name) {
    return current().users().get(name);
  }

  private Snapshot current() {
    Snapshot s = snapshot;
    if (path == null) {
      return s;
    }
    try {
      FileTime modified = Files.getLastModifiedTime(path);
      long size = Files.size(path);
      if (modified.equals(s.modified()) && size == s.size()) {
        return s;
      }
      Snapshot fresh = read(path);
      snapshot = fresh;
      log.info("AMQP users file {} re-read: {} users", path, fresh.users().size());
      return fresh;
    } catch (IOException | IllegalArgumentException e) {
      log.warn(
          "AMQP users file {} cannot be read again ({}); the {} users read before stay in force",
          path,
          e.getMessage(),
          s.users().size());
      return s;
    }
  }

  private static Snapshot read(Path path) throws IOException {
    FileTime modified = Files.getLastModifiedTime(path);
    long size = Files.size(path);
    List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    return new Snapshot(parse(path.toString(), lines), modified, size);
  }

  /** The users of {@code lines}; an IllegalArgumentException names the bad line. */
  static Map<String, PasswordHash> parse(String name, List<String> lines) {
    Map<String, PasswordHash> users = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      PasswordHash h;
      try {
        h = PasswordHash.parse(line);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "amqpUsersFile " + name + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
      if (users.put(h.user(), h) != null) {
        throw new IllegalArgumentException(
            "amqpUsersFile " + name + " line " + (i + 1) + ": user '" + h.user() + "' twice");
      }
    }
    return Map.copyOf(users);
  }
}
