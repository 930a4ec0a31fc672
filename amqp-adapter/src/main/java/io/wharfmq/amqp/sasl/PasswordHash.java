package io.wharfmq.amqp.sasl;

import io.wharfmq.security.ScramCredentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * One user of the AMQP users file: a salted PBKDF2-HMAC-SHA256 hash of the password, never the
 * password itself. The line format (docs/amqp.md) is {@code
 * name:pbkdf2-sha256:iterations:base64(salt):base64(hash)}; the iterations are in the line, so
 * raising the default later leaves old lines valid. Immutable and thread-safe.
 */
public record PasswordHash(String user, int iterations, byte[] salt, byte[] hash) {
  /** The scheme name in the line; the only one there is. */
  public static final String SCHEME = "pbkdf2-sha256";

  /** Iterations of new lines: OWASP's 2023 figure for PBKDF2-HMAC-SHA256 is 600,000. */
  public static final int DEFAULT_ITERATIONS = 600_000;

  /** The fewest iterations a line may have: fewer would make a stolen file cheap to crack. */
  public static final int MIN_ITERATIONS = 1_000;

  static final int SALT_BYTES = 16;
  static final int HASH_BYTES = 32;

  public PasswordHash {
    checkUser(user);
    salt = salt.clone();
    hash = hash.clone();
  }

  /** A new line's hash for {@code password} with a fresh random salt. */
  public static PasswordHash create(
      String user, char[] password, int iterations, SecureRandom random) {
    if (iterations < MIN_ITERATIONS) {
      throw new IllegalArgumentException("iterations must be at least " + MIN_ITERATIONS);
    }
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return new PasswordHash(
        user, iterations, salt, ScramCredentials.saltedPassword(password, salt, iterations));
  }

  /**
   * Parses one line of the users file; throws IllegalArgumentException saying what is wrong (never
   * repeating the line, which holds a hash).
   */
  public static PasswordHash parse(String line) {
    String[] f = line.split(":", -1);
    if (f.length != 5) {
      throw new IllegalArgumentException(
          "expected name:" + SCHEME + ":iterations:salt:hash (5 fields), found " + f.length);
    }
    if (!f[1].equals(SCHEME)) {
      throw new IllegalArgumentException("unknown scheme '" + f[1] + "', expected " + SCHEME);
    }
    int iterations;
    try {
      iterations = Integer.parseInt(f[2]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("iterations '" + f[2] + "' is not a number");
    }
    if (iterations < MIN_ITERATIONS) {
      throw new IllegalArgumentException(
          "iterations " + iterations + " is below the minimum " + MIN_ITERATIONS);
    }
    byte[] salt;
    byte[] hash;
    try {
      salt = Base64.getDecoder().decode(f[3]);
      hash = Base64.getDecoder().decode(f[4]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("salt or hash is not base64");
    }
    if (salt.length < 8 || hash.length != HASH_BYTES) {
      throw new IllegalArgumentException(
          "salt must have at least 8 bytes and the hash " + HASH_BYTES);
    }
    return new PasswordHash(f[0], iterations, salt, hash);
  }

  /** The line for the users file. */
  public String line() {
    return user
        + ':'
        + SCHEME
        + ':'
        + iterations
        + ':'
        + Base64.getEncoder().encodeToString(salt)
        + ':'
        + Base64.getEncoder().encodeToString(hash);
  }

  /** Whether {@code password} is this user's password (a comparison in constant time). */
  public boolean matches(char[] password) {
    return MessageDigest.isEqual(hash, ScramCredentials.saltedPassword(password, salt, iterations));
  }

  /** A user name the file can hold: non-empty, no ':' and no control or space characters. */
  public static void checkUser(String user) {
    if (user == null || user.isEmpty()) {
      throw new IllegalArgumentException("the user name is empty");
    }
    if (user.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new IllegalArgumentException("the user name is longer than 255 bytes");
    }
    for (int i = 0; i < user.length(); i++) {
      char c = user.charAt(i);
      if (c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "the user name may not contain ':', spaces or control characters");
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PasswordHash p
        && user.equals(p.user)
        && iterations == p.iterations
        && Arrays.equals(salt, p.salt)
        && Arrays.equals(hash, p.hash);
  }

  @Override
  public int hashCode() {
    return user.hashCode() * 31 + Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return "PasswordHash[" + user + ", " + iterations + " iterations]";
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  @Override
  public byte[] hash() {
    return hash.clone();
  }
}
