package io.wharfmq.broker.auth;

import io.wharfmq.security.AccessControl;
import io.wharfmq.security.AccessFile;
import io.wharfmq.security.AccessRegistry;
import io.wharfmq.security.SecretSealer;
import io.wharfmq.security.UserRecord;
import io.wharfmq.store.mapped.AtomicFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's users and permissions: {@code config/acl.json} (written atomically, as every other
 * metadata file) and the key that seals the signing secrets, {@code config/acl.key} (32 random
 * bytes, owner-only, made on first start). A damaged file stops the start with the place that is
 * wrong: running with it would open or close everything. Changes are serialized, written, then
 * published as a new {@link AccessRegistry}. Thread-safe.
 */
public final class AccessStore implements AccessControl {
  private static final Logger log = LoggerFactory.getLogger(AccessStore.class);

  /** The permission file's name in the config directory. */
  public static final String FILE = "acl.json";

  /** The sealing key's name in the config directory. */
  public static final String KEY_FILE = "acl.key";

  private final boolean enabled;
  private final Path file;
  private final SecretSealer sealer;
  private final SecureRandom random;
  private volatile AccessRegistry registry;

  private AccessStore(
      boolean enabled, Path file, SecretSealer sealer, SecureRandom random, AccessRegistry r) {
    this.enabled = enabled;
    this.file = file;
    this.sealer = sealer;
    this.random = random;
    this.registry = r;
  }

  /**
   * Opens (and on first use creates) the store in {@code configDir}. When it has no user and {@code
   * initUser} is not empty, that super user is created. IllegalStateException: the file or key is
   * damaged, with what to do.
   */
  public static AccessStore open(
      Path configDir, boolean enabled, String initUser, String initPassword, SecureRandom random)
      throws IOException {
    Files.createDirectories(configDir);
    SecretSealer sealer = new SecretSealer(key(configDir.resolve(KEY_FILE), random), random);
    Path file = configDir.resolve(FILE);
    List<UserRecord> users = List.of();
    if (Files.exists(file)) {
      try {
        users = AccessFile.read(Files.readAllBytes(file));
      } catch (IllegalArgumentException e) {
        throw damaged(file, e);
      }
    }
    AccessRegistry registry;
    try {
      registry = new AccessRegistry(users, sealer);
    } catch (IllegalArgumentException e) {
      throw damaged(file, e);
    }
    AccessStore store = new AccessStore(enabled, file, sealer, random, registry);
    if (registry.users().isEmpty() && !initUser.isEmpty()) {
      store.update(u -> List.of(UserRecord.create(initUser, initPassword, true, sealer, random)));
      log.info("Permission store {}: created super user '{}' (aclInitUser)", file, initUser);
    }
    log.info(
        "Access control {}: {} users in {}",
        enabled ? "on (aclEnable=true)" : "off",
        store.registry.users().size(),
        file);
    if (enabled && store.registry.users().isEmpty()) {
      log.warn(
          "aclEnable=true and no user exists: every request will be refused; set aclInitUser and"
              + " aclInitPassword to create a super user on start");
    }
    return store;
  }

  private static IllegalStateException damaged(Path file, IllegalArgumentException e) {
    return new IllegalStateException(
        "permission file "
            + file
            + " is damaged: "
            + e.getMessage()
            + ". Wharf does not start with it (that would open or close every door); restore it"
            + " from a backup or fix the place named");
  }

  private static byte[] key(Path path, SecureRandom random) throws IOException {
    if (!Files.exists(path)) {
      byte[] k = new byte[SecretSealer.KEY_BYTES];
      random.nextBytes(k);
      try {
        Files.createFile(
            path,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(path);
      } catch (FileAlreadyExistsException e) {
        return Files.readAllBytes(path);
      }
      AtomicFiles.write(path, k);
      return k;
    }
    byte[] k = Files.readAllBytes(path);
    if (k.length != SecretSealer.KEY_BYTES) {
      throw new IllegalStateException(
          "sealing key "
              + path
              + " has "
              + k.length
              + " bytes instead of "
              + SecretSealer.KEY_BYTES
              + "; restore it from a backup (without it the users' signing secrets cannot be"
              + " read; deleting it and "
              + FILE
              + " starts with no users)");
    }
    return k;
  }

  @Override
  public boolean enabled() {
    return enabled;
  }

  @Override
  public AccessRegistry registry() {
    return registry;
  }

  public SecretSealer sealer() {
    return sealer;
  }

  public SecureRandom random() {
    return random;
  }

  /**
   * Applies {@code change} to the users, checks the result, writes it and publishes it. An
   * IllegalArgumentException from the change or the check leaves everything as it was.
   */
  public synchronized void update(UnaryOperator<List<UserRecord>> change) throws IOException {
    List<UserRecord> next = List.copyOf(change.apply(new ArrayList<>(registry.users())));
    AccessRegistry r = new AccessRegistry(next, sealer);
    AtomicFiles.write(file, AccessFile.write(next));
    registry = r;
  }
}
