package io.wharfmq.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals users' signing secrets with AES-256-GCM under the broker's key. RocketMQ's request
 * signature is an HMAC keyed with the secret itself, so the broker must be able to read it back;
 * sealing keeps it out of the permission file (a copy or backup of that file alone reveals no
 * secret). The user name is the associated data: a sealed secret moved to another user does not
 * open. Thread-safe.
 */
public final class SecretSealer {
  public static final int KEY_BYTES = 32;
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random;

  public SecretSealer(byte[] key, SecureRandom random) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("the sealing key must have " + KEY_BYTES + " bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
    this.random = random;
  }

  /** base64(iv || ciphertext || tag). */
  public String seal(String user, String secret) {
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
      c.updateAAD(user.getBytes(StandardCharsets.UTF_8));
      byte[] ct = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder()
          .encodeToString(ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot do AES/GCM", e);
    }
  }

  /** The secret; IllegalArgumentException when it was sealed under another key or user. */
  public String open(String user, String sealed) {
    byte[] all;
    try {
      all = Base64.getDecoder().decode(sealed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the sealed secret is not base64");
    }
    if (all.length < IV_BYTES + TAG_BITS / 8) {
      throw new IllegalArgumentException("the sealed secret is too short");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, IV_BYTES));
      c.updateAAD(user.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new IllegalArgumentException(
          "the sealed secret does not open with this broker's key (another key file, or damaged)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot do AES/GCM", e);
    }
  }
}
