package io.wharfmq.security;

import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;

/**
 * One user as stored: name (also the RocketMQ access key), whether it is a super user (allowed
 * everything, as RocketMQ's {@code admin: true} and ACL 2.0's Super type), whether it is enabled,
 * its salted password hash, its sealed signing secret (null for a user imported from a hash alone:
 * it can log in over AMQP but cannot sign native requests) and its permissions in no particular
 * order. Immutable.
 */
public record UserRecord(
    String name,
    boolean superUser,
    boolean enabled,
    ScramCredentials scram,
    String sealedSecret,
    List<Policy> policies) {
  public UserRecord {
    checkName(name);
    Objects.requireNonNull(scram, "scram");
    policies = List.copyOf(policies);
  }

  /**
   * A new enabled user whose password is also its signing secret (RocketMQ's secret key): the
   * password's salted hash and the password sealed by {@code sealer}.
   */
  public static UserRecord create(
      String name, String password, boolean superUser, SecretSealer sealer, SecureRandom random) {
    checkName(name);
    checkPassword(password);
    return new UserRecord(
        name,
        superUser,
        true,
        ScramCredentials.create(
            password.toCharArray(), ScramCredentials.DEFAULT_ITERATIONS, random),
        sealer.seal(name, password),
        List.of());
  }

  /** The same user with a new password (hash and sealed secret). */
  public UserRecord withPassword(String password, SecretSealer sealer, SecureRandom random) {
    checkPassword(password);
    return new UserRecord(
        name,
        superUser,
        enabled,
        ScramCredentials.create(
            password.toCharArray(), ScramCredentials.DEFAULT_ITERATIONS, random),
        sealer.seal(name, password),
        policies);
  }

  /** A password: 6 to 1024 characters (RocketMQ's secret keys have at least 6). */
  public static void checkPassword(String password) {
    if (password == null || password.length() < 6) {
      throw new IllegalArgumentException("the password needs at least 6 characters");
    }
    if (password.length() > 1024) {
      throw new IllegalArgumentException("the password is longer than 1024 characters");
    }
  }

  public UserRecord withPolicies(List<Policy> p) {
    return new UserRecord(name, superUser, enabled, scram, sealedSecret, p);
  }

  public UserRecord withFlags(boolean superUser, boolean enabled) {
    return new UserRecord(name, superUser, enabled, scram, sealedSecret, policies);
  }

  /**
   * A user name (and access key): 1 to 255 characters, no ':', spaces or control characters (the
   * users file and the SASL PLAIN message could not carry them unambiguously).
   */
  public static void checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("the user name is empty");
    }
    if (name.length() > 255) {
      throw new IllegalArgumentException("the user name is longer than 255 characters");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "the user name may not contain ':', spaces or control characters");
      }
    }
  }
}
