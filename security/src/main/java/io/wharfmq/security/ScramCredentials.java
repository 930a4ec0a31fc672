package io.wharfmq.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A user's salted password hash in SCRAM-SHA-256's form (RFC 5802, RFC 7677): salt, iterations,
 * StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword, "Server
 * Key"), where SaltedPassword = PBKDF2-HMAC-SHA256(password, salt, iterations). It serves SCRAM
 * logins as they are and verifies a PLAIN password by deriving the same keys; the password cannot
 * be recovered from it. Immutable and thread-safe.
 */
public record ScramCredentials(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {
  /**
   * Iterations of new credentials: RFC 7677's minimum, which RabbitMQ and Artemis use too. A SCRAM
   * client repeats them on every connect, and the sealed signing secret sits beside them anyway.
   */
  public static final int DEFAULT_ITERATIONS = 4096;

  public static final int MIN_ITERATIONS = 4096;

  private static final int SALT_BYTES = 16;

  public ScramCredentials {
    if (iterations < 1000) {
      throw new IllegalArgumentException("iterations must be at least 1000");
    }
    if (salt.length < 8 || storedKey.length != 32 || serverKey.length != 32) {
      throw new IllegalArgumentException(
          "the salt needs at least 8 bytes, the stored and server keys 32 each");
    }
    salt = salt.clone();
    storedKey = storedKey.clone();
    serverKey = serverKey.clone();
  }

  public static ScramCredentials create(char[] password, int iterations, SecureRandom random) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return fromSaltedPassword(iterations, salt, saltedPassword(password, salt, iterations));
  }

  /**
   * The credentials of a PBKDF2-HMAC-SHA256 hash made elsewhere (the AMQP users file's lines are
   * exactly SCRAM's SaltedPassword).
   */
  public static ScramCredentials fromSaltedPassword(int iterations, byte[] salt, byte[] salted) {
    byte[] clientKey = hmac(salted, "Client Key");
    return new ScramCredentials(iterations, salt, sha256(clientKey), hmac(salted, "Server Key"));
  }

  /** Whether {@code password} is the one these credentials were made from (constant time). */
  public boolean matches(char[] password) {
    ScramCredentials other =
        fromSaltedPassword(iterations, salt, saltedPassword(password, salt, iterations));
    return MessageDigest.isEqual(storedKey, other.storedKey);
  }

  public static byte[] saltedPassword(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no PBKDF2WithHmacSHA256", e);
    } finally {
      spec.clearPassword();
    }
  }

  public static byte[] hmac(byte[] key, String text) {
    return hmac(key, text.getBytes(StandardCharsets.UTF_8));
  }

  public static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no HmacSHA256", e);
    }
  }

  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
