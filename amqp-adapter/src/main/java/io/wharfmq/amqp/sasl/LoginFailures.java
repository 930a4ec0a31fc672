package io.wharfmq.amqp.sasl;

import io.wharfmq.security.FailureThrottle;
import java.util.function.BiConsumer;

/**
 * What a failed login costs its peer (docs/security.md, "AMQP door"): one log line naming the peer
 * and the user (never a password), through a rate-limited warning log, and an answer held back
 * longer the more often the same address has failed ({@link FailureThrottle}: a few free failures,
 * then a delay doubling up to seconds, forgotten after quiet minutes). Thread-safe.
 */
public final class LoginFailures {
  private final FailureThrottle throttle;
  private final BiConsumer<String, String> warn;

  /**
   * @param warn writes "AMQP peer PEER: MESSAGE", rate-limited (the listener's peer log)
   */
  public LoginFailures(FailureThrottle throttle, BiConsumer<String, String> warn) {
    this.throttle = throttle;
    this.warn = warn;
  }

  /**
   * Records a failed login of {@code user} (null: none given) from {@code host} (the address
   * without the port: a new connection has a new port); returns how long to hold the outcome back.
   */
  public long failed(String peer, String host, String mechanism, String user, String why) {
    long delay = throttle.failed(host);
    warn.accept(
        peer,
        "SASL "
            + mechanism
            + " login "
            + (user == null ? "without a user name" : "of user '" + user + "'")
            + " failed: "
            + why
            + (delay > 0 ? "; outcome held back " + delay + " ms (repeated failures)" : ""));
    return delay;
  }

  /** A refusal that is not a failed login (a mechanism not offered) is only logged. */
  public void refused(String peer, String why) {
    warn.accept(peer, why);
  }
}
