package io.wharfmq.amqp.sasl;

import io.wharfmq.security.AccessControl;
import io.wharfmq.security.ScramCredentials;
import io.wharfmq.security.UserRecord;
import java.security.SecureRandom;

/**
 * Where the AMQP listener's logins are checked: the {@link UsersFile} while access control is off,
 * the broker's users and permissions ({@link AccessControl}) while it is on (docs/security.md,
 * "AMQP door"). Implementations are thread-safe; {@link #passwordMatches} may take tens of
 * milliseconds and is called on a verifier thread, never on an event loop.
 */
public interface Logins {
  /** Whether {@code password} is the enabled user's; an unknown user costs about as much. */
  boolean passwordMatches(String user, char[] password);

  /** Whether SCRAM-SHA-256 is offered: only users kept in SCRAM's form can use it. */
  boolean scramOffered();

  /** The SCRAM credentials of an enabled user, or null (unknown, disabled, or no SCRAM). */
  ScramCredentials scram(String user);

  /** The users of the users file (access control off): PLAIN only. */
  static Logins of(UsersFile users) {
    return new Logins() {
      @Override
      public boolean passwordMatches(String user, char[] password) {
        PasswordHash h = users.user(user);
        return (h != null ? h : DummyHash.HASH).matches(password) && h != null;
      }

      @Override
      public boolean scramOffered() {
        return false;
      }

      @Override
      public ScramCredentials scram(String user) {
        return null;
      }
    };
  }

  /** The broker's users (access control on): PLAIN and SCRAM-SHA-256, read per login. */
  static Logins of(AccessControl access) {
    return new Logins() {
      @Override
      public boolean passwordMatches(String user, char[] password) {
        if (access.registry().user(user).isEmpty()) {
          DummyHash.SCRAM.matches(password); // the same cost as a user whose hash is checked
          return false;
        }
        return access.registry().passwordMatches(user, password);
      }

      @Override
      public boolean scramOffered() {
        return true;
      }

      @Override
      public ScramCredentials scram(String user) {
        return access
            .registry()
            .user(user)
            .filter(UserRecord::enabled)
            .map(u -> u.scram())
            .orElse(null);
      }
    };
  }

  /**
   * Hashed in place of a missing user, with the default costs; made on first use, on a verifier
   * thread (it takes as long as a login), never on an event loop.
   */
  final class DummyHash {
    static final PasswordHash HASH =
        PasswordHash.create(
            "nobody", "x".toCharArray(), PasswordHash.DEFAULT_ITERATIONS, new SecureRandom());
    static final ScramCredentials SCRAM =
        ScramCredentials.create(
            "nobody".toCharArray(), ScramCredentials.DEFAULT_ITERATIONS, new SecureRandom());

    private DummyHash() {}
  }
}
