package io.wharfmq.amqp.sasl;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.SaslListener;
import org.apache.qpid.proton.engine.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of SASL for one connection: PLAIN against the {@link UsersFile}, ANONYMOUS when
 * allowed (RFC 4616, RFC 4505). A password hash takes tens of milliseconds by design, so PLAIN is
 * checked on {@code verifier} and the outcome goes back through {@code connectionThread}, which
 * also writes it; the connection's event loop never computes a hash. An unknown user costs the same
 * hash as a known one, so timing does not tell which names exist. Owned by the connection's thread;
 * {@link #user()} is read there.
 */
public final class SaslAuthenticator implements SaslListener {
  private static final Logger log = LoggerFactory.getLogger(SaslAuthenticator.class);

  public static final String PLAIN = "PLAIN";
  public static final String ANONYMOUS = "ANONYMOUS";

  /**
   * Hashed in place of a missing user, with the default cost; made on first use, on a verifier
   * thread (it takes as long as a login), never on an event loop.
   */
  private static final class Dummy {
    static final PasswordHash HASH =
        PasswordHash.create(
            "nobody", "x".toCharArray(), PasswordHash.DEFAULT_ITERATIONS, new SecureRandom());
  }

  private final UsersFile users;
  private final boolean anonymousEnable;
  private final Executor verifier;
  private final Executor connectionThread;
  private final String peer;
  private String user;
  private boolean started;

  /**
   * @param verifier where password hashes are computed
   * @param connectionThread runs a task on the connection's thread and writes the engine's output
   * @param peer the peer's address, for log lines
   */
  public SaslAuthenticator(
      UsersFile users,
      boolean anonymousEnable,
      Executor verifier,
      Executor connectionThread,
      String peer) {
    this.users = users;
    this.anonymousEnable = anonymousEnable;
    this.verifier = verifier;
    this.connectionThread = connectionThread;
    this.peer = peer;
  }

  /** The mechanisms to offer, best first. */
  public String[] mechanisms() {
    return anonymousEnable ? new String[] {PLAIN, ANONYMOUS} : new String[] {PLAIN};
  }

  /** The authenticated user; null for an anonymous peer or before the outcome. */
  public String user() {
    return user;
  }

  @Override
  public void onSaslInit(Sasl sasl, Transport transport) {
    if (started) {
      sasl.done(Sasl.SaslOutcome.PN_SASL_PERM);
      return;
    }
    started = true;
    String[] chosen = sasl.getRemoteMechanisms();
    String mechanism = chosen.length == 0 ? "" : chosen[0];
    byte[] response = new byte[Math.max(0, sasl.pending())];
    if (response.length > 0) {
      sasl.recv(response, 0, response.length);
    }
    if (mechanism.equals(ANONYMOUS) && anonymousEnable) {
      sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
    } else if (mechanism.equals(PLAIN)) {
      plain(sasl, response);
    } else {
      log.info(
          "AMQP peer {}: SASL mechanism '{}' refused (offered: {})",
          peer,
          mechanism,
          String.join(" ", mechanisms()));
      sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
    }
  }

  private void plain(Sasl sasl, byte[] response) {
    // authzid NUL authcid NUL passwd (RFC 4616); authzid must be empty or the authcid.
    int first = indexOf(response, 0);
    int second = first < 0 ? -1 : indexOf(response, first + 1);
    if (second < 0) {
      log.info("AMQP peer {}: malformed SASL PLAIN response", peer);
      sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
      return;
    }
    String authzid;
    String name;
    char[] password;
    try {
      authzid = utf8(response, 0, first);
      name = utf8(response, first + 1, second);
      password = utf8Chars(response, second + 1, response.length);
    } catch (CharacterCodingException e) {
      log.info("AMQP peer {}: SASL PLAIN response is not UTF-8", peer);
      sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
      return;
    } finally {
      Arrays.fill(response, (byte) 0);
    }
    if (!authzid.isEmpty() && !authzid.equals(name)) {
      log.info(
          "AMQP peer {}: user '{}' may not act as '{}' (SASL PLAIN authzid)", peer, name, authzid);
      sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
      return;
    }
    try {
      verifier.execute(
          () -> {
            PasswordHash h = users.user(name);
            boolean ok = (h != null ? h : Dummy.HASH).matches(password) && h != null;
            Arrays.fill(password, '\0');
            connectionThread.execute(() -> outcome(sasl, name, ok));
          });
    } catch (RejectedExecutionException e) {
      log.warn(
          "AMQP peer {}: too many logins at once; SASL answered with a temporary failure", peer);
      sasl.done(Sasl.SaslOutcome.PN_SASL_TEMP);
    }
  }

  private void outcome(Sasl sasl, String name, boolean ok) {
    if (ok) {
      user = name;
      sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
    } else {
      log.info("AMQP peer {}: SASL PLAIN login of user '{}' failed", peer, name);
      sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
    }
  }

  @Override
  public void onSaslResponse(Sasl sasl, Transport transport) {
    // Wharf sends no challenges (PLAIN and ANONYMOUS need none): a response is out of turn.
    log.info("AMQP peer {}: unexpected SASL response", peer);
    sasl.done(Sasl.SaslOutcome.PN_SASL_PERM);
  }

  @Override
  public void onSaslMechanisms(Sasl sasl, Transport transport) {}

  @Override
  public void onSaslChallenge(Sasl sasl, Transport transport) {}

  @Override
  public void onSaslOutcome(Sasl sasl, Transport transport) {}

  private static int indexOf(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  private static String utf8(byte[] b, int from, int to) throws CharacterCodingException {
    return new String(utf8Chars(b, from, to));
  }

  private static char[] utf8Chars(byte[] b, int from, int to) throws CharacterCodingException {
    CharBuffer chars =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(b, from, to - from));
    char[] out = new char[chars.remaining()];
    chars.get(out);
    return out;
  }
}
